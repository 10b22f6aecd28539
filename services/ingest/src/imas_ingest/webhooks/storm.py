"""Storm coalescing: identical alerts become one open-or-attach carrying their count.

Redis holds, per coalescing key (service + dedup key), a pending-occurrence counter and the
open-or-attach to send; a flusher takes every pending counter at once and sends each key's
count to incidents, where ``alert_count`` (PostgreSQL) is the truth. 10,000 identical alerts
cost a few dozen row updates, not 10,000.

Counts are grouped in *epochs*, each named by a random token that is never reused:

1. The consumer counts a message's occurrences with :meth:`Coalescer.count`: one Lua script
   adds them to the counters of the current epoch (``counts:<epoch>``) and marks the event as
   counted (``seen:<event_id>`` remembers the epoch), atomically. A redelivered event adds
   nothing and waits for the epoch of its first count.
2. The flusher takes the current epoch (atomically: the next count opens a new one, and the
   taken epoch is listed in ``flushes``), sends each key's count, then marks ``done:<epoch>``.
   A flusher that dies leaves its epoch listed without a lease; another flusher finishes it.
3. The consumer acknowledges the JetStream message only once its epoch is done, i.e. once
   incidents committed the count. Until then the raw payload stays in JetStream, so a kill at
   any point loses nothing.

Redis is never the only copy of an accepted alert: the raw payload stays in JetStream until its
count is committed in PostgreSQL. While a consumer waits, each of its events is in exactly one
state: its epoch is the current one, listed in ``flushes``, or done. An event in none of them
(Redis lost its data: a restart without persistence, ``FLUSHALL``, a failover to a replica that
lagged behind) is *settled* with incidents, which has the truth in PostgreSQL: for each of the
event's keys, incidents answers the incident counted under ``<epoch>:<key>``, or, when nothing
was, voids that idempotency key for good (``incidents.counts.settle.v1``). What was counted is
taken as is; what was voided is counted again, in a new epoch. A flush of the lost epoch still
on its way (a flusher that read it before the loss) then finds its key voided and counts
nothing; its result says so, and whoever still waits on it counts those alerts again. So no
count is dropped, none is counted twice, and no redelivered event waits for a ``done`` that
will never come. Epoch tokens are random, so an epoch never "goes backwards": an epoch started
after a loss can never be mistaken for one that was lost.

What this costs: one request to incidents per batch that lost its counts (and, while
incidents is away, the batch waits for it). Before settling (without ``settle``), an event whose
count incidents had already committed when Redis lost it was counted a second time.

A flusher also sends a count again when its answer was lost (incidents killed after its
commit, a reply timeout), and a flusher killed after incidents committed a key's count but
before it removed that key from its epoch leaves it for the next one. Each count therefore goes
with the idempotency key ``<epoch>:<key>`` (epoch tokens are never reused): incidents counts it
once and answers a repeat with the incident it counted on.

One key never holds up the others: while incidents is away (no answer, ``unavailable``) a count
is retried for as long as it takes, but one that incidents keeps failing on while it answers
(a bug, a refused write) is given up after :data:`SEND_ATTEMPTS` tries, its result marked
failed, so its epoch completes; the consumer dead-letters the messages that carried it.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import msgspec
import redis.asyncio as aioredis
from opentelemetry.trace import SpanKind
from prometheus_client import Counter

from imas_contracts.incidents import CountsSettled, OpenOrAttach, OpenOrAttachReply
from imas_runtime.errors import RequestFailed
from imas_runtime.logs import get_logger
from imas_runtime.telemetry import TRACEPARENT, batch_span, span_in, tracing_active

log = get_logger(__name__)

RECOVER_EVERY_SECONDS = 5.0
# Failed counts whose epochs a process remembers for their retry (oldest forgotten first).
MAX_ATTEMPTS_KEPT = 100_000
# Times incidents may fail on one count (not for being away) before that count is given up.
SEND_ATTEMPTS = 5
RECOUNTED = Counter(
    "imas_storm_recounted_total",
    "Alerts counted again because Redis lost their pending count (data loss in Redis)",
)

# ARGV: prefix, seen ttl, a fresh epoch token (used if no epoch is open), then per event:
# id, the epoch it may be re-counted from ("" for a first count), n, then n times (key,
# count, template, trace). Answers each event's epoch. ``traces:<epoch>`` keeps, per key, the
# trace of the first alert counted for it in the epoch ("" with tracing off: nothing kept).
_ADD = """
local prefix = ARGV[1]
local ttl = tonumber(ARGV[2])
local epoch = redis.call('GET', prefix .. ':current')
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', prefix .. ':current', epoch)
end
local out = {}
local i = 4
while i <= #ARGV do
  local id, again, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  local prev = redis.call('GET', prefix .. ':seen:' .. id)
  if prev and prev ~= again then
    out[#out + 1] = prev
    i = i + 4 * n
  else
    for j = 1, n do
      redis.call('HINCRBY', prefix .. ':counts:' .. epoch, ARGV[i], tonumber(ARGV[i + 1]))
      redis.call('HSET', prefix .. ':templates:' .. epoch, ARGV[i], ARGV[i + 2])
      if ARGV[i + 3] ~= '' then
        redis.call('HSETNX', prefix .. ':traces:' .. epoch, ARGV[i], ARGV[i + 3])
        redis.call('EXPIRE', prefix .. ':traces:' .. epoch, ttl)
      end
      i = i + 4
    end
    redis.call('SET', prefix .. ':seen:' .. id, epoch, 'EX', ttl)
    out[#out + 1] = epoch
  end
end
return out
"""

_TAKE = """
local prefix = ARGV[1]
local epoch = redis.call('GET', prefix .. ':current')
if not epoch or redis.call('EXISTS', prefix .. ':counts:' .. epoch) == 0 then return false end
redis.call('DEL', prefix .. ':current')
redis.call('SADD', prefix .. ':flushes', epoch)
redis.call('SET', prefix .. ':lease:' .. epoch, ARGV[2], 'PX', tonumber(ARGV[3]))
return epoch
"""

# ARGV: prefix, then (event id, epoch) pairs. Answers per event: 2 its count is committed,
# 1 it is on its way, 0 Redis lost it (the event's mark or its epoch is gone). One script, so
# that the answer is one consistent view. Epochs of the version before tokens (integers, see
# _ADOPT) are on their way while that version still holds them.
_STATES = """
local prefix = ARGV[1]
local current = redis.call('GET', prefix .. ':current')
local legacy = redis.call('GET', prefix .. ':epoch')
local known = {}
local out = {}
for i = 2, #ARGV, 2 do
  local epoch = ARGV[i + 1]
  local state = 0
  if redis.call('GET', prefix .. ':seen:' .. ARGV[i]) == epoch then
    state = known[epoch]
    if not state then
      if redis.call('EXISTS', prefix .. ':done:' .. epoch) == 1 then state = 2
      elseif epoch == current or epoch == legacy
        or redis.call('SISMEMBER', prefix .. ':flushes', epoch) == 1
        or redis.call('SISMEMBER', prefix .. ':flushings', epoch) == 1 then state = 1
      else state = 0 end
      known[epoch] = state
    end
  end
  out[#out + 1] = state
end
return out
"""

# The version before epoch tokens counted into ``pending`` under an integer ``epoch`` and
# flushed ``flushing:<n>`` (listed in ``flushings``) with templates in ``tmpl:<key>``. What it
# left (while it runs beside this one during a rolling upgrade, or after it stopped) becomes
# flushes of this version, so that its counts are sent and ``done:<n>`` reaches its waiters.
_ADOPT = """
local prefix = ARGV[1]
if redis.call('EXISTS', prefix .. ':pending') == 1 then
  local n = redis.call('GET', prefix .. ':epoch') or '0'
  redis.call('RENAME', prefix .. ':pending', prefix .. ':flushing:' .. n)
  redis.call('INCR', prefix .. ':epoch')
  redis.call('SADD', prefix .. ':flushings', n)
end
for _, n in ipairs(redis.call('SMEMBERS', prefix .. ':flushings')) do
  if redis.call('EXISTS', prefix .. ':lease:' .. n) == 0 then
    local hash = prefix .. ':flushing:' .. n
    if redis.call('EXISTS', hash) == 1 then
      for _, key in ipairs(redis.call('HKEYS', hash)) do
        local template = redis.call('GET', prefix .. ':tmpl:' .. key)
        if template then redis.call('HSET', prefix .. ':templates:' .. n, key, template) end
      end
      redis.call('RENAME', hash, prefix .. ':counts:' .. n)
      redis.call('SADD', prefix .. ':flushes', n)
    else
      redis.call('SET', prefix .. ':done:' .. n, 1, 'EX', tonumber(ARGV[2]))
    end
    redis.call('SREM', prefix .. ':flushings', n)
  end
end
return 0
"""

REFUSED = "-"
# The result of a count given up: this prefix, then why.
FAILED = "!"
# The result of a count incidents refused because its key was voided (settled as never
# counted, after Redis lost it): whoever still waits on it counts its alerts again.
VOIDED = "~"

Send = Callable[[OpenOrAttach], Awaitable[OpenOrAttachReply]]
Settle = Callable[[list[str]], Awaitable[CountsSettled]]
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(OpenOrAttach)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class Occurrence:
    """``count`` identical alerts for one coalescing ``key``."""

    key: str
    count: int
    request: OpenOrAttach
    # The trace of the alert (a traceparent; empty with tracing off): its count is sent to
    # incidents in that trace when it is the first counted for its key in a flush.
    trace: str = ""


Events = Sequence[tuple[str, Sequence[Occurrence]]]
"""Alerts to count: per event id, its occurrences."""


class _Void:
    """A count whose key was voided: its alerts are to be counted again."""


_VOID = _Void()


@dataclass(frozen=True)
class Result:
    incident_id: str
    created: bool
    # Why incidents never took this count (it was given up), else empty.
    error: str = ""


class Coalescer:
    """Pending counters in Redis, and the flusher that hands them to incidents."""

    def __init__(
        self,
        redis: aioredis.Redis,
        send: Send,
        *,
        prefix: str,
        seen_ttl: int = 86_400,
        lease_ms: int = 10_000,
        settle: Settle | None = None,
    ) -> None:
        self.redis = redis
        self.send = send
        # Without it, counts Redis lost are counted again even if incidents had them already.
        self.settle = settle
        # Event id → (its latest epoch, the results it had) of counts whose wait failed.
        self._attempts: OrderedDict[str, tuple[str, dict[str, Result | None]]] = OrderedDict()
        self.prefix = prefix
        self.seen_ttl = seen_ttl
        self.lease_ms = lease_ms
        self.owner = uuid.uuid4().hex
        self._add_script = redis.register_script(_ADD)
        self._take = redis.register_script(_TAKE)
        self._states_script = redis.register_script(_STATES)
        self._adopt = redis.register_script(_ADOPT)
        self._lock = asyncio.Lock()
        self._recovered_at = float("-inf")
        self._wake = asyncio.Event()
        self._flushed = asyncio.Event()

    def _k(self, *parts: object) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    async def count(
        self, events: Events, *, timeout: float = 30.0
    ) -> dict[str, dict[str, Result | None]]:
        """Count each event's occurrences once; return, once incidents committed them, what
        each event's keys became: the incident, or None where incidents refused the alert for
        good. An event whose count Redis lost meanwhile is settled with incidents and what
        incidents had not counted is counted again (see the module). Raises ``TimeoutError``
        if that takes longer than ``timeout`` (incidents away)."""
        # Per event, the occurrences whose result is not known yet, and what the others became.
        left = {event_id: list(found) for event_id, found in events}
        out: dict[str, dict[str, Result | None]] = {event_id: {} for event_id in left}
        epochs: dict[str, str] = {}
        # An event this process counted in an attempt that failed (Redis away, a timeout)
        # goes on from where that attempt stood: counting it afresh could count it twice.
        for e in left:
            if (earlier := self._attempts.pop(e, None)) is not None:
                epochs[e], done = earlier
                out[e].update(done)
                left[e] = [o for o in left[e] if o.key not in out[e]]
        fresh = {e: found for e, found in left.items() if e not in epochs}
        if fresh:
            epochs.update(await self._add(fresh, again={}))
        try:
            return await self._wait(left, out, epochs, timeout)
        except BaseException:
            for e, epoch in epochs.items():
                self._attempts[e] = (epoch, dict(out[e]))
            while len(self._attempts) > MAX_ATTEMPTS_KEPT:
                self._attempts.popitem(last=False)
            raise

    async def _wait(
        self,
        left: dict[str, list[Occurrence]],
        out: dict[str, dict[str, Result | None]],
        epochs: dict[str, str],
        timeout: float,
    ) -> dict[str, dict[str, Result | None]]:
        """Until every event's occurrences have a result: settle what Redis lost, count again
        what incidents never counted (``epochs`` follows each event's latest epoch)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            waiting = {e: epochs[e] for e, occurrences in left.items() if occurrences}
            if not waiting:
                return out
            states = await self._states(waiting)
            lost = {e for e, state in states.items() if state == 0}
            again: dict[str, list[Occurrence]] = {}
            if not lost and all(state == 2 for state in states.values()):
                results = await self._results(waiting, left)
                for e, epoch in waiting.items():
                    for o in left[e]:
                        if (epoch, o.key) not in results:
                            lost.add(e)  # its result went with Redis's data
                            continue
                        result = results[epoch, o.key]
                        if isinstance(result, _Void):
                            again.setdefault(e, []).append(o)
                        else:
                            out[e][o.key] = result
                    left[e] = [o for o in left[e] if o.key not in out[e]]
            if lost:
                for e in lost:
                    again.pop(e, None)  # settled below, voided keys included
                log.warning("Redis lost alert counts; settling them", events=len(lost))
                settled = await self._settled({e: epochs[e] for e in lost}, left, out)
                if settled is None:
                    await asyncio.sleep(0.5)  # incidents away: ask again in a moment
                else:
                    for e, occurrences in settled.items():
                        again.setdefault(e, []).extend(occurrences)
            if again:
                RECOUNTED.inc(len(again))
                lost_from = {e: epochs[e] for e in again}
                epochs.update(await self._add(again, again=lost_from))
            if loop.time() > deadline:
                raise TimeoutError(f"alert counts not committed within {timeout}s")
            self._wake.set()
            self._flushed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flushed.wait(), timeout=0.05)

    async def _settled(
        self,
        epochs: Mapping[str, str],
        left: dict[str, list[Occurrence]],
        out: dict[str, dict[str, Result | None]],
    ) -> dict[str, list[Occurrence]] | None:
        """Settle the lost events' keys with incidents: what it counted goes to ``out`` (and
        leaves ``left``); answers, per event, the occurrences to count again (None when
        incidents could not answer). Without ``settle``, all of them."""
        if self.settle is None:
            return {e: list(left[e]) for e in epochs}
        keys = sorted({f"{epoch}:{o.key}" for e, epoch in epochs.items() for o in left[e]})
        counted: dict[str, OpenOrAttachReply] = {}
        try:
            for i in range(0, len(keys), 1000):
                counted.update((await self.settle(keys[i : i + 1000])).counted)
        except Exception as exc:
            log.warning("could not settle lost alert counts, will retry", error=repr(exc))
            return None
        again: dict[str, list[Occurrence]] = {}
        for e, epoch in epochs.items():
            for o in left[e]:
                reply = counted.get(f"{epoch}:{o.key}")
                if reply is None:
                    again.setdefault(e, []).append(o)
                else:
                    out[e][o.key] = Result(reply.incident.id, reply.created)
            left[e] = [o for o in left[e] if o.key not in out[e]]
        return again

    async def _add(
        self, occurrences: Mapping[str, Sequence[Occurrence]], *, again: Mapping[str, str]
    ) -> dict[str, str]:
        """Count each event unless already counted; ``again[event]`` names the epoch it was
        lost from, to count it again unless someone did already (it is then in another)."""
        args: list[str | int | bytes] = [self.prefix, self.seen_ttl, secrets.token_hex(8)]
        for event_id, found in occurrences.items():
            args += [event_id, again.get(event_id, ""), len(found)]
            for o in found:
                args += [o.key, o.count, _encoder.encode(o.request), o.trace]
        epochs = await self._add_script(args=args)
        self._wake.set()
        return {e: _text(epoch) for e, epoch in zip(occurrences, epochs, strict=True)}

    async def _states(self, epochs: Mapping[str, str]) -> dict[str, int]:
        args: list[str] = [self.prefix]
        for event_id, epoch in epochs.items():
            args += [event_id, epoch]
        states = await self._states_script(args=args)
        return {e: int(s) for e, s in zip(epochs, states, strict=True)}

    async def _results(
        self, epochs: Mapping[str, str], left: Mapping[str, Sequence[Occurrence]]
    ) -> dict[tuple[str, str], Result | _Void | None]:
        """What each (epoch, key) of the waiting events became: a result, or ``_VOID``;
        absent when Redis lost it."""
        pairs = sorted({(epochs[e], o.key) for e in epochs for o in left[e]})
        values = await self.redis.mget([self._k("result", epoch, key) for epoch, key in pairs])
        by_pair: dict[tuple[str, str], Result | _Void | None] = {}
        for pair, value in zip(pairs, values, strict=True):
            if value is None:
                continue
            text = _text(value)
            if text == VOIDED:
                by_pair[pair] = _VOID
            elif text.startswith(FAILED):
                by_pair[pair] = Result("", False, error=text.removeprefix(FAILED))
            else:
                incident_id, _, created = text.partition("|")
                by_pair[pair] = (
                    None if incident_id == REFUSED else Result(incident_id, created == "1")
                )
        return by_pair

    async def flush_now(self) -> None:
        """Take every pending counter and send it; also finish flushes a dead flusher left."""
        async with self._lock:
            epoch = await self._take(args=[self.prefix, self.owner, self.lease_ms])
            if epoch is not None:
                await self._flush(_text(epoch))
            # Flushes a dead flusher left are looked for every few seconds (a lease outlives
            # that anyway), not on every flush.
            now = asyncio.get_running_loop().time()
            if now - self._recovered_at >= RECOVER_EVERY_SECONDS:
                self._recovered_at = now
                await self._recover()
        self._flushed.set()

    async def list_unlisted_flushes(self) -> None:
        """List the flushes that a version older still, which did not list them, may have left
        (once, at start, beside the flusher: this is the one scan of the keyspace)."""
        async for name in self.redis.scan_iter(match=self._k("flushing", "*"), count=1000):
            await self.redis.sadd(self._k("flushings"), _text(name).rsplit(":", 1)[1])

    async def run(self, stopping: asyncio.Event) -> None:
        """The flusher loop: flush as soon as something is pending (group commit)."""
        listing = asyncio.create_task(self.list_unlisted_flushes())
        try:
            await self._flush_while(stopping)
        finally:
            listing.cancel()

    async def _flush_while(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.5)
            self._wake.clear()
            try:
                await self.flush_now()
            except Exception as exc:
                log.warning("storm flush failed, will retry", error=repr(exc))
                await asyncio.sleep(0.2)

    async def _recover(self) -> None:
        """Finish the flushes whose flusher died (their lease expired), found in the set that
        lists the flushes in progress: no scan of the keyspace on this path (it walks every key
        of the Redis, millions under load, and held up every flush for most of a second)."""
        await self._adopt(args=[self.prefix, self.seen_ttl])
        epochs = sorted(_text(e) for e in await self.redis.smembers(self._k("flushes")))
        for epoch in epochs:
            got = await self.redis.set(
                self._k("lease", epoch), self.owner, nx=True, px=self.lease_ms
            )
            if got:
                log.info("finishing a flush left behind", epoch=epoch)
                await self._flush(epoch)

    async def _flush(self, epoch: str) -> None:
        counts_key = self._k("counts", epoch)
        counts = {_text(k): int(v) for k, v in (await self.redis.hgetall(counts_key)).items()}
        if counts:
            templates = await self.redis.hmget(self._k("templates", epoch), list(counts))
            traces = await self._traces(epoch)
            carriers = [{TRACEPARENT: t} for t in traces.values()]
            with batch_span("ingest", "storm flush", carriers, SpanKind.INTERNAL) as flush:
                flush.set_attributes(
                    {"imas.keys": len(counts), "imas.alerts": sum(counts.values())}
                )
                await asyncio.gather(
                    *(
                        self._send_traced(epoch, key, count, template, traces.get(key, ""))
                        for (key, count), template in zip(counts.items(), templates, strict=True)
                    )
                )
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._k("done", epoch), 1, ex=self.seen_ttl)
        pipe.delete(
            counts_key,
            self._k("templates", epoch),
            self._k("traces", epoch),
            self._k("lease", epoch),
        )
        pipe.srem(self._k("flushes"), epoch)
        await pipe.execute()

    async def _traces(self, epoch: str) -> dict[str, str]:
        """The trace of each key's first alert in ``epoch`` (none with tracing off)."""
        if not tracing_active():
            return {}
        found = await self.redis.hgetall(self._k("traces", epoch))
        return {_text(k): _text(v) for k, v in found.items()}

    async def _send_traced(
        self, epoch: str, key: str, count: int, template: bytes | str | None, trace: str
    ) -> None:
        """Send a key's count in the trace of the first alert counted for it: the incident it
        opens, and its pages, belong to that alert's trace."""
        with span_in("ingest", "count alerts", trace) as current:
            current.set_attribute("imas.count", count)
            await self._send_one(epoch, key, count, template)

    async def _send_one(
        self, epoch: str, key: str, count: int, template: bytes | str | None
    ) -> None:
        counts_key = self._k("counts", epoch)
        if template is None:
            # Only a partial loss of Redis data gets here: with no result recorded, the
            # waiting consumers count these alerts again.
            log.error("storm template missing; its alerts will be counted again", key=key)
            await self.redis.hdel(counts_key, key)
            return
        request = msgspec.structs.replace(
            _decoder.decode(template), occurrences=count, idempotency_key=f"{epoch}:{key}"
        )
        delay, failures = 0.1, 0
        while True:
            try:
                reply = await self.send(request)
                value = f"{reply.incident.id}|{int(reply.created)}"
                break
            except RequestFailed as exc:
                if exc.code == "invalid":
                    # Can never succeed: recorded as refused rather than hold every later alert.
                    log.error("open-or-attach refused; alerts ignored", key=key, error=exc.message)
                    value = REFUSED
                    break
                if exc.code == "conflict":
                    # Voided by a consumer that found this epoch lost: counted again elsewhere.
                    log.warning("storm count voided; its alerts are counted again", key=key)
                    value = VOIDED
                    break
                failures += exc.code != "unavailable"
                if failures >= SEND_ATTEMPTS:
                    # Incidents fails on this one (a bug, a refused write) while it answers the
                    # others: given up, so the rest of the epoch is not held behind it.
                    log.error("open-or-attach keeps failing; given up", key=key, error=exc.message)
                    value = f"{FAILED}{exc.message}"
                    break
                error: Exception = exc
            except Exception as exc:
                error = exc
            # Keep the lease while incidents is away, so nobody else sends this count.
            await self.redis.pexpire(self._k("lease", epoch), self.lease_ms)
            log.warning("open-or-attach failed, will retry", key=key, error=repr(error))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._k("result", epoch, key), value, ex=self.seen_ttl)
        pipe.hdel(counts_key, key)
        await pipe.execute()
