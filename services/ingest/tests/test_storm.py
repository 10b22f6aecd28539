"""Storm coalescing on a real Redis of the module's own: a count a dead flusher left behind still
reaches incidents, and Redis losing its data (FLUSHALL, a replica that lagged behind, keys
gone) never drops a count nor leaves a consumer waiting for a flush that will never come."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import msgspec
import pytest
import redis.asyncio as aioredis

from imas_contracts import ErrorReply
from imas_contracts.catalog import Ref
from imas_contracts.incidents import (
    CountsSettled,
    IncidentSnapshot,
    OpenOrAttach,
    OpenOrAttachReply,
)
from imas_ingest.webhooks.storm import SEND_ATTEMPTS, Coalescer, Occurrence, Result
from imas_runtime.embedded import EmbeddedRedis
from imas_runtime.errors import RequestFailed
from imas_testing import eventually

pytestmark = pytest.mark.integration

ALERT = OpenOrAttach(title="Disk full", service_name="redis-prod", severity="SEV2_HIGH")


def occurrence(key: str, count: int) -> Occurrence:
    return Occurrence(key=key, count=count, request=msgspec.structs.replace(ALERT, dedup_key=key))


@pytest.fixture
async def redis(own_redis: EmbeddedRedis) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(own_redis.url)
    await client.flushall()
    yield client
    await client.aclose()


class Incidents:
    """What incidents would answer (one open incident per dedup key), and every count it was
    sent; ``after_commit`` runs once incidents committed a count (a fault at that moment)."""

    def __init__(self) -> None:
        self.counts: list[tuple[str, int]] = []
        self.keys: list[str] = []  # the idempotency key of each count
        self.open: dict[str, str] = {}
        self.after_commit: Callable[[], Awaitable[None]] | None = None

    def total(self, key: str) -> int:
        return sum(n for k, n in self.counts if k == key)

    async def __call__(self, request: OpenOrAttach) -> OpenOrAttachReply:
        self.counts.append((request.dedup_key, request.occurrences))
        self.keys.append(request.idempotency_key)
        created = request.dedup_key not in self.open
        incident_id = self.open.setdefault(request.dedup_key, str(uuid.uuid4()))
        now = datetime.now(UTC)
        incident = IncidentSnapshot(
            id=incident_id,
            short_id="abc123",
            title=request.title,
            service=Ref(id=str(uuid.uuid4()), name=request.service_name),
            severity=request.severity,
            status="TRIGGERED",
            detected_at=now,
            created_at=now,
        )
        if self.after_commit is not None:
            fault, self.after_commit = self.after_commit, None
            await fault()
        return OpenOrAttachReply(created=created, incident=incident)


@contextlib.asynccontextmanager
async def flusher(coalescer: Coalescer) -> AsyncIterator[None]:
    stopping = asyncio.Event()
    task = asyncio.create_task(coalescer.run(stopping))
    try:
        yield
    finally:
        stopping.set()
        await task


def new_prefix() -> str:
    return f"test-storm:{uuid.uuid4().hex[:8]}"


async def counted(redis: aioredis.Redis, *event_ids: str) -> None:
    """Wait until Redis holds the count of every event (its ``seen`` mark)."""

    async def marked() -> None:
        found = await redis.mget([k async for k in redis.scan_iter(match="*:seen:*")] or ["-"])
        assert sum(v is not None for v in found) >= len(event_ids)

    await eventually(marked, timeout=30)


async def test_a_count_a_dead_flusher_took_is_sent_by_the_next_one(redis: aioredis.Redis) -> None:
    prefix = new_prefix()
    dead = Coalescer(redis, Incidents(), prefix=prefix)
    counting = asyncio.create_task(dead.count([("event-1", [occurrence("k", 3)])]))
    # The flusher takes the epoch and dies before sending it; its lease is removed rather than
    # left to expire (a short lease would race the next flusher on a fast machine).
    await counted(redis, "event-1")
    assert await dead._take(args=[prefix, "dead", 60_000]) is not None
    epoch = (await redis.smembers(f"{prefix}:flushes")).pop().decode()
    assert await redis.delete(f"{prefix}:lease:{epoch}") == 1

    incidents = Incidents()
    alive = Coalescer(redis, incidents, prefix=prefix)
    await alive.flush_now()
    assert incidents.counts == [("k", 3)]
    result = await asyncio.wait_for(counting, timeout=30)
    assert result["event-1"]["k"] is not None
    # Finished: nothing left to recover, and a later look sends nothing twice.
    assert not await redis.smembers(f"{prefix}:flushes")
    alive._recovered_at = float("-inf")
    await alive.flush_now()
    assert incidents.counts == [("k", 3)]


async def test_counts_the_previous_version_left_are_sent(redis: aioredis.Redis) -> None:
    """Before epoch tokens: integer epochs, ``pending``, ``flushing:<n>``, ``tmpl:<key>``."""
    prefix = new_prefix()
    template = msgspec.json.encode(msgspec.structs.replace(ALERT, dedup_key="old"))
    await redis.set(f"{prefix}:epoch", 8)
    await redis.hset(f"{prefix}:pending", "old", 2)  # not yet taken
    await redis.hset(f"{prefix}:flushing:6", "old", 5)  # taken, listed, its flusher dead
    await redis.sadd(f"{prefix}:flushings", 6)
    await redis.hset(f"{prefix}:flushing:4", "old", 7)  # taken by a version that did not list
    await redis.set(f"{prefix}:tmpl:old", template)

    incidents = Incidents()
    alive = Coalescer(redis, incidents, prefix=prefix)
    await alive.list_unlisted_flushes()  # what the flusher does first when it starts
    await alive.flush_now()
    assert incidents.total("old") == 14
    # The previous version's consumers waiting for those epochs see them done.
    for epoch in (4, 6, 8):
        assert await redis.exists(f"{prefix}:done:{epoch}")
    alive._recovered_at = float("-inf")
    await alive.flush_now()
    assert incidents.total("old") == 14


async def test_counts_redis_lost_before_their_flush_are_counted_once(
    redis: aioredis.Redis,
) -> None:
    incidents = Incidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix())
    events = [(f"event-{i}", [occurrence("disk", 1), occurrence("cpu", 2)]) for i in range(5)]
    counting = asyncio.create_task(coalescer.count(events))
    await counted(redis, *(e for e, _ in events))  # no flusher has taken them yet
    await redis.flushall()
    async with flusher(coalescer):
        results = await asyncio.wait_for(counting, timeout=30)
    assert incidents.total("disk") == 5
    assert incidents.total("cpu") == 10
    assert {r["disk"] for r in results.values()} == {Result(incidents.open["disk"], True)}


class KeyedIncidents(Incidents):
    """Incidents as it keeps idempotency keys: a count under a key counted before counts
    nothing and answers as the first did; :meth:`settle` answers what each key counted, or
    voids it (a count under a voided key is then refused, ``conflict``).
    ``before_commit`` runs before a count commits (a fault at that moment)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_key: dict[str, OpenOrAttachReply | None] = {}
        self.settled: list[str] = []
        self.before_commit: Callable[[str], Awaitable[None]] | None = None

    async def __call__(self, request: OpenOrAttach) -> OpenOrAttachReply:
        key = request.idempotency_key
        if self.before_commit is not None:
            fault, self.before_commit = self.before_commit, None
            await fault(key)
        if key in self.by_key:
            reply = self.by_key[key]
            if reply is None:
                raise RequestFailed(ErrorReply(code="conflict", message=f"{key} voided"))
            return reply
        reply = await super().__call__(request)
        self.by_key[key] = reply
        return reply

    async def settle(self, keys: list[str]) -> CountsSettled:
        self.settled += keys
        for key in keys:
            self.by_key.setdefault(key, None)
        counted = {k: r for k in keys if (r := self.by_key[k]) is not None}
        return CountsSettled(counted=counted, voided=[k for k in keys if k not in counted])


