"""Patterns users write (silences, alert rules, tag rules, runbooks) never stop a service.

Each test runs the mesh in this process. Before patterns ran on a linear-time engine, a
catastrophic pattern met by its text kept the event loop busy for good: these tests never
finished, and patterns with backreferences or lookarounds were stored (201) instead of refused.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from imas_contracts.catalog import TagRuleSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied
from imas_contracts.warroom import RunbookSpec, RunbookStep
from imas_incidents.models import tag_rules
from imas_ingest import store as ingest_store
from imas_runtime.errors import RequestFailed
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_warroom import store as warroom_store
from tests.conftest import Mesh

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

LONG = 50_000
# Exponential in a backtracking engine on the text of the same letter; linear in RE2.
HOSTILE = {"a": "(a+)+b", "b": "(a|aa)*c", "x": "(x+x+)+y"}


class Api:
    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh

    async def post(self, path: str, body: Any, *, status: int = 201) -> Any:
        response = await self.mesh.client.post(path, json=body, headers=self.mesh.auth)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def webhook(self, integration: dict[str, Any], alert: dict[str, Any]) -> None:
        key = integration["webhook_url"].split("token=")[1]
        response = await self.mesh.client.post(f"/api/v1/webhooks/custom/?token={key}", json=alert)
        assert response.status_code == 202, response.text

    async def outcomes(self, integration: dict[str, Any]) -> dict[str, str]:
        """The first 20 characters of each alert's name → its outcome."""
        response = await self.mesh.client.get(
            "/api/v1/alerts/",
            params={"integration": integration["id"], "page_size": 500},
            headers=self.mesh.auth,
        )
        assert response.status_code == 200, response.text
        return {a["name"][:20]: a["outcome"] for a in response.json()["results"]}

    async def incidents(self, q: str) -> list[dict[str, Any]]:
        response = await self.mesh.client.get(
            "/api/v1/incidents/", params={"q": q}, headers=self.mesh.auth
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]  # type: ignore[no-any-return]

    async def refused(self, path: str, body: Any) -> dict[str, str]:
        """The one field error of a 400 answer."""
        response = await self.mesh.client.post(path, json=body, headers=self.mesh.auth)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        return error  # type: ignore[no-any-return]


def window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }


def incident(title: str) -> dict[str, str]:
    """A new incident (its own dedup key: it attaches to no other)."""
    return {
        "title": title,
        "service_name": "redis-prod",
        "severity": "SEV3_MEDIUM",
        "dedup_key": uuid.uuid4().hex,
    }


