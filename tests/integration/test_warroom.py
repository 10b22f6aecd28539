"""The war room, the LID and chat buttons through the whole mesh: gateway → ingest → incidents
→ warroom (and escalation where it matters), with Slack played by a local server implementing
its Web API."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest

from imas_contracts.catalog import PersonSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied, TeamSpec
from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK, eventually
from imas_testing.fake_chat import Channel, FakeSlack
from imas_testing.fake_docs import FakeConfluence
from imas_warroom.app import create_runtime as create_warroom
from imas_warroom.chat.signatures import slack_signature
from imas_warroom.settings import WarroomSettings
from tests.conftest import Mesh
from tests.integration.cli_runner import imas

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
            outbound_allow=LOOPBACK,
            slack_api_url=slack.url,
            slack_bot_token="xoxb-mesh",
            slack_signing_secret=SECRET,
            sync_interval=0.05,
        )
    )
    await runtime.start()
    await mesh.incidents.bus.request(
        ApplyCatalog(
            teams=[TeamSpec(name="Security", email="security@example.com")],
            people=[
                person("Alice Martin", "U0ALICE"),
                person("Olivia Ops", "U0OLIVIA"),
                person("Victor View", "U0VICTOR"),
                # In the catalog, with no IMAS user.
                person("Chloe Ciso", "U0CISO", email="ciso@example.com"),
                person("Carol Sec", "U0CAROL"),
                person("Dan Chief", "U0DAN"),
            ],
        ),
        CatalogApplied,
    )
    # The IMAS users (and so the roles) of the people above, matched by e-mail.
    for name, role in (("alice", "responder"), ("olivia", "operator"), ("victor", "viewer")):
        user = {
            "username": name,
            "password": secrets.token_urlsafe(12),
            "role": role,
            "email": f"{name}@example.com",
        }
        created = await mesh.client.post("/api/v1/users/", json=user, headers=mesh.auth)
        assert created.status_code == 201, created.text
    yield runtime
    await runtime.stop()


def person(name: str, slack_id: str, email: str = "") -> PersonSpec:
    email = email or f"{name.split()[0].lower()}@example.com"
    return PersonSpec(name=name, email=email, chat_user_ids={"slack": slack_id})


def slack_headers(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": slack_signature(SECRET, ts, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def slash(mesh: Mesh, user_id: str, text: str, channel_id: str = "") -> str:
    """``/incident <text>`` typed in Slack by ``user_id``: Slack's reply text."""
    body = urlencode(
        {"command": "/incident", "text": text, "user_id": user_id, "channel_id": channel_id}
    )
    reply = await mesh.client.post(
        "/api/v1/chat/slack/commands", content=body, headers=slack_headers(body)
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["text"])