async def test_a_count_lost_after_incidents_committed_it_is_settled_not_counted_again(
    redis: aioredis.Redis,
) -> None:
    """Redis loses everything just after incidents committed a flush: the waiting events
    learn from incidents what their counts became, and nothing is counted twice (before
    settling: one extra count per event in flight)."""
    incidents = KeyedIncidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix(), settle=incidents.settle)

    async def flushall() -> None:
        await redis.flushall()

    incidents.after_commit = flushall
    events = [(f"event-{i}", [occurrence("disk", 1)]) for i in range(4)]
    async with flusher(coalescer):
        results = await asyncio.wait_for(coalescer.count(events), timeout=30)
    assert incidents.total("disk") == 4
    assert {r["disk"] for r in results.values()} == {Result(incidents.open["disk"], True)}
    assert incidents.settled


async def test_a_flush_on_its_way_when_its_counts_are_settled_counts_nothing(
    redis: aioredis.Redis,
) -> None:
    """Redis loses everything while a flusher's count is on its way to incidents, and the
    waiting events settle first: the key is voided, the late count refused, and each alert
    is counted once, in a new epoch."""
    incidents = KeyedIncidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix(), settle=incidents.settle)

    async def lost_and_settled_first(key: str) -> None:
        await redis.flushall()

        async def settled() -> None:
            assert key in incidents.settled

        await eventually(settled, timeout=30)

    incidents.before_commit = lost_and_settled_first
    events = [(f"event-{i}", [occurrence("disk", 1), occurrence("cpu", 2)]) for i in range(3)]
    async with flusher(coalescer):
        results = await asyncio.wait_for(coalescer.count(events), timeout=30)
    assert (incidents.total("disk"), incidents.total("cpu")) == (3, 6)
    assert {r["cpu"] for r in results.values()} == {Result(incidents.open["cpu"], True)}


