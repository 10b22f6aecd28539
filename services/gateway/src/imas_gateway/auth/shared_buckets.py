"""Rate limits held in the gateway's memory and kept in step across replicas through NATS.

A request spends a token of its bucket here, in the process, without any round trip: a webhook
or an API call costs no Redis call for its limit, and a Redis that refuses writes or is away
never turns a request into a 5xx. Each gateway tells the others (:class:`LimitsSpent`, core
NATS) what it spent a few times a second, and takes what they spent out of its own buckets, so
that a limit holds for all the gateways together.

How close it holds: each gateway may grant, before it hears of the others' spending, what they
spent during one sync interval (0.1 s) — and a message lost while NATS is away lets that much
more through, once. While NATS is away each gateway holds the whole limit on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
from nats.aio.msg import Msg

from imas_contracts import new_event_id, utcnow
from imas_contracts.gateway import LimitsSpent
from imas_gateway.auth.ratelimit import Limit, Verdict
from imas_runtime.bus import Bus, encode
from imas_runtime.logs import get_logger

log = get_logger(__name__)

SYNC_SECONDS = 0.1
# Buckets unused this long are dropped (they would be full again by then for any sane limit;
# one that is not yet full is kept until it is).
IDLE_SECONDS = 600.0


@dataclass
class _Bucket:
    tokens: float
    at: float
    limit: Limit | None


class SharedBuckets:
    """Token buckets by key (``integration:<id>``, ``token:<id>``...), refilled continuously.

    ``hit`` is synchronous and never fails; :meth:`run` keeps the replicas in step."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, gateway: str | None = None
    ) -> None:
        self.clock = clock
        self.gateway = gateway or uuid.uuid4().hex
        self._buckets: dict[str, _Bucket] = {}
        self._spent: dict[str, int] = {}
        self._decoder = msgspec.json.Decoder(LimitsSpent)
        self._swept_at = clock()
        # Set once this gateway hears the others.
        self.listening = asyncio.Event()

    def hit(self, key: str, limit: Limit) -> Verdict:
        """Spend one request of ``key``'s bucket; the verdict says whether it was allowed."""
        now = self.clock()
        bucket = self._refilled(key, limit, now)
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= 1
            self._spent[key] = self._spent.get(key, 0) + 1
        rate = limit.per_second
        missing = limit.capacity - bucket.tokens
        return Verdict(
            allowed=allowed,
            limit=limit.capacity,
            remaining=max(0, math.floor(bucket.tokens)),
            retry_after=0 if allowed else max(1, math.ceil((1 - bucket.tokens) / rate)),
            reset=math.ceil(missing / rate) if missing > 0 else 0,
        )

    def remaining(self, key: str, limit: Limit) -> int:
        """How many requests ``key`` may make now (nothing spent)."""
        return max(0, math.floor(self._refilled(key, limit, self.clock()).tokens))

    def _refilled(self, key: str, limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(limit.capacity), now, limit)
        elif bucket.limit is None:
            # The others spent from it before this gateway did: it starts full, less that.
            bucket.tokens += limit.capacity
        if bucket.limit != limit:
            bucket.limit = limit
            bucket.tokens = min(bucket.tokens, float(limit.capacity))
        if now > bucket.at:
            bucket.tokens = min(
                limit.capacity, bucket.tokens + (now - bucket.at) * limit.per_second
            )
            bucket.at = now
        return bucket

    def heard(self, spending: LimitsSpent) -> None:
        """Take another gateway's spending out of the buckets here (never below one burst
        of debt: what a gateway may owe is bounded)."""
        if spending.gateway == self.gateway:
            return
        now = self.clock()
        for key, count in spending.spent.items():
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(0.0, now, None)
            elif bucket.limit is not None:
                bucket = self._refilled(key, bucket.limit, now)
            floor = -float(bucket.limit.capacity) if bucket.limit is not None else -math.inf
            bucket.tokens = max(floor, bucket.tokens - count)

    def take_spent(self) -> dict[str, int]:
        """What this gateway spent since the last call (and forget it)."""
        spent, self._spent = self._spent, {}
        return spent

    def sweep(self) -> None:
        """Drop the buckets that are full again and unused for a while."""
        now = self.clock()
        if now - self._swept_at < IDLE_SECONDS:
            return
        self._swept_at = now
        for key, bucket in list(self._buckets.items()):
            if now - bucket.at < IDLE_SECONDS:
                continue
            limit = bucket.limit
            if limit is None or bucket.tokens + (now - bucket.at) * limit.per_second >= (
                limit.capacity
            ):
                del self._buckets[key]

    async def run(self, bus: Bus, stopping: asyncio.Event) -> None:
        """Hear the other gateways, and tell them what this one spends, until ``stopping``."""

        async def on_message(msg: Msg) -> None:
            try:
                self.heard(self._decoder.decode(msg.data))
            except msgspec.DecodeError:
                return

        subscription = await bus.nc.subscribe(LimitsSpent.type_name(), cb=on_message)
        await bus.nc.flush()
        self.listening.set()
        try:
            while not stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=SYNC_SECONDS)
                await self._tell(bus)
                self.sweep()
        finally:
            self.listening.clear()
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _tell(self, bus: Bus) -> None:
        spent = self.take_spent()
        if not spent:
            return
        message = LimitsSpent(
            event_id=new_event_id(), occurred_at=utcnow(), gateway=self.gateway, spent=spent
        )
        try:
            await bus.nc.publish(LimitsSpent.type_name(), encode(message))
        except Exception as exc:
            # NATS away: the others do not hear of this spending; each holds the limit alone.
            log.warning("rate limit spending not shared", error=repr(exc))
