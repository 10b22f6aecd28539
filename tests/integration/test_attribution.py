"""Who did what is known by identity (a user's or a token's id), never by a name anyone can
choose: comments belong to their author, timeline lines and audit rows name who acted, and the
dashboard's forms are recorded as the signed-in user. Through the mesh: gateway → ingest →
incidents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from imas_testing.dashboard import form_csrf, sign_in
from tests.conftest import Mesh
from tests.integration.gateway_setup import PASSWORD

pytestmark = pytest.mark.integration

INCIDENT = {"title": "Checkout errors", "service_name": "redis-prod", "severity": "SEV3_MEDIUM"}


async def _user(mesh: Mesh, role: str) -> dict[str, Any]:
    """A new user; their id and username."""
    body = {"username": f"{role}-{uuid.uuid4().hex[:6]}", "password": PASSWORD, "role": role}
    created = await mesh.client.post("/api/v1/users/", json=body, headers=mesh.auth)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def _token(mesh: Mesh, username: str, name: str = "") -> dict[str, str]:
    body = {"username": username, "password": PASSWORD, "name": name}
    obtained = await mesh.client.post("/api/token/obtain/", json=body)
    assert obtained.status_code == 200, obtained.text
    return {"Authorization": f"Token {obtained.json()['token']}"}


@pytest.fixture
async def incident(mesh: Mesh) -> dict[str, Any]:
    created = await mesh.client.post("/api/v1/incidents/", json=INCIDENT, headers=mesh.auth)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


@pytest.fixture
async def browser(mesh: Mesh) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=mesh.gateway), base_url="http://imas"
    ) as client:
        yield client


async def test_a_token_named_after_someone_cannot_edit_their_comment(
    mesh: Mesh, incident: dict[str, Any], browser: httpx.AsyncClient
) -> None:
    alice, bob = await _user(mesh, "responder"), await _user(mesh, "responder")
    as_alice = await _token(mesh, alice["username"])
    # Bob names his token after Alice.
    as_bob = await _token(mesh, bob["username"], name=alice["username"])
    comments = f"/api/v1/incidents/{incident['id']}/comments/"
    written = await mesh.client.post(comments, json={"body": "Failover started"}, headers=as_alice)
    assert written.status_code == 201, written.text
    comment = written.json()
    assert comment["author"] == alice["username"]

    mine = f"{comments}{comment['id']}/"
    hijack = await mesh.client.patch(mine, json={"body": "all fine, go home"}, headers=as_bob)
    assert hijack.status_code == 403, hijack.text
    assert (await mesh.client.delete(mine, headers=as_bob)).status_code == 403
    # Nor a token of no user that an admin happened to name like her (a bot, a script).
    bot = await mesh.client.post(
        "/api/v1/tokens/",
        json={"name": alice["username"], "role": "responder"},
        headers=mesh.auth,
    )
    as_bot = {"Authorization": f"Token {bot.json()['token']}"}
    assert (await mesh.client.patch(mine, json={"body": "x"}, headers=as_bot)).status_code == 403
    assert comment["author_id"] == f"user:{alice['id']}"
    # Alice herself, from the dashboard rather than her token: the same identity.
    assert (await sign_in(browser, alice["username"], PASSWORD)).status_code == 303
    csrf = form_csrf((await browser.get(f"/incidents/{incident['short_id']}")).text)
    edited = await browser.patch(
        mine, json={"body": "Failover done"}, headers={"X-CSRF-Token": csrf}
    )
    assert edited.status_code == 200, edited.text
    listed = await mesh.client.get(comments, headers=mesh.auth)
    assert [c["body"] for c in listed.json()] == ["Failover done"]


async def test_timeline_lines_name_who_acted_by_identity(
    mesh: Mesh, incident: dict[str, Any]
) -> None:
    carol = await _user(mesh, "responder")
    as_carol = await _token(mesh, carol["username"], name="ops laptop")
    machine = await mesh.client.post(
        "/api/v1/tokens/", json={"name": "ci", "role": "responder"}, headers=mesh.auth
    )
    as_ci = {"Authorization": f"Token {machine.json()['token']}"}
    base = f"/api/v1/incidents/{incident['id']}"
    assert (await mesh.client.post(f"{base}/acknowledge/", headers=as_carol)).status_code == 200
    assert (
        await mesh.client.post(f"{base}/resolve/", json={"note": "ok"}, headers=as_ci)
    ).status_code == 200
    timeline = (await mesh.client.get(f"{base}/", headers=mesh.auth)).json()["timeline"]
    acted = [(e["actor"], e["actor_id"]) for e in timeline if e["type"] == "STATUS_CHANGE"]
    assert (carol["username"], f"user:{carol['id']}") in acted
    assert ("ci", f"token:{machine.json()['id']}") in acted


async def test_dashboard_forms_are_audited_as_the_signed_in_user(
    mesh: Mesh, incident: dict[str, Any], browser: httpx.AsyncClient
) -> None:
    dana = await _user(mesh, "responder")
    assert (await sign_in(browser, dana["username"], PASSWORD)).status_code == 303
    page = await browser.get(f"/incidents/{incident['short_id']}")
    posted = await browser.post(
        f"/incidents/{incident['short_id']}/comment",
        data={"body": "Looking at it", "csrf_token": form_csrf(page.text)},
    )
    assert posted.status_code == 303, posted.text
    audit = await mesh.client.get(
        "/api/v1/audit/", params={"user_id": dana["id"]}, headers=mesh.auth
    )
    rows = [r for r in audit.json()["results"] if r["route"].endswith("/comment")]
    assert rows, audit.json()
    assert rows[0]["actor"] == dana["username"] and rows[0]["role"] == "responder"
    anonymous = await mesh.client.get(
        "/api/v1/audit/", params={"actor": "anonymous"}, headers=mesh.auth
    )
    assert not [r for r in anonymous.json()["results"] if r["route"].endswith("/comment")]
    comments = await mesh.client.get(
        f"/api/v1/incidents/{incident['id']}/comments/", headers=mesh.auth
    )
    [comment] = comments.json()
    assert comment["author_id"] == f"user:{dana['id']}"
