"""Dashboard sessions end at once when their user is deleted, disabled, demoted or gets a new
password, however old the session; live streams end when their credentials stop working, and
each identity holds a limited number of them open.

One gateway per module (see ``gateway_setup``), checking streams every half second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from imas_testing import eventually
from tests.integration.gateway_setup import Gateway, running_gateway, served

pytestmark = pytest.mark.integration

RECHECK_SECONDS = 0.5
STREAMS = 2


@pytest.fixture(scope="module")
async def gw(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Gateway]:
    async with running_gateway(
        nats_url,
        postgres_url,
        redis_url,
        stream_recheck_seconds=RECHECK_SECONDS,
        streams_per_identity=STREAMS,
    ) as gateway:
        yield gateway


async def _forget_the_session_index(gw: Gateway, username: str) -> None:
    """What 32 hours do to the index of a user's sessions: it expires, the sessions live on
    (each request restarts their idle timer)."""
    user = await gw.client.get(f"/api/v1/users/{username}/", headers=gw.auth(gw.admin))
    redis = gw.app.state.runtime.redis
    assert await redis.delete(f"imas:gateway:user-sessions:{user.json()['id']}") == 1


CHANGES: dict[str, dict[str, Any] | None] = {
    "deleted": None,
    "disabled": {"active": False},
    "demoted": {"role": "viewer"},
    "given a new password": {"password": "another long password"},
}


@pytest.mark.parametrize("change", CHANGES)
async def test_a_session_ends_at_once_when_its_user_is(gw: Gateway, change: str) -> None:
    username = await gw.user("manager")
    async with gw.browser(username) as browser:
        assert await browser.signed_in()
        await _forget_the_session_index(gw, username)
        body = CHANGES[change]
        url = f"/api/v1/users/{username}/"
        if body is None:
            answer = await gw.client.delete(url, headers=gw.auth(gw.admin))
        else:
            answer = await gw.client.patch(url, json=body, headers=gw.auth(gw.admin))
        assert answer.status_code in (200, 204), answer.text
        assert not await browser.signed_in()
        assert (await browser.client.get("/incidents")).headers["location"].startswith("/login")
        assert (await browser.client.get("/api/v1/teams/")).status_code == 401


async def _stream_ends(lines: AsyncIterator[str]) -> None:
    async def drain() -> None:
        async for _ in lines:
            pass

    await asyncio.wait_for(drain(), timeout=30)


async def test_an_api_stream_ends_when_its_token_is_revoked(gw: Gateway) -> None:
    token = await gw.token("viewer")
    async with (
        served(gw.app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        http.stream("GET", "/api/v1/events/stream", headers=gw.auth(token["token"])) as stream,
    ):
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        assert await asyncio.wait_for(anext(lines), timeout=10) == ": subscribed"
        revoked = await gw.client.delete(
            f"/api/v1/tokens/{token['id']}/", headers=gw.auth(gw.admin)
        )
        assert revoked.status_code == 204
        await _stream_ends(lines)


async def test_a_dashboard_stream_ends_when_its_user_is_deleted(gw: Gateway) -> None:
    username = await gw.user("responder")
    async with (
        gw.browser(username) as browser,
        served(gw.app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        http.stream("GET", "/live/events", headers=browser.cookie_header()) as stream,
    ):
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        assert await asyncio.wait_for(anext(lines), timeout=10) == "event: subscribed"
        deleted = await gw.client.delete(f"/api/v1/users/{username}/", headers=gw.auth(gw.admin))
        assert deleted.status_code == 204
        await _stream_ends(lines)


async def test_each_identity_holds_a_limited_number_of_streams(gw: Gateway) -> None:
    token = (await gw.token("viewer"))["token"]
    other = (await gw.token("viewer"))["token"]
    path = "/api/v1/events/stream"
    async with (
        served(gw.app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
        http.stream("GET", path, headers=gw.auth(token)) as first,
        http.stream("GET", path, headers=gw.auth(token)) as second,
    ):
        assert (first.status_code, second.status_code) == (200, 200)
        refused = await http.get(path, headers=gw.auth(token))
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert f"at most {STREAMS} live streams" in refused.json()["detail"]
        # Another identity is not affected.
        async with http.stream("GET", path, headers=gw.auth(other)) as theirs:
            assert theirs.status_code == 200
        # Closed streams give their slots back.

    async def reopens() -> None:
        async with (
            served(gw.app) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
            http.stream("GET", path, headers=gw.auth(token)) as again,
        ):
            assert again.status_code == 200

    await eventually(reopens, timeout=20)


async def test_the_briefs_dashboard_address_leads_to_the_dashboard(gw: Gateway) -> None:
    """The brief says to open ``/dashboard/``: it is the home page (after signing in)."""
    for path in ("/dashboard/", "/dashboard"):
        landed = await gw.client.get(path, follow_redirects=True)
        assert landed.status_code == 200 and 'name="csrf_token"' in landed.text  # login form
        assert landed.url.path == "/login" and landed.url.params["next"] == "/"
    username = await gw.user("viewer")
    async with gw.browser(username) as browser:
        sent = await browser.client.get("/dashboard/")
        assert (sent.status_code, sent.headers["location"]) == (302, "/")
