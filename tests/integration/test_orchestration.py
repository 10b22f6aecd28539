"""The brief's workflow C, end to end: a SEV2 incident opened through the API gets its LID
(exported to Confluence at once), a war room on Slack and its team paged on Slack, and its
timeline ends with "Orchestration complete" saying what was done and what was not."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK, eventually
from imas_testing.fake_chat import Channel, FakeSlack
from imas_testing.fake_docs import FakeConfluence
from tests.conftest import Mesh, warroom_beside

pytestmark = pytest.mark.integration

TOKEN = "xoxb-orchestration"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token=TOKEN) as server:
        server.channels["C0SRE"] = Channel(id="C0SRE", name="sre-core")
        yield server  # type: ignore[misc]


@pytest.fixture
async def slack_warroom(
    mesh: Mesh,
    slack: FakeSlack,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    database = await fresh_database("wr")
    async with warroom_beside(
        mesh,
        postgres_url,
        redis_url,
        database,
        chat="slack",
        slack_api_url=slack.url,
        slack_bot_token=TOKEN,
        outbound_allow=LOOPBACK,
    ) as runtime:
        yield runtime


async def test_a_new_incident_ends_with_orchestration_complete_listing_what_was_done(
    mesh: Mesh, slack: FakeSlack, slack_warroom: ServiceRuntime
) -> None:
    async with FakeConfluence(email="bot@example.com", api_token="wiki") as confluence:
        await mesh.create("/api/v1/notification-providers/", {
            "name": "slack", "kind": "slack",
            "config": {"bot_token": TOKEN, "base_url": slack.url},
        })  # fmt: skip
        await mesh.create("/api/v1/lid-exporters/", {
            "name": "Wiki", "kind": "confluence", "secrets": {"api_token": "wiki"},
            "config": {"base_url": confluence.url, "space_key": "OPS", "email": "bot@example.com"},
        })  # fmt: skip
        incident = await mesh.create("/api/v1/incidents/", {
            "title": "Redis Cluster Down", "service_name": "redis-prod", "severity": "SEV2_HIGH",
        })  # fmt: skip

        async def orchestrated() -> dict[str, Any]:
            found = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
            detail: dict[str, Any] = found.json()
            assert [e for e in detail["timeline"] if e["type"] == "ORCHESTRATION_COMPLETE"]
            return detail

        detail = await eventually(orchestrated, timeout=30)
        [line] = [e for e in detail["timeline"] if e["type"] == "ORCHESTRATION_COMPLETE"]
        room = slack.by_name(f"inc-{incident['short_id'].lower()}-redis-prod")
        page = confluence.by_title(f"INC-{incident['short_id']} - Redis Cluster Down")
        assert room is not None and page is not None
        wiki = f"{confluence.url}/wiki/spaces/OPS/pages/{page.id}"
        lid = f"http://localhost:8000/incidents/{incident['id']}/lid"
        assert line["message"] == (
            f"Orchestration complete. Done: incident document {lid}; document in Wiki {wiki}; "
            f"war room https://slack.com/app_redirect?channel={room.id}; 1 of 1 page(s) sent."
        )
        assert line["source"] == "system"
        # Everything it lists came before it, and the incident links the LID outside IMAS.
        kinds = [e["type"] for e in detail["timeline"]]
        for kind in ("DOCUMENT_CREATED", "DOCUMENT_EXPORTED", "WAR_ROOM_CREATED", "ALERT_SENT"):
            assert kinds.index(kind) < kinds.index("ORCHESTRATION_COMPLETE")
        assert detail["lid_link"] == wiki
        assert detail["war_room_link"] == f"https://slack.com/app_redirect?channel={room.id}"
        assert any(incident["id"] in m["text"] for m in slack.channels["C0SRE"].messages.values())
