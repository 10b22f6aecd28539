"""Password guessing, slowed: at most ``failures`` failed sign-ins per client address and per
username in a window, then 429 with ``Retry-After``, on every way in with a password or a
provider (the login form, ``/api/token/obtain/``, the single sign-on callback).

Each attempt spends one request of two token buckets in Redis (shared by every gateway): its
client address's and its username's. The spend comes first, before the password is checked,
so that a burst of parallel guesses cannot all pass a check made before any of them failed; a
sign-in that succeeds gives both back. A refused attempt costs no password check at all.

The client address is the peer's, unless the peer is a trusted proxy (a load balancer, an
ingress controller): then it is the nearest address in ``X-Forwarded-For`` that is not one.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from imas_gateway.auth.ratelimit import Limit, RateLimiter
from imas_gateway.http.problems import RateLimited

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: str) -> tuple[Network, ...]:
    """Comma-separated CIDRs as networks (``ValueError`` naming a bad one)."""
    found = []
    for cidr in cidrs.split(","):
        if cidr.strip():
            try:
                found.append(ipaddress.ip_network(cidr.strip(), strict=False))
            except ValueError:
                raise ValueError(f"GATEWAY_TRUSTED_PROXIES: {cidr.strip()!r} is no CIDR") from None
    return tuple(found)


def client_address(peer: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """Who is calling: ``peer``, unless it is a trusted proxy; then, from the right of
    ``X-Forwarded-For`` (each proxy appends who called it), the first address that is not a
    trusted proxy. Everything to its left was written by the client and proves nothing."""
    hops = [peer, *reversed([h.strip() for h in forwarded_for.split(",") if h.strip()])]
    for hop in hops:
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return hop[:64]
        if not any(address in network for network in trusted):
            return str(address)
    return hops[-1]


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt that spent its buckets; :meth:`SignInThrottle.succeeded` gives them
    back."""

    keys: tuple[str, ...]


class SignInThrottle:
    """Failed sign-ins per client address and per username (see the module)."""

    def __init__(
        self,
        limiter: RateLimiter,
        *,
        failures: int,
        window_seconds: float,
        trusted_proxies: Sequence[Network],
        namespace: str,
    ) -> None:
        self.limiter = limiter
        self.limit = Limit.per_window(failures, window_seconds)
        self.trusted_proxies = tuple(trusted_proxies)
        # Several IMAS installations (or test gateways) may share one Redis.
        self.namespace = namespace

    def address_of(self, scope: Any) -> str:
        client = scope.get("client")
        forwarded = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                forwarded = bytes(value).decode("latin-1")
        return client_address(client[0] if client else "", forwarded, self.trusted_proxies)

    async def attempt(self, scope: Any, username: str | None = None) -> Attempt:
        """Spend this attempt, or 429 (``RateLimited`` with ``Retry-After``) when the
        caller's address, or the username, has no failure left."""
        keys = [f"signin:{self.namespace}:address:{self.address_of(scope)}"]
        if username is not None:
            name = username.strip().lower().encode()
            keys.append(f"signin:{self.namespace}:user:{hashlib.sha256(name).hexdigest()}")
        verdicts = [await self.limiter.hit(key, self.limit) for key in keys]
        refused = [v for v in verdicts if not v.allowed]
        if refused:
            for key, verdict in zip(keys, verdicts, strict=True):
                if verdict.allowed:
                    await self.limiter.give_back(key, self.limit)
            wait = max(v.retry_after for v in refused)
            raise RateLimited(
                f"too many failed sign-ins: try again in {wait} seconds",
                {"Retry-After": str(wait)},
            )
        return Attempt(tuple(keys))

    async def succeeded(self, attempt: Attempt) -> None:
        """The attempt signed someone in: it is not a failure."""
        for key in attempt.keys:
            await self.limiter.give_back(key, self.limit)
