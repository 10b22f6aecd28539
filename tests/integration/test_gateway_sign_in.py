"""Password guessing is slowed: ten failed sign-ins per client address and per username in ten
minutes, then 429 with ``Retry-After``, on the login form and ``/api/token/obtain/`` (the
single sign-on callback: ``test_gateway_oidc``). Successful sign-ins never count.

One gateway per module (see ``gateway_setup``); each test signs in from addresses of its own,
given by the loopback proxy in ``X-Forwarded-For``.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest

from imas_testing.dashboard import form_csrf
from tests.integration.gateway_setup import PASSWORD, Gateway, running_gateway

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def gw(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Gateway]:
    async with running_gateway(nats_url, postgres_url, redis_url) as gateway:
        yield gateway


def _address(n: int) -> dict[str, str]:
    """Client address ``n`` (RFC 5737), as the proxy in front says; what the client itself
    wrote to the left of it counts for nothing."""
    return {"X-Forwarded-For": f"10.9.8.7, 203.0.113.{n}"}


async def _obtain(
    gw: Gateway, username: str, password: str, address: dict[str, str]
) -> httpx.Response:
    return await gw.client.post(
        "/api/token/obtain/", json={"username": username, "password": password}, headers=address
    )


async def _login(
    gw: Gateway, username: str, password: str, address: dict[str, str]
) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gw.app), base_url="http://imas", headers=address
    ) as browser:
        form = await browser.get("/login")
        return await browser.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": form_csrf(form.text)},
        )


async def test_the_login_form_refuses_an_address_after_ten_failures(gw: Gateway) -> None:
    alice = await gw.user("responder")
    guesser = _address(1)
    for i in range(10):
        refused = await _login(gw, f"someone-{i}", "guess", guesser)
        assert refused.status_code == 401
    throttled = await _login(gw, f"someone-{secrets.token_hex(3)}", "guess", guesser)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in throttled.text
    # Even a right password waits, from there; from elsewhere, alice signs in.
    assert (await _login(gw, alice, PASSWORD, guesser)).status_code == 429
    assert (await _login(gw, alice, PASSWORD, {"X-Forwarded-For": "192.0.2.77"})).status_code == 303


async def test_a_password_sprayed_over_many_usernames_is_slowed(gw: Gateway) -> None:
    sprayer = _address(2)
    for i in range(10):
        answer = await _obtain(gw, f"user-{i}", "Summer2026!", sprayer)
        assert answer.status_code == 401
    throttled = await _obtain(gw, "user-10", "Summer2026!", sprayer)
    assert throttled.status_code == 429
    assert throttled.headers["content-type"].startswith("application/problem+json")
    assert int(throttled.headers["Retry-After"]) >= 1


async def test_one_username_is_slowed_from_any_address(gw: Gateway) -> None:
    bob = await gw.user("admin")
    for i in range(10):
        answer = await _obtain(gw, bob, f"guess {i}", {"X-Forwarded-For": f"192.0.2.{i + 1}"})
        assert answer.status_code == 401
    elsewhere = {"X-Forwarded-For": "198.51.100.200"}
    assert (await _obtain(gw, bob, "guess 10", elsewhere)).status_code == 429
    assert (await _obtain(gw, bob.upper(), PASSWORD, elsewhere)).status_code == 429
    assert (await _login(gw, bob, PASSWORD, elsewhere)).status_code == 429


async def test_successful_sign_ins_never_count(gw: Gateway) -> None:
    carol = await gw.user("viewer")
    address = _address(3)
    for _ in range(15):
        assert (await _obtain(gw, carol, PASSWORD, address)).status_code == 200
    for _ in range(12):
        assert (await _login(gw, carol, PASSWORD, address)).status_code == 303