async def press(mesh: Mesh, user_id: str, action: str, incident_id: object) -> str:
    """A button of the room's header pressed in Slack by ``user_id``: Slack's reply text."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id},
        "actions": [{"action_id": action, "value": incident_id}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    reply = await mesh.client.post(
        "/api/v1/chat/slack/interactions", content=body, headers=slack_headers(body)
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["text"])


async def open_room(
    mesh: Mesh, slack: FakeSlack, **changes: object
) -> tuple[dict[str, object], Channel]:
    created = await mesh.client.post(
        "/api/v1/incidents/", json={**SEV1, **changes}, headers=mesh.auth
    )
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


async def test_chat_actions_follow_the_role_of_the_mapped_imas_user(
    mesh: Mesh, warroom: ServiceRuntime, slack: FakeSlack
) -> None:
    incident, channel = await open_room(mesh, slack)
    refused = await press(mesh, "U0VICTOR", "incident_ack", incident["id"])
    assert "Your IMAS role (viewer) does not allow `ack`: it needs operator" in refused
    stranger = await press(mesh, "U0NOBODY", "incident_ack", incident["id"])
    assert "is not linked to an IMAS person" in stranger and "Link your account" in stranger
    no_user = await slash(mesh, "U0CISO", "ack", channel.id)
    assert "ciso@example.com" in no_user and "has no IMAS user account" in no_user
    detail = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
    assert detail.json()["status"] == "TRIGGERED"  # nobody above could change it

    acked = await slash(mesh, "U0OLIVIA", "ack", channel.id)
    assert "is now ACKNOWLEDGED (by Olivia Ops)" in acked
    not_allowed = await slash(mesh, "U0OLIVIA", "resolve all good", channel.id)
    assert "Your IMAS role (operator) does not allow `resolve`: it needs responder" in not_allowed
    viewer_reads = await slash(mesh, "U0VICTOR", "status", channel.id)
    assert "ACKNOWLEDGED" in viewer_reads
    detail = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
    assert detail.json()["status"] == "ACKNOWLEDGED"
    assert any(e["actor"] == "Olivia Ops" for e in detail.json()["timeline"])
    resolved = await slash(mesh, "U0ALICE", "resolve all good", channel.id)
    assert "is now RESOLVED (by Alice Martin)" in resolved


async def test_slash_create_opens_an_incident_for_the_mapped_person(
    mesh: Mesh, warroom: ServiceRuntime
) -> None:
    asked = await slash(mesh, "U0ALICE", "create SEV2 db is slow")
    assert "Which service is affected? Add `service:<name>`" in asked
    refused = await slash(mesh, "U0OLIVIA", "create SEV2 service:postgres-prod db is slow")
    assert "does not allow `create`" in refused
    unknown = await slash(mesh, "U0ALICE", "create service:nope db is slow")
    assert unknown.startswith("Not created:") and "nope" in unknown

    opened = await slash(mesh, "U0ALICE", "create SEV2 service:postgres-prod db is slow")
    assert "- db is slow opened (SEV2 high, postgres-prod) by Alice Martin" in opened
    listed = await mesh.client.get("/api/v1/incidents/?service=postgres-prod", headers=mesh.auth)
    [created] = listed.json()["results"]
    assert (created["title"], created["severity"]) == ("db is slow", "SEV2_HIGH")
    assert opened.startswith(f"INC-{created['short_id']} ")
    detail = await mesh.client.get(f"/api/v1/incidents/{created['id']}/", headers=mesh.auth)
    assert detail.json()["timeline"][0]["actor"] == "Alice Martin"


async def test_comments_appear_in_the_lid_timeline(mesh: Mesh, warroom: ServiceRuntime) -> None:
    created = await mesh.client.post(
        "/api/v1/incidents/", json={**SEV1, "severity": "SEV3_MEDIUM"}, headers=mesh.auth
    )
    incident = created.json()
    comment = await mesh.client.post(
        f"/api/v1/incidents/{incident['id']}/comments/",
        json={"body": "Replica lag is 40 s on node 3"},
        headers=mesh.auth,
    )
    assert comment.status_code == 201, comment.text

    async def documented() -> None:
        markdown = await mesh.client.get(f"/incidents/{incident['id']}/lid.md", headers=mesh.auth)
        assert markdown.status_code == 200, markdown.text
        assert "Comment: Replica lag is 40 s on node 3" in markdown.text
        html = await mesh.client.get(f"/incidents/{incident['id']}/lid", headers=mesh.auth)
        assert "<td>Comment: Replica lag is 40 s on node 3</td>" in html.text

    await eventually(documented, timeout=10)
    lines = (await mesh.client.get(f"/incidents/{incident['id']}/lid.md", headers=mesh.auth)).text
    timeline = lines.split("## Timeline", 1)[1]
    # In time order: opened first, then the comment.
    assert timeline.index("Incident opened") < timeline.index("Comment: Replica lag")


async def test_scope_teams_are_invited_and_slash_escalate_pages_the_next_level(
    mesh: Mesh, warroom: ServiceRuntime, escalation: ServiceRuntime, slack: FakeSlack
) -> None:
    people = (await mesh.client.get("/api/v1/people/", headers=mesh.auth)).json()["results"]
    ids = {p["email"]: p["id"] for p in people}
    teams = (await mesh.client.get("/api/v1/teams/", headers=mesh.auth)).json()["results"]
    team_ids = {t["name"]: t["id"] for t in teams}

    async def configured(path: str, body: dict[str, object]) -> None:
        # Escalation learns people from catalog events: retry until it knows them.
        response = await mesh.client.post(path, json=body, headers=mesh.auth)
        assert response.status_code == 201, response.text

    # The Security team (named by the Security scope's mandatory e-mails) has Carol in rotation.
    await eventually(
        lambda: configured(
            "/api/v1/schedules/",
            {
                "team_id": team_ids["Security"],
                "name": "Security rotation",
                "layers": [{"members": [ids["carol@example.com"]], "start": "2026-01-05T09:00:00"}],
            },
        ),
        timeout=10,
    )
    await eventually(
        lambda: configured(
            "/api/v1/escalation-policies/",
            {
                "team_id": team_ids["SRE Core"],
                "name": "SRE",
                "steps": [
                    {"delay_minutes": 0, "targets": [{"kind": "team"}], "channels": ["slack"]},
                    {
                        "delay_minutes": 60,
                        "targets": [{"kind": "person", "id": ids["dan@example.com"]}],
                        "channels": ["email"],
                    },
                ],
            },
        ),
        timeout=10,
    )
    incident, channel = await open_room(mesh, slack, impacted_scopes=["Security"])
    # Chloe is named by the scope's e-mails, Carol is in the Security team's rotation.
    invited = [c.body["users"] for c in slack.calls("conversations.invite")]
    assert any({"U0CISO", "U0CAROL"} <= set(users.split(",")) for users in invited), invited
    assert {"U0CISO", "U0CAROL"} <= set(channel.members)

    async def first_step_fired() -> None:
        history = await mesh.client.get(
            f"/api/v1/incidents/{incident['id']}/escalation/", headers=mesh.auth
        )
        assert [e["status"] for e in history.json()["entries"] if e["step"] == 0] == ["fired"]

    await eventually(first_step_fired, timeout=15)
    refused = await slash(mesh, "U0VICTOR", "escalate", channel.id)
    assert "does not allow `escalate`" in refused
    escalated = await slash(mesh, "U0OLIVIA", "escalate", channel.id)
    assert escalated == (
        f"INC-{incident['short_id']} escalated to level 2: paging Dan Chief (by Olivia Ops)."
    )

    async def paged() -> None:
        deliveries = await mesh.client.get(
            f"/api/v1/incidents/{incident['id']}/deliveries/", headers=mesh.auth
        )
        # Escalation's own run fired its second step early: it is not paged again when due.
        to = [(d["recipient"], d["channel"]) for d in deliveries.json()["results"]]
        assert any("Dan Chief" in who and via == "email" for who, via in to), to
        lid = await mesh.client.get(f"/incidents/{incident['id']}/lid.md", headers=mesh.auth)
        assert "Escalation step 2 fired early: paged Dan Chief | Olivia Ops" in lid.text
        timeline = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/timeline/")
        assert any(
            e["message"] == "Escalation step 2 fired early (asked by Olivia Ops): paged Dan Chief"
            " via email"
            for e in timeline
        ), timeline

    await eventually(paged, timeout=15)
    last = await slash(mesh, "U0OLIVIA", "escalate", channel.id)
    assert "already reached the last escalation level of SRE Core" in last


async def test_imas_apply_creates_runbooks_once_and_dry_run_changes_nothing(
    mesh: Mesh, warroom: ServiceRuntime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "runbooks.yaml"
    path.write_text(
        "runbooks:\n"
        "  - name: Redis down\n"
        "    service: redis-prod\n"
        "    steps:\n"
        "      - title: Check nodes\n"
        "---\n"
        "kind: Runbook\n"
        "name: Any disk full\n"
        "alert_pattern: disk full\n"
        "steps:\n"
        "  - {title: Free space, critical: true}\n"
    )
    args = ["apply", "-f", str(path)]

    async def runbooks() -> list[str]:
        listed = await mesh.client.get("/api/v1/runbooks/", headers=mesh.auth)
        return [r["name"] for r in listed.json()["results"]]

    code, out, _ = await imas(mesh, capsys, *args, "--dry-run")
    assert code == 0
    assert "+ runbook Redis down" in out and "2 to create, 0 to update" in out
    assert await runbooks() == []
    code, out, _ = await imas(mesh, capsys, *args)
    assert code == 0 and "2 created, 0 updated, 0 deleted, 0 unchanged" in out
    assert await runbooks() == ["Any disk full", "Redis down"]
    code, out, _ = await imas(mesh, capsys, *args)
    assert code == 0 and out.startswith("no change") and "2 unchanged" in out

    path.write_text(path.read_text().replace("critical: true", "critical: false"))
    code, out, _ = await imas(mesh, capsys, *args)
    assert code == 0 and "~ runbook Any disk full (steps)" in out
    assert "    steps[0].critical: true → false" in out
    path.write_text(path.read_text().replace("      - title: Check nodes\n", ""))
    code, _, err = await imas(mesh, capsys, *args)
    assert code == 2
    assert f"{path}:4: runbooks[0].steps: Expected `array`, got `null`" in err


async def test_lid_export_to_confluence_through_the_api(
    mesh: Mesh, warroom: ServiceRuntime
) -> None:
    async with FakeConfluence(email="bot@example.com", api_token="wiki-token-42") as confluence:
        config = {"base_url": confluence.url, "space_key": "OPS", "email": "bot@example.com"}
        exporter = {
            "name": "Wiki",
            "kind": "confluence",
            "config": config,
            "secrets": {"api_token": "wiki-token-42"},
        }
        created = await mesh.client.post("/api/v1/lid-exporters/", json=exporter, headers=mesh.auth)
        assert created.status_code == 201, created.text
        assert created.json()["secrets"] == ["api_token"]
        listed = await mesh.client.get("/api/v1/lid-exporters/", headers=mesh.auth)
        assert "wiki-token-42" not in listed.text and listed.json()["count"] == 1
        bad = await mesh.client.post(
            "/api/v1/lid-exporters/",
            json={**exporter, "name": "Other", "config": {**config, "base_url": "ftp://x"}},
            headers=mesh.auth,
        )
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "config.base_url"

        incident = (
            await mesh.client.post(
                "/api/v1/incidents/", json={**SEV1, "severity": "SEV3_MEDIUM"}, headers=mesh.auth
            )
        ).json()
        path = f"/api/v1/incidents/{incident['id']}/lid/"
        title = f"INC-{incident['short_id']} - Redis Cluster Down"

        async def exported_as_it_opened() -> None:
            page = confluence.by_title(title)
            assert page is not None
            link = f"{confluence.url}/wiki/spaces/OPS/pages/{page.id}"
            found = await mesh.client.get(f"/api/v1/incidents/{incident['id']}/", headers=mesh.auth)
            detail = found.json()
            assert detail["lid_link"] == link
            lines = [(e["type"], e["message"]) for e in detail["timeline"]]
            assert (
                "DOCUMENT_EXPORTED",
                f"Incident document created in Wiki (Confluence): {link}",
            ) in lines

        # Nobody asked: the LID is a Confluence page from the start, and the incident links it.
        await eventually(exported_as_it_opened, timeout=15)
        page = confluence.by_title(title)
        assert page is not None and "Incident opened: Redis Cluster Down" in page.body
        acked = await mesh.client.post(
            f"/api/v1/incidents/{incident['id']}/acknowledge/", json={}, headers=mesh.auth
        )
        assert acked.status_code == 200

        async def acknowledged_in_lid() -> None:
            document = await mesh.client.get(path, headers=mesh.auth)
            assert "Acknowledged" in document.json()["markdown"]

        await eventually(acknowledged_in_lid, timeout=10)
        again = await mesh.client.post(
            path + "export/", json={"exporter": "Wiki"}, headers=mesh.auth
        )
        assert again.status_code == 200, again.text  # updated, not created again
        assert again.json()["export"]["version"] == 2 == page.version
        assert "Acknowledged" in page.body
        assert len(confluence.calls("POST /wiki/rest/api/content")) == 1
        document = await mesh.client.get(path, headers=mesh.auth)
        assert document.json()["exports"][0]["link"] == again.json()["export"]["link"]


async def test_a_non_ascii_slack_signature_is_refused_not_crashed(
    mesh: Mesh, warroom: ServiceRuntime
) -> None:
    body = urlencode({"command": "/incident", "text": "help", "user_id": "U0ALICE"})
    headers = {**slack_headers(body), "X-Slack-Signature": "v0=" + "é" * 32}
    forged = await mesh.client.post(
        "/api/v1/chat/slack/commands",
        content=body,
        headers={k: v.encode() for k, v in headers.items()},
    )
    assert forged.status_code == 401, forged.text
