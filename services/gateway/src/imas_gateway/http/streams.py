"""What every live stream (server-sent events) shares: a cap on the streams each identity holds
open, the caller's credentials checked again every few seconds, and the loop that turns core
NATS messages into frames.

Open streams are counted in Redis (one sorted set per identity, shared by every gateway): each
stream is a member whose score is when it lapses unless renewed; each check renews it, so the
slot of a stream whose gateway died frees itself within three checks.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import redis.asyncio as aioredis
from nats.aio.msg import Msg

from imas_gateway.auth.guard import recheck
from imas_gateway.domain import Principal
from imas_gateway.http.problems import RateLimited
from imas_gateway.http.request import Request
from imas_runtime.logs import get_logger

log = get_logger(__name__)

KEEP_ALIVE_SECONDS = 15.0
_KEY = "imas:gateway:streams:"
# KEYS[1] the identity's streams; ARGV: now, lapse time, cap, stream id.
# Drops lapsed streams, then adds this one unless the cap is reached; 1 when added.
_OPEN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
return 1
"""


@dataclass
class StreamSlots:
    """At most ``per_identity`` open streams per identity; ``recheck_seconds`` between the
    checks of a stream's credentials."""

    redis: aioredis.Redis
    per_identity: int
    recheck_seconds: float

    def __post_init__(self) -> None:
        self._open = self.redis.register_script(_OPEN)

    @property
    def lapse_seconds(self) -> float:
        return 3 * self.recheck_seconds

    async def take(self, identity: str) -> str:
        """A slot for a new stream of ``identity`` (its id), or 429 when all are taken."""
        stream_id = secrets.token_urlsafe(12)
        now = time.time()
        added = await self._open(
            keys=[_KEY + identity],
            args=[repr(now), repr(now + self.lapse_seconds), self.per_identity, stream_id],
        )
        if not int(added):
            raise RateLimited(
                f"at most {self.per_identity} live streams at once: close one first",
                {"Retry-After": str(max(1, round(self.recheck_seconds)))},
            )
        return stream_id

    async def renew(self, identity: str, stream_id: str) -> None:
        await self.redis.zadd(_KEY + identity, {stream_id: time.time() + self.lapse_seconds})
        await self.redis.expire(_KEY + identity, max(1, round(self.lapse_seconds)))

    async def give_back(self, identity: str, stream_id: str) -> None:
        await self.redis.zrem(_KEY + identity, stream_id)


async def live_stream(
    request: Request,
    principal: Principal,
    decoders: dict[str, msgspec.json.Decoder[Any]],
    frame: Callable[[Any], bytes],
    subscribed: bytes,
) -> AsyncIterator[bytes]:
    """A stream's frames: ``subscribed`` once the subscriptions to ``decoders``' subjects are
    in place, then ``frame(event)`` for each message, a keep-alive comment after 15 quiet
    seconds. Takes a slot of the caller's (429 when none is left, before anything is sent)
    and checks the caller's credentials every ``recheck_seconds``: the stream ends when they
    no longer work (token revoked, session ended, user deleted or disabled...)."""
    slots = request.gateway.stream_slots
    identity = principal.actor_id
    stream_id = await slots.take(identity)
    return _frames(request, slots, identity, stream_id, decoders, frame, subscribed)


async def _frames(
    request: Request,
    slots: StreamSlots,
    identity: str,
    stream_id: str,
    decoders: dict[str, msgspec.json.Decoder[Any]],
    frame: Callable[[Any], bytes],
    subscribed: bytes,
) -> AsyncIterator[bytes]:
    nc = request.gateway.mesh.bus.nc
    queue: asyncio.Queue[Msg] = asyncio.Queue(maxsize=1000)

    async def deliver(msg: Msg) -> None:
        # A client too slow to keep up loses events rather than the gateway's memory.
        if not queue.full():
            queue.put_nowait(msg)

    loop = asyncio.get_running_loop()
    subscriptions = []
    try:
        subscriptions = [await nc.subscribe(subject, cb=deliver) for subject in decoders]
        # Once the server has our subscriptions, the client misses nothing from now on.
        await nc.flush()
        yield subscribed
        next_check = loop.time() + slots.recheck_seconds
        quiet_since = loop.time()
        while True:
            if loop.time() >= next_check:
                if await recheck(request) is None:
                    return
                await slots.renew(identity, stream_id)
                next_check = loop.time() + slots.recheck_seconds
            wait = min(next_check, quiet_since + KEEP_ALIVE_SECONDS) - loop.time()
            try:
                msg = await asyncio.wait_for(queue.get(), max(0.0, wait))
            except TimeoutError:
                if loop.time() >= quiet_since + KEEP_ALIVE_SECONDS:
                    quiet_since = loop.time()
                    yield b": keep-alive\n\n"
                continue
            try:
                event = decoders[msg.subject].decode(msg.data)
            except msgspec.DecodeError:
                continue  # not a message this version understands; the stream goes on
            quiet_since = loop.time()
            yield frame(event)
    finally:
        # Runs when the client disconnects (the generator is closed or cancelled) too.
        for subscription in subscriptions:
            await subscription.unsubscribe()
        try:
            await slots.give_back(identity, stream_id)
        except Exception:
            log.warning("stream slot not given back; it lapses on its own", exc_info=True)
