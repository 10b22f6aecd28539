"""Storm coalescing: identical alerts become one open-or-attach carrying their count.

Redis holds, per coalescing key (service + dedup key), a pending-occurrence counter and the
open-or-attach to send; a flusher takes every pending counter at once and sends each key's
count to incidents, where ``alert_count`` (PostgreSQL) is the truth. 10,000 identical alerts
cost a few dozen row updates, not 10,000.

Where the acknowledgement happens, and why nothing is lost:

1. The consumer adds a message's occurrences with :meth:`Coalescer.add`: one Lua script marks
   the event as counted (``seen:<event_id>`` remembers the *epoch* its count went into) and
   bumps the pending counters, atomically. A redelivered event adds nothing and gets the
   epoch of its first count.
2. The flusher renames the pending hash to ``flushing:<epoch>`` and bumps the epoch (atomic),
   sends each key's count, then marks ``done:<epoch>``. A flusher that dies leaves
   ``flushing:<epoch>`` behind without a lease; another flusher picks it up.
3. The consumer acknowledges the JetStream message only once ``done:<epoch>`` is set, i.e.
   once incidents committed the count. Until then the raw payload stays in JetStream, so a
   kill at any point loses nothing: before step 1 the message is redelivered and counted;
   after it, Redis still has the count and the redelivery only waits for it.

The one duplicate window: a flusher killed after incidents committed a key's count but before
it removed that key from ``flushing:<epoch>`` sends that count again (at-least-once).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import msgspec
import redis.asyncio as aioredis

from imas_contracts.incidents import OpenOrAttach, OpenOrAttachReply
from imas_runtime.errors import RequestFailed
from imas_runtime.logs import get_logger

log = get_logger(__name__)

RECOVER_EVERY_SECONDS = 5.0

_ADD = """
local prefix = ARGV[1]
local ttl = tonumber(ARGV[2])
local epoch = tonumber(redis.call('GET', prefix .. ':epoch') or '0')
local out = {}
local i = 3
while i <= #ARGV do
  local id = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  i = i + 2
  local prev = redis.call('GET', prefix .. ':seen:' .. id)
  if prev then
    out[#out + 1] = tonumber(prev)
  else
    for j = 1, n do
      redis.call('HINCRBY', prefix .. ':pending', ARGV[i], tonumber(ARGV[i + 1]))
      redis.call('SET', prefix .. ':tmpl:' .. ARGV[i], ARGV[i + 2], 'EX', 86400)
      i = i + 3
    end
    redis.call('SET', prefix .. ':seen:' .. id, epoch, 'EX', ttl)
    out[#out + 1] = epoch
  end
  if prev then i = i + 3 * n end
end
return out
"""

_TAKE = """
local prefix = ARGV[1]
if redis.call('EXISTS', prefix .. ':pending') == 0 then return -1 end
local e = tonumber(redis.call('GET', prefix .. ':epoch') or '0')
redis.call('RENAME', prefix .. ':pending', prefix .. ':flushing:' .. e)
redis.call('SET', prefix .. ':lease:' .. e, ARGV[2], 'PX', tonumber(ARGV[3]))
redis.call('SADD', prefix .. ':flushings', e)
redis.call('INCR', prefix .. ':epoch')
return e
"""

Send = Callable[[OpenOrAttach], Awaitable[OpenOrAttachReply]]
_encoder = msgspec.json.Encoder()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


_decoder = msgspec.json.Decoder(OpenOrAttach)


@dataclass(frozen=True)
class Occurrence:
    """``count`` identical alerts for one coalescing ``key``."""

    key: str
    count: int
    request: OpenOrAttach


@dataclass(frozen=True)
class Result:
    incident_id: str
    created: bool


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
    ) -> None:
        self.redis = redis
        self.send = send
        self.prefix = prefix
        self.seen_ttl = seen_ttl
        self.lease_ms = lease_ms
        self.owner = uuid.uuid4().hex
        self._add = redis.register_script(_ADD)
        self._take = redis.register_script(_TAKE)
        self._lock = asyncio.Lock()
        self._recovered_at = float("-inf")
        self._wake = asyncio.Event()
        self._flushed = asyncio.Event()

    def _k(self, *parts: object) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    async def add(self, events: Sequence[tuple[str, Sequence[Occurrence]]]) -> list[int]:
        """Count each event's occurrences once; answer the epoch each event's count is in."""
        args: list[str | int | bytes] = [self.prefix, self.seen_ttl]
        for event_id, occurrences in events:
            args += [event_id, len(occurrences)]
            for o in occurrences:
                args += [o.key, o.count, _encoder.encode(o.request)]
        epochs = await self._add(args=args)
        self._wake.set()
        return [int(e) for e in epochs]

    async def wait_done(self, epochs: set[int], *, timeout: float = 30.0) -> None:
        """Return once every epoch in ``epochs`` was flushed to incidents."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        waiting = sorted(epochs)
        while waiting:
            flags = await self.redis.mget([self._k("done", e) for e in waiting])
            waiting = [e for e, flag in zip(waiting, flags, strict=True) if flag is None]
            if not waiting:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"epochs {waiting} not flushed within {timeout}s")
            self._wake.set()
            self._flushed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flushed.wait(), timeout=0.05)

    async def results(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Result]:
        """What each (epoch, key) became: the incident and whether it was created."""
        ordered = sorted(pairs)
        values = await self.redis.mget([self._k("result", e, k) for e, k in ordered])
        out: dict[tuple[int, str], Result] = {}
        for pair, value in zip(ordered, values, strict=True):
            if value:
                incident_id, _, created = _text(value).partition("|")
                out[pair] = Result(incident_id=incident_id, created=created == "1")
        return out

    async def open_incident(self, key: str) -> str | None:
        """The open incident that a key's alerts attach to, as last answered by incidents."""
        value = await self.redis.get(self._k("open", key))
        return _text(value) if value else None

    async def forget_open(self, key: str) -> None:
        await self.redis.delete(self._k("open", key))

    async def flush_now(self) -> None:
        """Take every pending counter and send it; also finish flushes a dead flusher left."""
        async with self._lock:
            epoch = int(await self._take(args=[self.prefix, self.owner, self.lease_ms]))
            if epoch >= 0:
                await self._flush(epoch)
            # Flushes a dead flusher left are looked for every few seconds (a lease outlives
            # that anyway), not on every flush.
            now = asyncio.get_running_loop().time()
            if now - self._recovered_at >= RECOVER_EVERY_SECONDS:
                self._recovered_at = now
                await self._recover()
        self._flushed.set()

    async def list_unlisted_flushes(self) -> None:
        """List the flushes a version that did not list them may have left (once, at start,
        beside the flusher: this is the one scan of the keyspace)."""
        async for name in self.redis.scan_iter(match=self._k("flushing", "*"), count=1000):
            await self.redis.sadd(self._k("flushings"), int(_text(name).rsplit(":", 1)[1]))

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
        epochs = {int(_text(e)) for e in await self.redis.smembers(self._k("flushings"))}
        for epoch in sorted(epochs):
            if not await self.redis.exists(self._k("flushing", epoch)):
                await self.redis.srem(self._k("flushings"), epoch)
                continue
            got = await self.redis.set(
                self._k("lease", epoch), self.owner, nx=True, px=self.lease_ms
            )
            if got:
                log.info("finishing a flush left behind", epoch=epoch)
                await self._flush(epoch)

    async def _flush(self, epoch: int) -> None:
        hash_key = self._k("flushing", epoch)
        counts = {_text(k): int(v) for k, v in (await self.redis.hgetall(hash_key)).items()}
        if counts:
            templates = await self.redis.mget([self._k("tmpl", k) for k in counts])
            await asyncio.gather(
                *(
                    self._send_one(epoch, hash_key, key, count, template)
                    for (key, count), template in zip(counts.items(), templates, strict=True)
                )
            )
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._k("done", epoch), 1, ex=self.seen_ttl)
        pipe.delete(hash_key, self._k("lease", epoch))
        pipe.srem(self._k("flushings"), epoch)
        await pipe.execute()

    async def _send_one(
        self, epoch: int, hash_key: str, key: str, count: int, template: bytes | str | None
    ) -> None:
        if template is None:
            log.error("storm template missing; count dropped", key=key, count=count)
            await self.redis.hdel(hash_key, key)
            return
        request = msgspec.structs.replace(_decoder.decode(template), occurrences=count)
        delay = 0.1
        while True:
            try:
                reply = await self.send(request)
                break
            except RequestFailed as exc:
                if exc.code != "invalid":
                    raise
                # Can never succeed: drop it rather than hold every later alert behind it.
                log.error("open-or-attach refused; alerts ignored", key=key, error=exc.message)
                await self.redis.hdel(hash_key, key)
                return
            except Exception as exc:
                # Keep the lease while incidents is away, so nobody else sends this count.
                await self.redis.pexpire(self._k("lease", epoch), self.lease_ms)
                log.warning("open-or-attach failed, will retry", key=key, error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        pipe = self.redis.pipeline(transaction=True)
        value = f"{reply.incident.id}|{int(reply.created)}"
        pipe.set(self._k("result", epoch, key), value, ex=self.seen_ttl)
        pipe.set(self._k("open", key), reply.incident.id, ex=self.seen_ttl)
        pipe.hdel(hash_key, key)
        await pipe.execute()