async def test_silences_and_rules_refuse_what_re2_cannot_run_and_never_stop_intake(
    mesh: Mesh,
) -> None:
    api = Api(mesh)
    silence = {
        "matchers": [
            {"label": "env", "op": "=", "value": "(prod"},
            {"label": "x", "op": "=~", "value": "(a)\\1"},
        ],
        **window(),
    }
    error = await api.refused("/api/v1/silences/", silence)
    assert error["field"] == "matchers[1].value"
    assert "backreferences are not supported" in error["message"]
    rule = {"name": "r", "matchers": [{"label": "x", "op": "!~", "value": "db(?!-test)"}]}
    error = await api.refused("/api/v1/alert-rules/", rule)
    assert error["field"] == "matchers[0].value"
    assert "lookaheads are not supported" in error["message"]
    error = await api.refused("/api/v1/alert-rules/", {"name": "r", "alert_name": "(?<=Disk)Full"})
    assert error["field"] == "alert_name"
    too_long = {"name": "r", "matchers": [{"label": "x", "op": "=~", "value": "y" * 1001}]}
    error = await api.refused("/api/v1/alert-rules/", too_long)
    assert error == {
        "field": "matchers[0].value",
        "message": "must be at most 1000 characters (it has 1001)",
    }
    for path in ("/api/v1/silences/", "/api/v1/alert-rules/"):
        listed = await mesh.client.get(path, headers=mesh.auth)
        assert listed.json()["count"] == 0
    # What RE2 runs, however catastrophic for a backtracking engine, runs in linear time.
    hook = await api.post(
        "/api/v1/integrations/", {"name": "hostile", "type": "custom", "service": "redis-prod"}
    )
    silences = [
        await api.post(
            "/api/v1/silences/",
            {"matchers": [{"label": label, "op": "=~", "value": p}], **window()},
        )
        for label, p in HOSTILE.items()
    ]
    await api.post("/api/v1/alert-rules/", {"name": "by-name", "alert_name": HOSTILE["a"]})
    await api.post(
        "/api/v1/alert-rules/",
        {"name": "by-label", "matchers": [{"label": "x", "op": "!~", "value": HOSTILE["x"]}]},
    )
    labels = {"a": "a" * LONG, "b": "a" * LONG, "x": "x" * LONG}
    await api.webhook(hook, {"title": "a" * LONG, "labels": labels})
    await api.webhook(hook, {"title": "Redis latency high", "labels": {"a": "b"}})
    await api.webhook(hook, {"title": "Planned restart", "labels": {"a": "aaab"}})

    async def all_recorded() -> dict[str, str]:
        found = await api.outcomes(hook)
        assert len(found) == 3, found
        return found

    outcomes = await eventually(all_recorded, timeout=30)
    # The silences still silence what they match, whole (the hostile alert is not matched).
    assert outcomes == {
        "a" * 20: "created",
        "Redis latency high": "created",
        "Planned restart": "suppressed",
    }
    await api.post("/api/v1/incidents/", incident("Checkout errors"))
    removed = await mesh.client.delete(f"/api/v1/silences/{silences[0]['id']}/", headers=mesh.auth)
    assert removed.status_code == 204, removed.text


def runbook(name: str, pattern: str, service: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "service": service,
        "alert_pattern": pattern,
        "steps": [{"title": "Look at the dashboards"}],
    }


async def test_tag_rules_and_runbooks_refuse_what_re2_cannot_run_and_never_stop_incidents(
    mesh: Mesh, warroom: ServiceRuntime
) -> None:
    api = Api(mesh)
    with pytest.raises(RequestFailed) as tag_rule:
        await mesh.incidents.bus.request(
            ApplyCatalog(tag_rules=[TagRuleSpec(tag="disk", pattern="disk(?= full)")]),
            CatalogApplied,
        )
    assert tag_rule.value.errors[0].field == "tag_rules[0].pattern"
    rules = [
        TagRuleSpec(tag="hostile", pattern=HOSTILE["b"]),
        TagRuleSpec(tag="nested", pattern=HOSTILE["x"]),
        TagRuleSpec(tag="disk", pattern="disk"),
    ]
    await mesh.incidents.bus.request(ApplyCatalog(tag_rules=rules), CatalogApplied)
    for letter in "ax":
        hostile = await api.post("/api/v1/incidents/", incident(letter * 500))
        assert hostile["tags"] == []
    # Tag rules still search the title anywhere, ignoring case.
    tagged = await api.post("/api/v1/incidents/", incident("Redis DISK nearly full"))
    assert tagged["tags"] == ["disk"]
    error = await api.refused("/api/v1/runbooks/", runbook("r", "(?<=disk) full"))
    assert error["field"] == "alert_pattern"
    yaml_text = (
        "runbooks:\n"
        "  - {name: ok, alert_pattern: disk, steps: [{title: t}]}\n"
        "  - {name: bad, alert_pattern: 'disk(?= full)', steps: [{title: t}]}\n"
    )
    imported = await mesh.client.post(
        "/api/v1/runbooks/import/", content=yaml_text, headers=mesh.auth
    )
    assert imported.status_code == 400, imported.text
    assert imported.json()["errors"][0]["field"] == "runbooks[1].alert_pattern"
    await api.post("/api/v1/runbooks/", runbook("hostile", HOSTILE["x"]))
    await api.post("/api/v1/runbooks/", runbook("disk", "disk (is )?full"))
    viewer = await api.post("/api/v1/tokens/", {"name": "reader", "role": "viewer"})
    as_viewer = {"Authorization": f"Token {viewer['token']}"}
    matched = await mesh.client.get(
        "/api/v1/runbooks/match/",
        params={"service": "redis-prod", "title": "x" * 500},
        headers=as_viewer,
    )
    assert matched.status_code == 200 and matched.json()["count"] == 0, matched.text
    matched = await mesh.client.get(
        "/api/v1/runbooks/match/",
        params={"service": "redis-prod", "title": "Disk is FULL"},
        headers=as_viewer,
    )
    assert [r["name"] for r in matched.json()["results"]] == ["disk"]
    too_long = await mesh.client.get(
        "/api/v1/runbooks/match/",
        params={"service": "redis-prod", "title": "x" * 501},
        headers=as_viewer,
    )
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "title"
    # New incidents get their LID (the best runbook is matched for each) after a hostile title.
    hostile = await api.post("/api/v1/incidents/", incident("x" * 500))
    after = await api.post("/api/v1/incidents/", incident("Disk full on redis-3"))

    async def documented(incident_id: str) -> None:
        response = await mesh.client.get(f"/api/v1/incidents/{incident_id}/", headers=mesh.auth)
        assert response.json()["lid_link"], response.json()

    await eventually(lambda: documented(hostile["id"]), timeout=30)
    await eventually(lambda: documented(after["id"]), timeout=30)
    runbook_of = await mesh.client.get(
        f"/api/v1/incidents/{after['id']}/runbook/", headers=mesh.auth
    )
    assert runbook_of.json()["runbook"]["name"] == "disk", runbook_of.text


