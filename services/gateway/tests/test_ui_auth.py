"""Dashboard sign-in, sessions, CSRF and the admin-only users API, on a gateway of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from imas_gateway.app import create_app
from imas_gateway.settings import GatewaySettings
from imas_runtime.db import ensure_database
from imas_testing import discard_database
from imas_testing.dashboard import form_csrf, sign_in

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
async def gateway(
    nats_url: str, postgres_url: str, redis_url: str, test_run_id: str
) -> AsyncIterator[httpx.AsyncClient]:
    database = f"t_{test_run_id}_gwui_{uuid.uuid4().hex[:6]}"
    await ensure_database(postgres_url, database)
    app = create_app(
        GatewaySettings(
            service="gateway",
            nats_url=nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=database,
            bootstrap_admin_password=PASSWORD,
            upstream_timeout=1.0,
        )
    )
    runtime = app.state.runtime
    await runtime.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://imas"
        ) as client:
            yield client
    finally:
        await runtime.stop()
        discard_database(postgres_url, database)


async def test_pages_send_strangers_to_the_login_page(gateway: httpx.AsyncClient) -> None:
    gateway.cookies.clear()
    answer = await gateway.get("/incidents")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/incidents"
    page = await gateway.get("/login")
    assert 'label for="password"' in page.text


async def test_wrong_password_is_refused_without_saying_which_part(
    gateway: httpx.AsyncClient,
) -> None:
    gateway.cookies.clear()
    for username in ("admin", "nobody"):
        answer = await sign_in(gateway, username, "wrong password")
        assert answer.status_code == 401
        assert "Wrong username or password." in answer.text
    assert "imas_session" not in gateway.cookies


async def test_login_form_without_its_csrf_token_is_refused(gateway: httpx.AsyncClient) -> None:
    gateway.cookies.clear()
    await gateway.get("/login")
    answer = await gateway.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403
    assert "imas_session" not in gateway.cookies


async def test_bootstrap_admin_signs_in_with_a_safe_session_cookie(
    gateway: httpx.AsyncClient,
) -> None:
    gateway.cookies.clear()
    answer = await sign_in(gateway, "admin", PASSWORD)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("imas_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; Secure over TLS
    # The session authenticates API reads too.
    users = await gateway.get("/api/v1/users/")
    assert users.status_code == 200
    assert [u["username"] for u in users.json()["results"]] == ["admin"]


async def test_session_writes_need_the_csrf_token(gateway: httpx.AsyncClient) -> None:
    gateway.cookies.clear()
    await sign_in(gateway, "admin", PASSWORD)
    body = {"username": "csrf-test", "password": "long enough!", "role": "viewer"}
    refused = await gateway.post("/api/v1/users/", json=body)
    assert refused.status_code == 401
    page = await gateway.get("/login?next=/")  # signed in: redirected, so read a form
    assert page.status_code == 302 or page.status_code == 303
    token = form_csrf((await gateway.get("/incidents/new")).text)
    accepted = await gateway.post("/api/v1/users/", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201
    assert "password" not in accepted.json()
    assert "password_hash" not in accepted.json()


async def test_admin_manages_users_and_a_changed_role_signs_them_out(
    gateway: httpx.AsyncClient,
) -> None:
    gateway.cookies.clear()
    await sign_in(gateway, "admin", PASSWORD)
    token = form_csrf((await gateway.get("/incidents/new")).text)
    headers = {"X-CSRF-Token": token}
    created = await gateway.post(
        "/api/v1/users/",
        json={"username": "alice", "password": "alice-password", "role": "responder"},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["role"] == "responder"
    taken = await gateway.post(
        "/api/v1/users/",
        json={"username": "alice", "password": "another-one", "role": "viewer"},
        headers=headers,
    )
    assert taken.status_code == 409
    short = await gateway.post(
        "/api/v1/users/",
        json={"username": "bob", "password": "short", "role": "chief"},
        headers=headers,
    )
    assert short.status_code == 400
    assert short.json()["errors"][0]["field"] == "role"

    async with httpx.AsyncClient(transport=gateway._transport, base_url="http://imas") as alice:
        assert (await sign_in(alice, "alice", "alice-password")).status_code == 303
        assert (await alice.get("/incidents/new")).status_code != 303
        forbidden = await alice.get("/api/v1/users/")
        assert forbidden.status_code == 403
        changed = await gateway.patch(
            "/api/v1/users/alice/", json={"role": "viewer"}, headers=headers
        )
        assert changed.json()["role"] == "viewer"
        signed_out = await alice.get("/incidents/new")
        assert signed_out.status_code == 303
        assert (await sign_in(alice, "alice", "alice-password")).status_code == 303
        deleted = await gateway.delete("/api/v1/users/alice/", headers=headers)
        assert deleted.status_code == 204
        assert (await alice.get("/incidents")).status_code == 303
        assert (await sign_in(alice, "alice", "alice-password")).status_code == 401


async def test_logout_ends_the_session(gateway: httpx.AsyncClient) -> None:
    gateway.cookies.clear()
    await sign_in(gateway, "admin", PASSWORD)
    token = form_csrf((await gateway.get("/incidents/new")).text)
    answer = await gateway.post("/logout", data={"csrf_token": token})
    assert answer.headers["location"] == "/login"
    assert (await gateway.get("/incidents")).status_code == 303
