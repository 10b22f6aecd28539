"""Only what an operator configured can deliver a page: a page no provider serves is
``undeliverable``, says why, shows in the timeline and raises the internal incident on pages;
a war room without a chat platform is not claimed; ``make run``'s demo configures the ``log``
provider visibly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from imas_cli.demo import DEMO_SCHEDULES, load_demo
from imas_contracts.escalation import ListSchedules, ScheduleList
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.conftest import Mesh, warroom_beside

pytestmark = pytest.mark.integration

NO_SLACK = "no Slack provider is configured"


async def _open(mesh: Mesh, title: str, severity: str = "SEV2_HIGH") -> dict[str, Any]:
    body = {"title": title, "service_name": "redis-prod", "severity": severity, "dedup_key": title}
    created: dict[str, Any] = await mesh.call("POST", "/api/v1/incidents/", json=body)
    return created


async def _internal(mesh: Mesh, title: str) -> list[dict[str, Any]]:
    found = await mesh.call("GET", "/api/v1/incidents/?service=imas&page_size=100")
    return [i for i in found["results"] if i["title"] == title]


async def test_a_page_no_provider_serves_is_undeliverable_and_raises_the_pages_incident(
    mesh: Mesh,
) -> None:
    # A production set-up: nobody configured a provider (the mesh's log provider removed).
    await mesh.call("DELETE", "/api/v1/notification-providers/log/")
    await mesh.call("POST", "/api/v1/services/", json={"name": "imas", "team": "Platform"})
    first = await _open(mesh, "Redis slow")

    async def told() -> None:
        pages = await mesh.call("GET", f"/api/v1/incidents/{first['id']}/deliveries/")
        fields = ("status", "channel", "provider", "last_error")
        assert [{k: p[k] for k in fields} for p in pages["results"]] == [
            {"status": "undeliverable", "channel": "slack", "provider": "", "last_error": NO_SLACK}
        ]
        detail = await mesh.call("GET", f"/api/v1/incidents/{first['id']}/")
        lines = [e["message"] for e in detail["timeline"] if e["type"] == "ALERT_FAILED"]
        assert lines == [f"Page to team SRE Core via slack not sent: {NO_SLACK}"]
        assert not [e for e in detail["timeline"] if e["type"] == "ALERT_SENT"]
        internal = await _internal(mesh, "Pages cannot be delivered: slack")
        assert [i["severity"] for i in internal] == ["SEV2_HIGH"]

    await eventually(told, timeout=30)

    # The next one attaches to the same internal incident; the internal incident's own pages
    # (undeliverable too) raise nothing more.
    await _open(mesh, "Redis down")

    async def attached() -> None:
        internal = await _internal(mesh, "Pages cannot be delivered: slack")
        assert [i["alert_count"] for i in internal] == [2]
        listed = await mesh.call("GET", "/api/v1/deliveries/?status=undeliverable")
        assert listed["count"] == 3  # two incidents' team pages, the internal incident's
        assert (await mesh.call("GET", "/api/v1/deliveries/?status=sent"))["count"] == 0

    await eventually(attached, timeout=30)
    assert len(await _internal(mesh, "Pages cannot be delivered: slack")) == 1


async def test_without_a_chat_platform_no_war_room_is_claimed_and_the_timeline_says_so(
    mesh: Mesh,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    # WARROOM_CHAT left empty, as in Compose and the Helm chart unless an operator sets it.
    database = await fresh_database("wr")
    async with warroom_beside(mesh, postgres_url, redis_url, database):
        incident = await _open(mesh, "Checkout down", "SEV1_CRITICAL")

        async def said() -> None:
            detail = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/")
            lines = [e for e in detail["timeline"] if e["type"].startswith("WAR_ROOM")]
            assert [(e["type"], e["message"]) for e in lines] == [
                (
                    "WAR_ROOM_NOT_OPENED",
                    "No war room: no chat platform is configured (WARROOM_CHAT: slack or "
                    "discord), so no room was opened",
                )
            ]
            assert detail["lid_link"]  # the document is written all the same

        await eventually(said, timeout=30)
        detail = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/")
        assert detail["war_room_link"] is None


async def test_the_demo_configures_the_log_provider_where_operators_see_it(
    mesh: Mesh, escalation: ServiceRuntime
) -> None:
    await mesh.call("DELETE", "/api/v1/notification-providers/log/")
    # Twice: the demo is safe to load again.
    for _ in range(2):
        await load_demo(mesh.nats_url, deadline=30)
    listed = await mesh.call("GET", "/api/v1/notification-providers/")
    assert [(p["name"], p["kind"], p["enabled"]) for p in listed["results"]] == [
        ("log", "log", True)
    ]
    rotas = await escalation.bus.request(ListSchedules(), ScheduleList)
    assert sorted(s.name for s in rotas.schedules) == sorted(s.name for s in DEMO_SCHEDULES)

    incident = await _open(mesh, "Redis slow")

    async def printed() -> None:
        pages = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/deliveries/")
        # The team's channel, and whoever is on call (the demo policy's first step, by chat
        # and SMS): each printed by the log provider, the only one configured.
        assert len(pages["results"]) == 3
        assert {(p["status"], p["provider"]) for p in pages["results"]} == {("sent", "log")}

    await eventually(printed, timeout=30)