async def test_an_event_whose_mark_alone_was_lost_is_counted_once_with_its_epoch_voided(
    redis: aioredis.Redis,
) -> None:
    """A partial loss (an eviction): one event's mark is gone while its epoch still waits to
    be flushed with the others'. That event settles, which voids the epoch's count; the
    flush is refused, and every event of it counts again, once."""
    incidents = KeyedIncidents()
    prefix = new_prefix()
    coalescer = Coalescer(redis, incidents, prefix=prefix, settle=incidents.settle)
    events = [(f"event-{i}", [occurrence("disk", 1)]) for i in range(4)]
    counting = asyncio.create_task(coalescer.count(events))
    await counted(redis, *(e for e, _ in events))
    assert await redis.delete(f"{prefix}:seen:event-0") == 1

    async def settled() -> None:
        assert incidents.settled

    await eventually(settled, timeout=30)  # before any flusher runs
    async with flusher(coalescer):
        results = await asyncio.wait_for(counting, timeout=30)
    assert incidents.total("disk") == 4
    assert len({r["disk"] for r in results.values()}) == 1
    assert None in incidents.by_key.values()  # the first epoch's count was voided


async def test_a_retry_after_its_counts_were_flushed_and_redis_lost_them_counts_nothing(
    redis: aioredis.Redis,
) -> None:
    """A batch's wait fails (incidents slow, Redis away), then its counts are flushed and
    Redis loses everything; the batch is retried: it goes on from its first attempt's epoch
    and settles it, instead of counting its alerts a second time."""
    incidents = KeyedIncidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix(), settle=incidents.settle)
    events = [(f"event-{i}", [occurrence("disk", 1)]) for i in range(3)]
    with pytest.raises(TimeoutError):
        await coalescer.count(events, timeout=0.2)  # no flusher yet
    await coalescer.flush_now()
    assert incidents.total("disk") == 3
    await redis.flushall()
    async with flusher(coalescer):
        results = await asyncio.wait_for(coalescer.count(events), timeout=30)
    assert incidents.total("disk") == 3
    assert {r["disk"] for r in results.values()} == {Result(incidents.open["disk"], True)}


async def test_an_epoch_opened_after_a_loss_is_never_taken_for_one_that_was_lost(
    redis: aioredis.Redis,
) -> None:
    """Redis lost the epoch it was filling while the marks of earlier epochs stayed (done,
    seen, results): the next counts get an epoch of their own, not an earlier one's answer."""
    incidents = Incidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix())
    async with flusher(coalescer):
        await coalescer.count([("first", [occurrence("disk", 1)])])
        async for name in redis.scan_iter():
            if not any(f":{kind}:" in name.decode() for kind in ("done", "seen", "result")):
                await redis.delete(name)
        results = await asyncio.wait_for(
            coalescer.count([("second", [occurrence("cpu", 1)])]), timeout=30
        )
    assert incidents.counts == [("disk", 1), ("cpu", 1)]
    cpu = results["second"]["cpu"]
    assert cpu is not None and cpu.incident_id == incidents.open["cpu"] and cpu.created


