"""``make run``'s demo as a newcomer meets it through the API: a person on call for each
schedule (Backend Payment's manager covering, by an override), a policy per team that pages
the on-call then the manager, and a month of past incidents that analytics measure. Loading
it again changes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from imas_cli.demo import (
    DEMO_HISTORY,
    DEMO_POLICIES,
    DEMO_SCHEDULES,
    load_demo,
    policy_name,
)
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.conftest import Mesh
from tests.integration.cli_runner import imas

pytestmark = pytest.mark.integration


async def _state(mesh: Mesh) -> dict[str, Any]:
    """What the demo put where a newcomer looks, by name (ids and counts included, so that a
    second load that changed anything would show)."""
    teams = (await mesh.call("GET", "/api/v1/teams/?page_size=100"))["results"]
    people = (await mesh.call("GET", "/api/v1/people/?page_size=100"))["results"]
    schedules = (await mesh.call("GET", "/api/v1/schedules/"))["schedules"]
    policies = (await mesh.call("GET", "/api/v1/escalation-policies/"))["policies"]
    incidents = await mesh.call("GET", "/api/v1/incidents/?page_size=100&ordering=created_at")
    return {
        "teams": sorted((t["name"], t["id"]) for t in teams),
        "people": sorted((p["email"], p["id"]) for p in people),
        "schedules": sorted((s["name"], s["id"], len(s["overrides"])) for s in schedules),
        "policies": sorted((p["name"], p["id"], len(p["steps"])) for p in policies),
        "incidents": [(i["id"], i["title"], i["status"]) for i in incidents["results"]],
    }


async def test_the_demo_shows_people_on_call_policies_and_a_month_of_incidents(
    mesh: Mesh,
    escalation: ServiceRuntime,
    warroom: ServiceRuntime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await load_demo(mesh.nats_url, deadline=30)
    teams = {t["name"]: t for t in (await mesh.call("GET", "/api/v1/teams/"))["results"]}
    assert set(teams) == {"SRE Core", "Backend Payment", "Platform"}

    # On call now: a person for each schedule; Backend Payment's manager by the override.
    schedules = {s["name"]: s for s in (await mesh.call("GET", "/api/v1/schedules/"))["schedules"]}
    assert set(schedules) == {s.name for s in DEMO_SCHEDULES}
    backend = schedules["Backend Payment primary"]
    [override] = backend["overrides"]
    now = datetime.now().astimezone()
    assert (
        datetime.fromisoformat(override["start"]) <= now < datetime.fromisoformat(override["end"])
    )

    async def on_call(team: str) -> list[str]:
        reply = await mesh.call("GET", f"/api/v1/teams/{teams[team]['id']}/oncall/")
        return [s["person"]["name"] for s in reply["schedules"] if s["person"]]

    async def named() -> None:
        # Escalation learns people's names from the catalog's events.
        assert await on_call("Backend Payment") == ["Inès Fournier"]
        assert (await on_call("SRE Core"))[0] in {"Alice Martin", "Bruno Petit"}

    await eventually(named, timeout=30)

    # A policy per team: whoever is on call first (Platform: its members), then the manager.
    policies = (await mesh.call("GET", "/api/v1/escalation-policies/"))["policies"]
    by_team = {p["team_id"]: p for p in policies}
    assert {t: by_team[teams[t]["id"]]["name"] for t in teams} == {
        t: policy_name(t) for t in DEMO_POLICIES
    }
    for team in teams:
        steps = by_team[teams[team]["id"]]["steps"]
        assert [t["kind"] for t in steps[0]["targets"]] in (["schedule"], ["members"])
        assert "manager" in [t["kind"] for t in steps[1]["targets"]]
    # Every step reaches someone, through the demo's log provider.
    check = await mesh.call("GET", "/api/v1/escalation/check/")
    assert (check["ok"], check["problems"]) == (True, [])
    platform = await mesh.call("GET", f"/api/v1/teams/{teams['Platform']['id']}/oncall/")
    assert [t["name"] for t in platform["levels"][0]["targets"]] == ["Sarah Bernard"]
    assert [t["name"] for t in platform["levels"][1]["targets"]] == ["Lucas Girard"]

    # Past incidents, resolved, with their times: what analytics measure.
    listed = await mesh.call("GET", "/api/v1/incidents/?status=RESOLVED&page_size=100")
    assert listed["count"] == len(DEMO_HISTORY)
    assert {i["severity"] for i in listed["results"]} == {
        "SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM", "SEV4_LOW",
    }  # fmt: skip
    assert {i["service"]["name"] for i in listed["results"]} == {
        "redis-prod", "checkout-api", "postgres-prod", "api-gateway",
    }  # fmt: skip
    metrics = await mesh.call("GET", "/api/v1/metrics/?window=30d")
    current = metrics["current"]
    assert current["count"] == len(DEMO_HISTORY)
    # Acknowledged within minutes, resolved within hours, as the history has them.
    assert 60 <= current["mtta"]["mean"] <= 30 * 60
    assert 30 * 60 <= current["mttr"]["mean"] <= 5 * 3600
    week = await mesh.call("GET", "/api/v1/metrics/?window=7d")
    assert week["current"]["count"] > 0 and week["previous"]["count"] > 0
    heatmap = await mesh.call("GET", "/api/v1/metrics/heatmap/?window=30d")
    assert len(heatmap["cells"]) >= 5
    card = next(i for i in listed["results"] if i["title"].startswith("Payments refused"))
    detail = await mesh.call("GET", f"/api/v1/incidents/{card['id']}/")
    assert detail["lead"] == "Inès Fournier" and "imported" in detail["tags"]
    lines = [(e["message"], e["actor"]) for e in detail["timeline"]]
    assert ("Incident acknowledged (TRIGGERED → ACKNOWLEDGED)", "Emma Lefèvre") in lines
    # Nobody was paged for incidents that are over.
    pages = await mesh.call("GET", f"/api/v1/incidents/{card['id']}/deliveries/")
    assert pages["results"] == []

    # A new incident pages whoever is on call, named in its timeline (never an id).
    opened = await mesh.call(
        "POST",
        "/api/v1/incidents/",
        json={"title": "Checkout slow", "service_name": "checkout-api", "severity": "SEV2_HIGH"},
    )

    async def paged() -> list[str]:
        detail = await mesh.call("GET", f"/api/v1/incidents/{opened['id']}/")
        lines = [e["message"] for e in detail["timeline"]]
        assert any("Inès Fournier" in line for line in lines), lines
        return lines

    lines = await eventually(paged, timeout=30)
    assert not [line for line in lines if "person:" in line or "team:" in line], lines

    # Loading again changes nothing; neither does its export applied back.
    before = await _state(mesh)
    await load_demo(mesh.nats_url, deadline=30)
    assert await _state(mesh) == before
    exported = tmp_path / "demo.yaml"
    code, _, err = await imas(mesh, capsys, "export", "-o", str(exported))
    assert code == 0, err
    assert "Backend Payment primary" in exported.read_text(encoding="utf-8")
    code, out, err = await imas(mesh, capsys, "apply", "-f", str(exported), "--prune")
    assert (code, out.splitlines()[0]) == (0, "no change"), out + err
    assert await _state(mesh) == before
