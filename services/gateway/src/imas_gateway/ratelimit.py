"""Rate limits shared by every gateway process: one token bucket per key, kept in Redis.

The bucket is read, refilled and spent by one Lua script, so concurrent requests on several
gateways never spend the same token twice. The clock is passed in (seconds) rather than read
in Redis, so tests can drive time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis

# KEYS[1] the bucket; ARGV: capacity, refill per second, now (seconds), cost.
# Returns {allowed, tokens left (floor), milliseconds until one token, ms until full}.
_TOKEN_BUCKET = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
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
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
local full_ms = math.ceil((capacity - tokens) / rate * 1000)
redis.call('PEXPIRE', KEYS[1], full_ms + 1000)
local wait_ms = 0
if allowed == 0 then
  wait_ms = math.ceil((cost - tokens) / rate * 1000)
end
return {allowed, math.floor(tokens), wait_ms, full_ms}
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

    async def hit(self, key: str, limit: Limit) -> Verdict:
        """Spend one request of ``key``'s bucket; the verdict says whether it was allowed."""
        allowed, remaining, wait_ms, full_ms = await self._script(
            keys=[self.prefix + key],
            args=[limit.capacity, limit.per_second, repr(self.clock()), 1],
        )
        return Verdict(
            allowed=bool(allowed),
            limit=limit.capacity,
            remaining=int(remaining),
            retry_after=max(1, math.ceil(int(wait_ms) / 1000)) if not allowed else 0,
            reset=math.ceil(int(full_ms) / 1000),
        )