async def test_a_redelivered_event_whose_epoch_was_lost_is_counted_again_not_waited_for(
    redis: aioredis.Redis,
) -> None:
    """Its mark (``seen``) survived, its epoch's ``done`` did not: waiting for it would wait
    forever. It is counted again instead (the pipeline skips it earlier when its record says
    it was handled; this is the event whose record was not written yet)."""
    incidents = Incidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix())
    async with flusher(coalescer):
        first = await coalescer.count([("event", [occurrence("disk", 1)])])
        async for name in redis.scan_iter():
            if ":seen:" not in name.decode():
                await redis.delete(name)
        again = await coalescer.count([("event", [occurrence("disk", 1)])], timeout=30)
    assert incidents.counts == [("disk", 1), ("disk", 1)]
    assert first["event"]["disk"] is not None
    assert again["event"]["disk"] == Result(first["event"]["disk"].incident_id, created=False)


async def test_a_count_whose_answer_was_lost_goes_again_under_the_same_key(
    redis: aioredis.Redis,
) -> None:
    """Incidents committed the count but its answer never came back: the flusher sends it
    again with the key it sent it under, so incidents counts it once (its side of this is in
    services/incidents/tests/test_open_or_attach.py)."""
    incidents = Incidents()
    coalescer = Coalescer(redis, incidents, prefix=new_prefix())

    async def answer_lost() -> None:
        raise TimeoutError("incidents.open_or_attach.v1 did not answer")

    incidents.after_commit = answer_lost
    async with flusher(coalescer):
        await asyncio.wait_for(coalescer.count([("event-1", [occurrence("disk", 5)])]), 30)
        await asyncio.wait_for(coalescer.count([("event-2", [occurrence("disk", 1)])]), 30)
    assert incidents.counts == [("disk", 5), ("disk", 5), ("disk", 1)]
    first, again, later = incidents.keys
    assert first.endswith(":disk") and again == first
    assert later.endswith(":disk") and later != first  # another epoch: another count


class FailsOn(Incidents):
    """Incidents answering every request but those for one dedup key: for those it fails (a
    bug, a refused write), or is away for a while (``unavailable``) and then answers."""

    def __init__(self, key: str, code: str) -> None:
        super().__init__()
        self.key = key
        self.code = code
        self.failures = 0

    async def __call__(self, request: OpenOrAttach) -> OpenOrAttachReply:
        if request.dedup_key == self.key:
            self.failures += 1
            if self.code != "unavailable" or self.failures <= SEND_ATTEMPTS + 1:
                raise RequestFailed(ErrorReply(code=self.code, message="cannot store that"))
        return await super().__call__(request)


async def test_a_count_incidents_keeps_failing_on_is_given_up_and_holds_up_no_other(
    redis: aioredis.Redis,
) -> None:
    incidents = FailsOn("poison", "internal")
    coalescer = Coalescer(redis, incidents, prefix=f"test-storm:{uuid.uuid4().hex}")
    async with flusher(coalescer):
        results = await coalescer.count(
            [("good", [occurrence("disk", 2)]), ("bad", [occurrence("poison", 1)])], timeout=20
        )
    assert results["good"]["disk"] is not None and not results["good"]["disk"].error
    assert results["bad"]["poison"] == Result("", False, error="cannot store that")
    assert incidents.counts == [("disk", 2)]
    assert incidents.failures == SEND_ATTEMPTS


async def test_a_count_is_kept_for_as_long_as_incidents_is_away(redis: aioredis.Redis) -> None:
    incidents = FailsOn("disk", "unavailable")  # away for longer than SEND_ATTEMPTS, then back
    coalescer = Coalescer(redis, incidents, prefix=f"test-storm:{uuid.uuid4().hex}")
    async with flusher(coalescer):
        results = await coalescer.count([("event", [occurrence("disk", 4)])], timeout=30)
    assert results["event"]["disk"] is not None and not results["event"]["disk"].error
    assert incidents.counts == [("disk", 4)]
