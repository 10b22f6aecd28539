"""Pages given up raise an alert that opens one IMAS incident per channel and provider, through
ingest like any alert; that incident is not paged through the failing provider, and its own
pages, when given up, raise nothing more."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from imas_runtime.embedded import free_port
from imas_testing import eventually
from imas_testing.fake_providers import FakeTeams
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

INTERNAL_HOST = "relay-7.corp.internal"


async def _call(mesh: Mesh, method: str, url: str, **kwargs: Any) -> Any:
    answer = await mesh.client.request(method, url, headers=mesh.auth, **kwargs)
    assert answer.status_code < 400, answer.text
    return answer.json() if answer.content else None


async def _open(mesh: Mesh, title: str, severity: str = "SEV2_HIGH") -> str:
    body = {"title": title, "service_name": "redis-prod", "severity": severity, "dedup_key": title}
    created = await _call(mesh, "POST", "/api/v1/incidents/", json=body)
    return f"INC-{created['short_id']}"


async def _imas_incidents(mesh: Mesh, title: str) -> list[dict[str, Any]]:
    found = await _call(mesh, "GET", "/api/v1/incidents/?service=imas&page_size=100")
    return [i for i in found["results"] if i["title"] == title]


def _one(items: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(items) == 1, items
    return items[0]


async def _deliveries(mesh: Mesh, ref: str) -> list[dict[str, Any]]:
    found = await _call(mesh, "GET", f"/api/v1/incidents/{ref}/deliveries/")
    results: list[dict[str, Any]] = found["results"]
    return results


async def test_failing_pages_open_one_imas_incident_that_does_not_page_itself(mesh: Mesh) -> None:
    notifier = mesh.notifier.usecases  # type: ignore[attr-defined]
    notifier.tuning = dataclasses.replace(notifier.tuning, max_attempts=2, retry_base=0.05)
    await _call(mesh, "POST", "/api/v1/services/", json={"name": "imas", "team": "Platform"})
    # Platform (the imas service's team) is paged on chat and e-mail; the mail server is down.
    await _call(
        mesh,
        "POST",
        "/api/v1/routing-rules/",
        json={"target": "team", "team_id": "Platform", "channels": ["chat", "email"]},
    )
    await _call(
        mesh,
        "POST",
        "/api/v1/notification-providers/",
        json={"name": "mail", "kind": "smtp",
              "config": {"host": "127.0.0.1", "port": free_port(), "to": "platform@example.com"}},
    )  # fmt: skip

    async with FakeTeams() as teams:
        # What the vendor answers may name internal hosts: admins read it in the ledger, the
        # incident's readers (every viewer) only the kind of failure.
        teams.fail("POST /hook", status=500, body={"error": INTERNAL_HOST}, times=10_000)
        await _call(
            mesh,
            "POST",
            "/api/v1/notification-providers/",
            json={
                "name": "teams",
                "kind": "teams",
                "secrets": {"webhook_url": f"{teams.url}/hook"},
            },
        )
        title = "Pages are failing: teams via teams"
        first = await _open(mesh, "Redis slow")

        async def opened() -> None:
            page = _one(await _deliveries(mesh, first))
            assert (page["status"], page["attempts"], page["provider"]) == ("dead", 2, "teams")
            internal = _one(await _imas_incidents(mesh, title))
            assert internal["severity"] == "SEV2_HIGH"

        await eventually(opened, timeout=30)
        ledger = _one(await _deliveries(mesh, first))
        assert INTERNAL_HOST in ledger["last_error"]  # admins see the answer
        timeline = await _call(mesh, "GET", f"/api/v1/incidents/{first}/timeline/")
        assert "HTTP 500" in str(timeline), timeline
        assert INTERNAL_HOST not in str(timeline), timeline
        internal = _one(await _imas_incidents(mesh, title))
        described = await _call(mesh, "GET", f"/api/v1/incidents/INC-{internal['short_id']}/")
        assert "Last error: HTTP 500." in described["description"]
        assert INTERNAL_HOST not in described["description"]

        second = await _open(mesh, "Redis down")

        async def attached() -> None:
            assert [p["status"] for p in await _deliveries(mesh, second)] == ["dead"]
            internal = _one(await _imas_incidents(mesh, title))
            assert internal["alert_count"] == 2

        await eventually(attached, timeout=30)
        internal = _one(await _imas_incidents(mesh, title))
        ref = f"INC-{internal['short_id']}"

        # Its own chat page went to the log, not to the failing Teams; its e-mail was given up.
        async def own_pages_done() -> None:
            pages = {p["channel"]: p for p in await _deliveries(mesh, ref)}
            assert set(pages) == {"log", "email"}, pages
            assert (pages["log"]["provider"], pages["log"]["status"]) == ("log", "sent")
            assert (pages["email"]["provider"], pages["email"]["status"]) == ("mail", "dead")

        await eventually(own_pages_done, timeout=30)
        assert not [r for r in teams.requests if "Pages are failing" in str(r.body)]

        # A regular page given up over mail opens the mail incident: the imas incident's dead
        # e-mail (earlier, same outbox, same key) raised nothing, or it would have opened it.
        await _call(
            mesh,
            "POST",
            "/api/v1/routing-rules/",
            json={"target": "team", "team_id": "SRE Core", "severity": "SEV3_MEDIUM",
                  "channels": ["email"]},
        )  # fmt: skip
        third = await _open(mesh, "Redis latency", "SEV3_MEDIUM")

        async def mail_incident() -> None:
            assert [p["status"] for p in await _deliveries(mesh, third)] == ["dead"]
            found = _one(await _imas_incidents(mesh, "Pages are failing: email via mail"))
            opened_by = await _call(mesh, "GET", f"/api/v1/incidents/INC-{found['short_id']}/")
            assert "A page to team:SRE Core over email" in opened_by["description"]
            assert found["alert_count"] == 1

        await eventually(mail_incident, timeout=30)
        assert len(await _imas_incidents(mesh, title)) == 1
