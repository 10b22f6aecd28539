"""Rate limits shared by every gateway process: one token bucket per key, kept in Redis.

The bucket is read, refilled and spent by one Lua script, so concurrent requests on several
gateways never spend the same token twice. The clock is passed in (seconds) rather than read
in Redis, so tests can drive time.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

# KEYS[1] the bucket; ARGV: capacity, refill per second, now (seconds), requests.
# Grants as many of the requests as there are whole tokens.
# Returns {granted, tokens left (floor), ms until one more token, ms until full}.
_TOKEN_BUCKET = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local requests = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  at = now
end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * rate)
  at = now
end
local granted = math.min(requests, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
local full_ms = math.ceil((capacity - tokens) / rate * 1000)
redis.call('PEXPIRE', KEYS[1], full_ms + 1000)
local wait_ms = 0
if granted < requests then
  wait_ms = math.ceil((1 - tokens) / rate * 1000)
end
return {granted, math.floor(tokens), wait_ms, full_ms}
"""


# KEYS[1] the bucket; ARGV: capacity. One request given back, never above the capacity.
_GIVE_BACK = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens == nil then
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tokens + 1)))
return 1
"""


@dataclass(frozen=True)
class Limit:
    """``capacity`` requests at once, refilled at ``per_second``."""

    capacity: int
    per_second: float

    @classmethod
    def per_window(cls, requests: int, window_seconds: float) -> Limit:
        """``requests`` per ``window_seconds``: the whole window's worth may come at once."""
        return cls(capacity=max(1, requests), per_second=max(requests, 1) / window_seconds)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds, at least 1 when refused
    reset: int  # seconds until the bucket is full again

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """Token buckets in Redis, spent in batches.

    While one script call for a key is on its way, the requests that arrive for the same key
    wait and are spent together by the next call: under load one round trip serves many
    requests, and since the script grants only whole tokens nothing is ever over-granted.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        clock: Callable[[], float] = time.time,
        prefix: str = "imas:ratelimit:",
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.prefix = prefix
        self._script = redis.register_script(_TOKEN_BUCKET)
        self._give_back = redis.register_script(_GIVE_BACK)
        self._waiting: dict[str, list[asyncio.Future[Verdict]]] = {}
        self._limits: dict[str, Limit] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def hit(self, key: str, limit: Limit) -> Verdict:
        """Spend one request of ``key``'s bucket; the verdict says whether it was allowed."""
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        self._limits[key] = limit
        if key in self._waiting:
            self._waiting[key].append(future)
        else:
            self._waiting[key] = [future]
            task = asyncio.get_running_loop().create_task(self._spend_batches(key))
            self._tasks.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self._tasks.discard)
        return await future

    async def give_back(self, key: str, limit: Limit) -> None:
        """Return one request spent from ``key``'s bucket (it turned out not to count)."""
        await self._give_back(keys=[self.prefix + key], args=[limit.capacity])

    async def _spend_batches(self, key: str) -> None:
        """Spend what waits for ``key``, batch after batch, until nothing does."""
        try:
            while batch := self._waiting.get(key):
                self._waiting[key] = []
                try:
                    verdicts = await self._spend(key, self._limits[key], len(batch))
                except Exception as exc:
                    for future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for future, verdict in zip(batch, verdicts, strict=True):
                    if not future.done():
                        future.set_result(verdict)
        finally:
            self._waiting.pop(key, None)
            self._limits.pop(key, None)

    async def _spend(self, key: str, limit: Limit, requests: int) -> list[Verdict]:
        granted, left, wait_ms, full_ms = await self._script(
            keys=[self.prefix + key],
            args=[limit.capacity, limit.per_second, repr(self.clock()), requests],
        )
        granted, left = int(granted), int(left)
        reset = math.ceil(int(full_ms) / 1000)
        retry_after = max(1, math.ceil(int(wait_ms) / 1000))
        return [
            Verdict(
                allowed=i < granted,
                limit=limit.capacity,
                # The first granted request sees the most tokens left, as if served one by one.
                remaining=left + max(0, granted - 1 - i),
                retry_after=0 if i < granted else retry_after,
                reset=reset,
            )
            for i in range(requests)
        ]
