"""Wrong passwords as a botnet sprays them: each sign-in from an address (told through the
trusted loopback proxy) and for a username of its own, so that no throttle slows them and only
the gateway's bounded password hashing holds its memory (the sign-in flood test, and
``bench.memory``)."""

from __future__ import annotations

import uuid

import httpx


def sprayed_address(i: int) -> str:
    """A documentation address (RFC 5737) per guess: not a trusted proxy."""
    return f"{(192, 198, 203)[i % 3]}.{(0, 51, 113)[i % 3]}.{(2, 100, 113)[i % 3]}.{i % 250 + 1}"


async def wrong_sign_in(http: httpx.AsyncClient, i: int) -> int:
    """The ``i``-th guess at ``/api/token/obtain/`` on the gateway ``http`` is based on; its
    status (401 refused, 503 shed while too many hashes wait)."""
    answer = await http.post(
        "/api/token/obtain/",
        json={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": f"guess {i}"},
        headers={"X-Forwarded-For": sprayed_address(i)},
    )
    return answer.status_code
