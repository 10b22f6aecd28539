"""Storm coalescing on a real Redis: a count a dead flusher left behind still reaches incidents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from imas_contracts.catalog import Ref
from imas_contracts.incidents import IncidentSnapshot, OpenOrAttach, OpenOrAttachReply
from imas_ingest.storm import _TAKE, Coalescer, Occurrence

pytestmark = pytest.mark.integration

ALERT = OpenOrAttach(title="Disk full", service_name="redis-prod", severity="SEV2_HIGH")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


class Incidents:
    """What incidents would answer, and every count it was sent."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    async def __call__(self, request: OpenOrAttach) -> OpenOrAttachReply:
        self.counts.append(request.occurrences)
        now = datetime.now(UTC)
        incident = IncidentSnapshot(
            id=str(uuid.uuid4()),
            short_id="abc123",
            title=request.title,
            service=Ref(id=str(uuid.uuid4()), name=request.service_name),
            severity=request.severity,
            status="TRIGGERED",
            detected_at=now,
            created_at=now,
        )
        return OpenOrAttachReply(created=len(self.counts) == 1, incident=incident)


async def _left_by_a_dead_flusher(redis: aioredis.Redis, prefix: str, listed: bool) -> int:
    """Counts taken for flushing by a flusher that died before sending them."""
    dead = Coalescer(redis, Incidents(), prefix=prefix, lease_ms=1)
    await dead.add([("event-1", [Occurrence(key="k", count=3, request=ALERT)])])
    epoch = int(await redis.eval(_TAKE, 0, prefix, "dead", 1))
    if not listed:  # as a version that did not list flushes in progress left them
        await redis.srem(f"{prefix}:flushings", epoch)
    return epoch


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "left-by-an-older-version"])
async def test_a_count_a_dead_flusher_took_is_sent_by_the_next_one(
    redis: aioredis.Redis, listed: bool
) -> None:
    prefix = f"test-storm:{uuid.uuid4().hex}"
    epoch = await _left_by_a_dead_flusher(redis, prefix, listed)
    incidents = Incidents()
    alive = Coalescer(redis, incidents, prefix=prefix)
    await alive.list_unlisted_flushes()  # what the flusher does first when it starts
    await alive.flush_now()
    assert incidents.counts == [3]
    await alive.wait_done({epoch}, timeout=5)
    # Finished: nothing left to recover, and a later look sends nothing twice.
    assert not await redis.exists(f"{prefix}:flushing:{epoch}")
    assert not await redis.smembers(f"{prefix}:flushings")
    alive._recovered_at = float("-inf")
    await alive.flush_now()
    assert incidents.counts == [3]
