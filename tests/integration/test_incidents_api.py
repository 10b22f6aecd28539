"""Incidents, catalog and metrics through the public API, on the in-process mesh."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from imas_cli.__main__ import main as imas
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


def body(title: str = "Redis Cluster Down", **fields: object) -> dict[str, object]:
    return {"title": title, "service_name": "redis-prod", "severity": "SEV2_HIGH", **fields}


async def test_transitions_timeline_and_a_refused_move_is_a_409(mesh: Mesh) -> None:
    created = await mesh.client.post("/api/v1/incidents/", json=body(), headers=mesh.auth)
    ref = f"INC-{created.json()['short_id']}"
    ack = await mesh.client.patch(
        f"/api/v1/incidents/{ref}/acknowledge/", json={"note": "on it"}, headers=mesh.auth
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "ACKNOWLEDGED" and ack.json()["mtta_seconds"] is not None

    again = await mesh.client.post(f"/api/v1/incidents/{ref}/acknowledge/", headers=mesh.auth)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "it is ACKNOWLEDGED" in again.json()["detail"]

    resolved = await mesh.client.post(
        f"/api/v1/incidents/{ref}/resolve/", json={"note": "failover done"}, headers=mesh.auth
    )
    assert resolved.json()["status"] == "RESOLVED" and resolved.json()["is_open"] is False
    mitigate = await mesh.client.patch(f"/api/v1/incidents/{ref}/mitigate/", headers=mesh.auth)
    assert mitigate.status_code == 409
    reopened = await mesh.client.post(f"/api/v1/incidents/{ref}/reopen/", headers=mesh.auth)
    assert reopened.json()["status"] == "TRIGGERED"

    edited = await mesh.client.patch(
        f"/api/v1/incidents/{ref}/",
        json={"severity": "SEV1_CRITICAL", "lead": "alice", "impacted_scopes": ["Security"]},
        headers=mesh.auth,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["is_critical"] is True and edited.json()["lead"] == "alice"
    bad = await mesh.client.patch(
        f"/api/v1/incidents/{ref}/", json={"severity": "SEV9"}, headers=mesh.auth
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "severity"

    newest = await mesh.client.get(
        f"/api/v1/incidents/{ref}/timeline/?order=desc", headers=mesh.auth
    )
    # Pages (ALERT_SENT) land whenever the notifier reports them; the edits keep their order.
    types = [e["type"] for e in newest.json() if e["type"] != "ALERT_SENT"]
    assert types[:3] == ["SCOPE_ADDED", "LEAD_ASSIGNED", "SEVERITY_CHANGE"]
    assert types[-1] == "STATUS_CHANGE" and types.count("STATUS_CHANGE") == 4


async def test_list_filters_and_pagination(mesh: Mesh) -> None:
    for i in range(5):
        await mesh.client.post(
            "/api/v1/incidents/", json=body(f"Disk full {i}", dedup_key=f"d{i}"), headers=mesh.auth
        )
    await mesh.client.post(
        "/api/v1/incidents/",
        json={"title": "Checkout slow", "service_name": "checkout-api", "severity": "SEV3_MEDIUM"},
        headers=mesh.auth,
    )
    first = await mesh.client.get("/api/v1/incidents/?page_size=2", headers=mesh.auth)
    page = first.json()
    assert page["count"] == 6 and len(page["results"]) == 2 and page["previous"] is None
    second = await mesh.client.get(page["next"], headers=mesh.auth)
    assert second.json()["previous"].endswith("page=1")
    assert {i["id"] for i in second.json()["results"]}.isdisjoint(
        {i["id"] for i in page["results"]}
    )
    filtered = await mesh.client.get(
        "/api/v1/incidents/?service=redis-prod&severity=SEV2_HIGH&q=disk&status=TRIGGERED",
        headers=mesh.auth,
    )
    assert filtered.json()["count"] == 5
    by_team = await mesh.client.get("/api/v1/incidents/?team=Backend Payment", headers=mesh.auth)
    assert [i["title"] for i in by_team.json()["results"]] == ["Checkout slow"]
    bad = await mesh.client.get("/api/v1/incidents/?status=OPEN", headers=mesh.auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
    bad_order = await mesh.client.get("/api/v1/incidents/?ordering=secret", headers=mesh.auth)
    assert bad_order.status_code == 400


async def test_comments_tags_and_metrics(mesh: Mesh) -> None:
    created = await mesh.client.post("/api/v1/incidents/", json=body(), headers=mesh.auth)
    ref = created.json()["id"]
    comment = await mesh.client.post(
        f"/api/v1/incidents/{ref}/comments/", json={"body": "Failover started"}, headers=mesh.auth
    )
    assert comment.status_code == 201, comment.text
    cid = comment.json()["id"]
    pinned = await mesh.client.patch(
        f"/api/v1/incidents/{ref}/comments/{cid}/", json={"pinned": True}, headers=mesh.auth
    )
    assert pinned.json()["pinned"] is True
    listed = await mesh.client.get(f"/api/v1/incidents/{ref}/comments/", headers=mesh.auth)
    assert [c["body"] for c in listed.json()] == ["Failover started"]
    deleted = await mesh.client.delete(
        f"/api/v1/incidents/{ref}/comments/{cid}/", headers=mesh.auth
    )
    assert deleted.status_code == 204
    assert (
        await mesh.client.get(f"/api/v1/incidents/{ref}/comments/", headers=mesh.auth)
    ).json() == []

    tagged = await mesh.client.post(
        f"/api/v1/incidents/{ref}/tags/", json={"tags": ["Database", "eu-west"]}, headers=mesh.auth
    )
    assert tagged.json()["tags"] == ["database", "eu-west"]
    untagged = await mesh.client.delete(f"/api/v1/incidents/{ref}/tags/eu-west/", headers=mesh.auth)
    assert untagged.json()["tags"] == ["database"]
    by_tag = await mesh.client.get("/api/v1/incidents/?tag=database", headers=mesh.auth)
    assert by_tag.json()["count"] == 1

    await mesh.client.post(f"/api/v1/incidents/{ref}/acknowledge/", headers=mesh.auth)
    summary = await mesh.client.get("/api/v1/metrics/?window=7d", headers=mesh.auth)
    assert summary.status_code == 200, summary.text
    assert summary.json()["current"]["count"] == 1
    assert summary.json()["current"]["mtta"]["count"] == 1
    by_service = await mesh.client.get(
        "/api/v1/metrics/by-service/?window=24h&severity=SEV2_HIGH", headers=mesh.auth
    )
    assert [g["key"] for g in by_service.json()["groups"]] == ["redis-prod"]
    trend = await mesh.client.get("/api/v1/metrics/trend/?bucket=week", headers=mesh.auth)
    assert sum(p["figures"]["count"] for p in trend.json()["points"]) == 1
    heatmap = await mesh.client.get("/api/v1/metrics/heatmap/", headers=mesh.auth)
    assert sum(c["count"] for c in heatmap.json()["cells"]) == 1
    offenders = await mesh.client.get("/api/v1/metrics/top-offenders/", headers=mesh.auth)
    assert offenders.json()["services"][0]["service"] == "redis-prod"
    bad = await mesh.client.get("/api/v1/metrics/?window=forever", headers=mesh.auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "window"

    # The raw material of those figures, for a spreadsheet: one row per incident.
    exported = await mesh.client.get("/api/v1/metrics/export.csv?window=7d", headers=mesh.auth)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(exported.text)))
    assert row["id"] == ref and row["service"] == "redis-prod" and row["status"] == "ACKNOWLEDGED"
    assert float(row["mtta_seconds"]) >= 0 and row["resolved_at"] == ""
    as_json = await mesh.client.get(
        "/api/v1/metrics/export.json?window=7d&severity=SEV2_HIGH", headers=mesh.auth
    )
    assert [i["id"] for i in as_json.json()] == [ref]
    elsewhere = await mesh.client.get(
        "/api/v1/metrics/export.json?service=checkout-api", headers=mesh.auth
    )
    assert elsewhere.json() == []
    bad_window = await mesh.client.get("/api/v1/metrics/export.csv?window=1y", headers=mesh.auth)
    assert bad_window.status_code == 400 and bad_window.json()["errors"][0]["field"] == "window"


async def test_catalog_crud_over_http_needs_admin_to_write(mesh: Mesh) -> None:
    teams = await mesh.client.get("/api/v1/teams/", headers=mesh.auth)
    assert "SRE Core" in [t["name"] for t in teams.json()["results"]]
    services = await mesh.client.get("/api/v1/services/", headers=mesh.auth)
    assert "redis-prod" in [s["name"] for s in services.json()["results"]]

    team = await mesh.client.post(
        "/api/v1/teams/", json={"name": "Mobile Apps", "chat_channel": "#mobile"}, headers=mesh.auth
    )
    assert team.status_code == 201, team.text
    assert team.json()["slug"] == "mobile-apps"
    duplicate = await mesh.client.post(
        "/api/v1/teams/", json={"name": "Mobile Apps"}, headers=mesh.auth
    )
    assert duplicate.status_code == 409
    service = await mesh.client.post(
        "/api/v1/services/",
        json={"name": "ios-api", "team": "Mobile Apps", "criticality_tier": 2},
        headers=mesh.auth,
    )
    assert service.json()["team"]["name"] == "Mobile Apps"
    patched = await mesh.client.patch(
        f"/api/v1/services/{service.json()['id']}/",
        json={"runbook_url": "https://runbooks.example.com/ios"},
        headers=mesh.auth,
    )
    assert patched.json()["runbook_url"] == "https://runbooks.example.com/ios"
    assert patched.json()["criticality_tier"] == 2
    bad = await mesh.client.post(
        "/api/v1/services/", json={"name": "x", "criticality_tier": 9}, headers=mesh.auth
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "criticality_tier"
    person = await mesh.client.post(
        "/api/v1/people/",
        json={"name": "Alice", "email": "alice@example.com", "time_zone": "Europe/Paris"},
        headers=mesh.auth,
    )
    assert person.status_code == 201
    assert (await mesh.client.get("/api/v1/people/alice@example.com/", headers=mesh.auth)).json()[
        "time_zone"
    ] == "Europe/Paris"
    removed = await mesh.client.delete(f"/api/v1/people/{person.json()['id']}/", headers=mesh.auth)
    assert removed.status_code == 204
    gone = await mesh.client.get(f"/api/v1/people/{person.json()['id']}/", headers=mesh.auth)
    assert gone.status_code == 404


async def test_imas_apply_twice_gives_no_change(
    mesh: Mesh, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "teams:\n"
        "  - name: Data Platform\n"
        "    chat_channel: '#data'\n"
        "services:\n"
        "  - name: kafka-prod\n"
        "    team: Data Platform\n"
        "    criticality_tier: 1\n"
        "people:\n"
        "  - name: Alice Martin\n"
        "    email: alice@example.com\n"
    )
    args = ["apply", "-f", str(catalog), "--nats-url", mesh.nats_url]
    assert await asyncio.to_thread(imas, [*args, "--dry-run"]) == 0
    assert "+ service kafka-prod" in capsys.readouterr().out
    assert (
        await mesh.client.get("/api/v1/teams/data-platform/", headers=mesh.auth)
    ).status_code == 404
    assert await asyncio.to_thread(imas, args) == 0
    assert "3 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert await asyncio.to_thread(imas, args) == 0
    out = capsys.readouterr().out
    assert out.startswith("no change") and "3 unchanged" in out
    service = await mesh.client.get("/api/v1/services/kafka-prod/", headers=mesh.auth)
    assert service.json()["team"]["name"] == "Data Platform"
