"""Incidents, catalog and metrics through the public API, on the in-process mesh."""

from __future__ import annotations

import asyncio
import csv
import io

import httpx
import pytest

from imas_testing.dashboard import sign_in
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


async def test_a_page_larger_than_a_nats_message_is_listed_whole(mesh: Mesh) -> None:
    # 260 incidents with 4 KB descriptions: about 1.2 MB of answer, over NATS's 1 MB message.
    async def create(i: int) -> None:
        created = await mesh.client.post(
            "/api/v1/incidents/",
            json=body(f"Disk full {i}", dedup_key=f"big-{i}", description="d" * 4096),
            headers=mesh.auth,
        )
        assert created.status_code == 201, created.text

    for start in range(0, 260, 20):
        await asyncio.gather(*(create(i) for i in range(start, start + 20)))
    listed = await mesh.client.get("/api/v1/incidents/?page_size=500", headers=mesh.auth)
    assert listed.status_code == 200, listed.text
    assert listed.json()["count"] == 260 and len(listed.json()["results"]) == 260


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


async def test_tag_rules_over_http_tag_new_incidents_and_refuse_what_the_engine_cannot_run(
    mesh: Mesh,
) -> None:
    rule = {"tag": "Cache", "pattern": "redis|memcached"}
    created = await mesh.client.post("/api/v1/tag-rules/", json=rule, headers=mesh.auth)
    assert created.status_code == 201, created.text
    assert created.json()["tag"] == "cache"
    again = await mesh.client.post("/api/v1/tag-rules/", json=rule, headers=mesh.auth)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "tag"
    bad = {"tag": "x", "pattern": "(redis)\\1"}
    refused = await mesh.client.post("/api/v1/tag-rules/", json=bad, headers=mesh.auth)
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "pattern"
    untagged = await mesh.client.post(
        "/api/v1/tag-rules/", json={"pattern": "x"}, headers=mesh.auth
    )
    assert untagged.status_code == 400, untagged.text
    assert "tag" in str(untagged.json()["errors"])

    incident = await mesh.client.post("/api/v1/incidents/", json=body(), headers=mesh.auth)
    assert "cache" in incident.json()["tags"]

    rule_id = created.json()["id"]
    changed = {"tag": "cache", "pattern": "memcached"}
    replaced = await mesh.client.put(
        f"/api/v1/tag-rules/{rule_id}/", json=changed, headers=mesh.auth
    )
    assert replaced.status_code == 200 and replaced.json()["pattern"] == "memcached"
    read = await mesh.client.get("/api/v1/tag-rules/cache/", headers=mesh.auth)
    assert read.json() == replaced.json()
    gone = await mesh.client.delete(f"/api/v1/tag-rules/{rule_id}/", headers=mesh.auth)
    assert gone.status_code == 204
    listed = await mesh.client.get("/api/v1/tag-rules/", headers=mesh.auth)
    assert listed.json() == {"count": 0, "results": []}


async def test_a_team_has_a_manager_and_members_and_people_have_roles(mesh: Mesh) -> None:
    for name, email, roles in (
        ("Maud Leroy", "maud@example.com", []),
        ("Alice Martin", "alice@example.com", []),
        ("Cyril Chef", "cyril@example.com", ["CTO"]),
    ):
        created = await mesh.client.post(
            "/api/v1/people/",
            json={"name": name, "email": email, "roles": roles},
            headers=mesh.auth,
        )
        assert created.status_code == 201, created.text
    cyril = await mesh.client.get("/api/v1/people/cyril@example.com/", headers=mesh.auth)
    assert cyril.json()["roles"] == ["cto"]
    alice = await mesh.client.get("/api/v1/people/alice@example.com/", headers=mesh.auth)

    team = await mesh.client.post(
        "/api/v1/teams/",
        json={
            "name": "Payments",
            "manager": "maud@example.com",
            "members": [alice.json()["id"], "cyril@example.com"],
        },
        headers=mesh.auth,
    )
    assert team.status_code == 201, team.text
    assert team.json()["manager"]["name"] == "Maud Leroy"
    assert [m["name"] for m in team.json()["members"]] == ["Alice Martin", "Cyril Chef"]
    # A PATCH of another field keeps the team's people.
    patched = await mesh.client.patch(
        "/api/v1/teams/payments/", json={"chat_channel": "#payments"}, headers=mesh.auth
    )
    assert patched.json()["manager"]["name"] == "Maud Leroy"
    assert len(patched.json()["members"]) == 2
    unknown = await mesh.client.patch(
        "/api/v1/teams/payments/", json={"manager": "nobody@example.com"}, headers=mesh.auth
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [
        {"field": "manager", "message": "unknown person 'nobody@example.com'"}
    ]

    # The dashboard's catalog pages show them.
    await mesh.client.post(
        "/api/v1/users/",
        json={"username": "viv", "password": "correct horse battery", "role": "viewer"},
        headers=mesh.auth,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=mesh.gateway), base_url="http://imas"
    ) as browser:
        assert (await sign_in(browser, "viv", "correct horse battery")).status_code == 303
        teams_page = (await browser.get("/admin/teams")).text
        people_page = (await browser.get("/admin/people")).text
    assert "<td>Maud Leroy</td><td>Alice Martin, Cyril Chef</td>" in teams_page
    assert "<td>cto</td>" in people_page