def _refused_gauge(kind: str) -> float | None:
    return REGISTRY.get_sample_value("imas_stored_patterns_refused", {"kind": kind})


async def test_patterns_stored_before_the_checks_are_skipped_and_reported(
    mesh: Mesh, warroom: ServiceRuntime
) -> None:
    """Data saved when the engine took backreferences and lookarounds: written straight to
    the services' tables, as an upgrade finds it."""
    api = Api(mesh)
    marker = uuid.uuid4().hex[:8]
    now = datetime.now(UTC)
    silence_id = uuid.uuid4()
    async with mesh.ingest.engine.begin() as conn:
        spec = {
            "id": str(silence_id),
            "matchers": [{"label": "env", "op": "=~", "value": "(prod)\\1"}],
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(),
        }
        await ingest_store.insert_silence(
            conn, silence_id, spec, now - timedelta(minutes=1), now + timedelta(hours=1)
        )
        rule = {"id": str(uuid.uuid4()), "name": "old", "alert_name": "(?=x)", "service": "nope"}
        await ingest_store.save_rule(conn, uuid.UUID(rule["id"]), 1, "old", rule)
    async with mesh.incidents.engine.begin() as conn:
        await conn.execute(tag_rules.insert().values(id=uuid.uuid4(), tag="old", pattern="(?!x)"))
    async with warroom.engine.begin() as conn:
        steps = [RunbookStep(title="t")]
        spec = RunbookSpec(name="old", alert_pattern="(?<=a)b", steps=steps)
        await warroom_store.insert_runbook(conn, spec)

    hook = await api.post(
        "/api/v1/integrations/", {"name": "after", "type": "custom", "service": "redis-prod"}
    )
    # The stored silence would have matched "prodprod": skipped, the alert pages.
    await api.webhook(hook, {"title": f"Replica lag {marker}", "labels": {"env": "prodprod"}})

    async def opened() -> dict[str, Any]:
        found = await api.incidents(marker)
        assert len(found) == 1, found
        return found[0]

    found = await eventually(opened, timeout=30)
    assert (found["service_name"], found["tags"]) == ("redis-prod", [])
    matched = await mesh.client.get(
        "/api/v1/runbooks/match/", params={"service": "x", "title": "ab"}, headers=mesh.auth
    )
    assert matched.json()["count"] == 0

    async def told() -> None:
        for kind in ("silence", "alert_rule", "tag_rule", "runbook"):
            assert _refused_gauge(kind) == 1, kind
            alerts = await api.incidents(f"stored {kind.replace('_', ' ')} is skipped")
            assert len(alerts) == 1, (kind, alerts)

    await eventually(told, timeout=30)
