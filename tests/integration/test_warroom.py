"""The war room, the LID and chat buttons through the whole mesh: gateway → ingest → incidents
→ warroom, with Slack played by a local server implementing its Web API."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlencode

import pytest

from imas_contracts.catalog import PersonSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied
from imas_runtime.fake_chat import Channel, FakeSlack
from imas_runtime.service import ServiceRuntime
from imas_runtime.testing import eventually
from imas_warroom.app import create_runtime as create_warroom
from imas_warroom.settings import WarroomSettings
from imas_warroom.signatures import slack_signature
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

SECRET = secrets.token_hex(16)
SEV1 = {
    "title": "Redis Cluster Down",
    "description": "All nodes reporting connection timeout",
    "service_name": "redis-prod",
    "severity": "SEV1_CRITICAL",
}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token="xoxb-mesh") as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def warroom(
    mesh: Mesh,
    slack: FakeSlack,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    runtime = create_warroom(
        WarroomSettings(
            service="warroom",
            nats_url=mesh.nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=await fresh_database("wr"),
            chat="slack",
            slack_api_url=slack.url,
            slack_bot_token="xoxb-mesh",
            slack_signing_secret=SECRET,
            sync_interval=0.05,
        )
    )
    await runtime.start()
    await mesh.incidents.bus.request(
        ApplyCatalog(
            people=[
                PersonSpec(
                    name="Alice Martin",
                    email="alice@example.com",
                    chat_user_ids={"slack": "U0ALICE"},
                )
            ]
        ),
        CatalogApplied,
    )
    yield runtime
    await runtime.stop()


def slack_headers(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": slack_signature(SECRET, ts, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def open_room(mesh: Mesh, slack: FakeSlack) -> tuple[dict[str, object], Channel]:
    created = await mesh.client.post("/api/v1/incidents/", json=SEV1, headers=mesh.auth)
    assert created.status_code == 201, created.text
    incident = created.json()
    name = f"inc-{str(incident['short_id']).lower()}-redis-prod"

    def opened() -> Channel:
        channel = slack.by_name(name)
        assert channel is not None and channel.pins
        return channel

    channel = await eventually(opened, timeout=15)

    async def recorded() -> None:
        # The room is committed, and incidents recorded its link.
        current = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
        assert channel.id in str(current.json()["war_room_link"])

    await eventually(recorded, timeout=10)
    return incident, channel


async def test_acknowledge_button_in_slack_acknowledges_the_incident(
    mesh: Mesh, warroom: ServiceRuntime, slack: FakeSlack
) -> None:
    incident, channel = await open_room(mesh, slack)
    header_ts = channel.pins[0]
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALICE", "username": "alice"},
        "channel": {"id": channel.id},
        "actions": [{"action_id": "incident_ack", "value": incident["id"]}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    pressed = await mesh.client.post(
        "/api/v1/chat/slack/interactions", content=body, headers=slack_headers(body)
    )
    assert pressed.status_code == 200, pressed.text
    assert "is now ACKNOWLEDGED (by Alice Martin)" in pressed.json()["text"]

    detail = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
    assert detail.json()["status"] == "ACKNOWLEDGED"

    def header_updated() -> None:
        assert "Status: ACKNOWLEDGED" in channel.messages[header_ts]["text"]

    await eventually(header_updated, timeout=10)

    async def links_recorded() -> None:
        current = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
        data = current.json()
        assert str(data["lid_link"]).endswith(f"/incidents/{incident['id']}/lid")
        assert data["war_room_link"] and channel.id in data["war_room_link"]

    await eventually(links_recorded, timeout=10)

    again = await mesh.client.post(
        "/api/v1/chat/slack/interactions", content=body, headers=slack_headers(body)
    )
    assert "Not done" in again.json()["text"]  # a second press says why, changes nothing


async def test_runbook_guided_over_http_then_slash_resolve_and_the_lid_tells_it_all(
    mesh: Mesh, warroom: ServiceRuntime, slack: FakeSlack
) -> None:
    runbook = {
        "name": "Redis down",
        "service": "redis-prod",
        "steps": [
            {"title": "Check nodes", "command": "redis-cli cluster info"},
            {"title": "Fail over", "critical": True},
        ],
    }
    created = await mesh.client.post("/api/v1/runbooks/", json=runbook, headers=mesh.auth)
    assert created.status_code == 201, created.text
    bad = await mesh.client.post(
        "/api/v1/runbooks/", json={**runbook, "name": "x", "alert_pattern": "("}, headers=mesh.auth
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "alert_pattern"
    incident, channel = await open_room(mesh, slack)
    path = f"/api/v1/incidents/{incident['id']}/runbook/"
    progress = await mesh.client.get(path, headers=mesh.auth)
    assert progress.json()["runbook"]["name"] == "Redis down"
    assert progress.json()["next_step"] == 1
    refused = await mesh.client.post(path + "steps/2/", json={"action": "done"}, headers=mesh.auth)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "confirm"
    done = await mesh.client.post(
        path + "steps/2/", json={"action": "done", "confirm": True}, headers=mesh.auth
    )
    assert done.status_code == 200 and done.json()["steps"][1]["status"] == "done"
    twice = await mesh.client.post(path + "steps/2/", json={"action": "skip"}, headers=mesh.auth)
    assert twice.status_code == 409

    body = urlencode(
        {
            "command": "/incident",
            "text": "resolve replica promoted",
            "user_id": "U0ALICE",
            "user_name": "alice",
            "channel_id": channel.id,
        }
    )
    forged = await mesh.client.post(
        "/api/v1/chat/slack/commands",
        content=body,
        headers={**slack_headers(body), "X-Slack-Signature": "v0=" + "0" * 64},
    )
    assert forged.status_code == 401
    resolved = await mesh.client.post(
        "/api/v1/chat/slack/commands", content=body, headers=slack_headers(body)
    )
    assert "is now RESOLVED" in resolved.json()["text"]

    async def documented() -> str:
        page = await mesh.client.get(f"/incidents/{incident['id']}/lid.md", headers=mesh.auth)
        assert page.status_code == 200
        assert "Resolved: replica promoted" in page.text
        assert "step 2 (Fail over) done" in page.text
        return page.headers["content-disposition"]

    disposition = await eventually(documented, timeout=10)
    assert f"INC-{incident['short_id']}.md" in disposition
    html = await mesh.client.get(f"/incidents/INC-{incident['short_id']}/lid", headers=mesh.auth)
    assert html.headers["content-type"].startswith("text/html")
    assert f"INC-{incident['short_id']} - Redis Cluster Down" in html.text
    anonymous = await mesh.client.get(f"/incidents/{incident['id']}/lid")
    assert anonymous.status_code == 401
