"""War rooms on Slack (a local server implementing the Web API), the LID and runbooks, with
events published on the real bus as the incidents, notifier and escalation services do."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import msgspec
import pytest

from imas_contracts import new_event_id
from imas_contracts.catalog import Ref
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import (
    IncidentAcknowledged,
    IncidentResolved,
    IncidentSnapshot,
    IncidentUpdated,
)
from imas_contracts.notifier import NotificationSent
from imas_contracts.warroom import (
    ChatReply,
    DocumentView,
    EditDocument,
    GetDocument,
    GetProgress,
    ImportRunbooks,
    MatchRunbook,
    PutRunbook,
    PutTemplate,
    RunbookList,
    RunbookProgress,
    RunbookSpec,
    RunbookStep,
    RunbookView,
    RunStep,
    SlackRequest,
    TemplateView,
)
from imas_runtime.errors import RequestFailed
from imas_testing import eventually
from imas_testing.fake_chat import Channel, FakeSlack
from imas_warroom.chat.signatures import slack_signature

from .conftest import ALICE, BOB, LEGAL, Warroom, WarroomFactory, incident, triggered

pytestmark = pytest.mark.integration

SECRET = "slack-signing-secret"


@pytest.fixture(scope="module")
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token="xoxb-test") as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
async def warroom(slack: FakeSlack, warroom_factory: WarroomFactory) -> Warroom:
    return await warroom_factory(
        chat="slack",
        slack_api_url=slack.url,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        archive_after=3600.0,
    )


def now() -> datetime:
    return datetime.now(UTC)


async def room_of(slack: FakeSlack, snapshot: IncidentSnapshot) -> Channel:
    name = f"inc-{snapshot.short_id.lower()}-redis-prod"

    def opened() -> Channel:
        channel = slack.by_name(name)
        assert channel is not None and channel.pins, f"no room {name} with a pinned header yet"
        return channel

    return await eventually(opened, timeout=10)


def header_of(channel: Channel) -> dict[str, Any]:
    return channel.messages[channel.pins[0]]


def buttons(message: dict[str, Any]) -> list[str]:
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    return [e["text"]["text"] for b in actions for e in b["elements"]]


async def test_sev1_opens_a_room_with_invites_topic_and_a_pinned_header(
    warroom: Warroom, slack: FakeSlack
) -> None:
    snapshot = incident()
    await warroom.publish(triggered(snapshot))
    channel = await room_of(slack, snapshot)
    assert channel.members == ["U0ALICE", "U0BOB"]  # the lead and the team's on-call
    assert "SEV1 critical" in channel.topic and "redis-prod" in channel.topic
    header = header_of(channel)
    text = header["text"]
    assert f"INC-{snapshot.short_id} - Redis Cluster Down" in text
    assert "Status: TRIGGERED" in text and "Lead: Alice Martin" in text
    assert f"http://imas.test/incidents/{snapshot.id}/lid" in text
    assert buttons(header) == ["Acknowledge", "Resolve"]


async def test_a_lead_named_later_and_a_new_scopes_people_are_invited_when_it_happens(
    warroom: Warroom, slack: FakeSlack
) -> None:
    snapshot = incident(lead=None)
    await warroom.publish(triggered(snapshot))
    channel = await room_of(slack, snapshot)
    assert channel.members == ["U0BOB"]  # the on-call; no lead yet

    async def update(incident: IncidentSnapshot, changed: str) -> None:
        event = IncidentUpdated(
            event_id=new_event_id(), occurred_at=now(), incident=incident, changed=[changed]
        )
        await warroom.publish(event)

    led = msgspec.structs.replace(snapshot, lead=ALICE.name)
    await update(led, "lead")
    await eventually(lambda: _members(channel, ["U0BOB", "U0ALICE"]))
    scoped = msgspec.structs.replace(led, impacted_scopes=[Ref(id=LEGAL.id, name=LEGAL.name)])
    await update(scoped, "impacted_scopes")
    await eventually(lambda: _members(channel, ["U0BOB", "U0ALICE", "U0CAROL"]))

    def announced() -> None:
        said = [m["text"] for m in channel.messages.values()]
        assert ":wave: <@U0ALICE> joined this war room." in said
        assert ":wave: <@U0CAROL> joined this war room." in said

    await eventually(announced)
    invites = [
        c.body["users"]
        for c in slack.calls("conversations.invite")
        if c.body["channel"] == channel.id
    ]
    assert invites == ["U0BOB", "U0ALICE", "U0CAROL"]  # each newcomer once, nobody twice


def _members(channel: Channel, expected: list[str]) -> None:
    assert channel.members == expected


async def test_sev3_gets_a_lid_but_no_room(warroom: Warroom, slack: FakeSlack) -> None:
    snapshot = incident("SEV3_MEDIUM")
    await warroom.publish(triggered(snapshot))

    async def documented() -> DocumentView:
        return await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)

    doc = await eventually(_ok(documented), timeout=10)
    assert doc.title == f"INC-{snapshot.short_id} - Redis Cluster Down"
    assert slack.by_name(f"inc-{snapshot.short_id.lower()}-redis-prod") is None


async def test_status_changes_update_the_header_and_post_milestones(
    warroom: Warroom, slack: FakeSlack
) -> None:
    snapshot = incident()
    await warroom.publish(triggered(snapshot))
    channel = await room_of(slack, snapshot)
    acked = msgspec.structs.replace(snapshot, status="ACKNOWLEDGED", acknowledged_at=now())
    await warroom.publish(
        IncidentAcknowledged(
            event_id=new_event_id(), occurred_at=now(), incident=acked, actor="Bob Stone"
        )
    )

    def updated() -> None:
        assert "Status: ACKNOWLEDGED" in header_of(channel)["text"]
        assert buttons(header_of(channel)) == ["Resolve"]
        posts = [m["text"] for m in channel.messages.values() if "blocks" not in m]
        assert any("Acknowledged by Bob Stone" in p for p in posts)

    await eventually(updated, timeout=10)
    await warroom.publish(
        IncidentUpdated(
            event_id=new_event_id(),
            occurred_at=now(),
            incident=msgspec.structs.replace(acked, severity="SEV2_HIGH"),
            changed=["severity"],
        )
    )
    await eventually(lambda: _assert_in("Severity: SEV2 high", header_of(channel)["text"]))


async def test_resolved_room_is_archived_only_after_the_delay(
    warroom: Warroom, slack: FakeSlack
) -> None:
    snapshot = incident()
    await warroom.publish(triggered(snapshot))
    channel = await room_of(slack, snapshot)
    resolved = msgspec.structs.replace(snapshot, status="RESOLVED", resolved_at=now())
    await warroom.publish(
        IncidentResolved(event_id=new_event_id(), occurred_at=now(), incident=resolved)
    )
    await eventually(lambda: _assert_in("Status: RESOLVED", header_of(channel)["text"]))
    assert buttons(header_of(channel)) == []
    assert not channel.archived  # 24 h have not passed
    warroom.clock.advance(3601)

    def archived() -> None:
        assert channel.archived

    await eventually(archived, timeout=10)
    warroom.clock.advance(-3601)


async def test_a_failed_room_is_retried_reported_and_never_blocks_the_lid(
    warroom: Warroom, slack: FakeSlack
) -> None:
    failures: list[dict[str, Any]] = []

    async def collect(msg: Any) -> None:
        failures.append(json.loads(msg.data))

    sub = await warroom.bus.nc.subscribe("warroom.failed.v1", cb=collect)
    slack.fail("conversations.create", status=500)
    slack.fail("chat.postMessage", status=429, retry_after=0.1)
    snapshot = incident()
    await warroom.publish(triggered(snapshot))

    async def documented() -> DocumentView:
        return await warroom.ask(GetDocument(incident=snapshot.short_id), DocumentView)

    await eventually(_ok(documented), timeout=10)  # the LID exists whatever the chat does

    def reported() -> None:
        assert [f["error"] for f in failures if f["incident_id"] == snapshot.id] == ["http_500"]

    await eventually(reported, timeout=10)
    warroom.clock.advance(2)  # past the first backoff
    channel = await room_of(slack, snapshot)
    warroom.clock.advance(-2)
    assert header_of(channel)["text"]
    await sub.unsubscribe()
    # The rate limit was honoured without a failure report.
    assert [f["error"] for f in failures if f["incident_id"] == snapshot.id] == ["http_500"]


async def test_lid_of_a_scripted_incident_contains_every_timeline_item(
    warroom: Warroom, slack: FakeSlack
) -> None:
    book = await warroom.ask(
        PutRunbook(
            runbook=RunbookSpec(
                name="Redis cluster down",
                service="redis-prod",
                alert_pattern="cluster down",
                steps=[
                    RunbookStep(title="Check node health", command="redis-cli cluster info"),
                    RunbookStep(title="Fail over to replica", critical=True, rollback="fail back"),
                    RunbookStep(title="Warm the cache"),
                ],
            )
        ),
        RunbookView,
    )
    snapshot = incident()
    await warroom.publish(triggered(snapshot))
    progress = await eventually(
        _ok(lambda: warroom.ask(GetProgress(incident=snapshot.id), RunbookProgress))
    )
    assert progress.runbook.id == book.runbook.id and progress.next_step == 1
    await warroom.publish(
        NotificationSent(
            event_id=new_event_id(),
            occurred_at=now(),
            incident_id=snapshot.id,
            delivery_id="d1",
            idempotency_key="k1",
            channel="sms",
            provider="twilio",
            recipient="Bob Stone",
        )
    )
    await warroom.publish(
        EscalationStepFired(
            event_id=new_event_id(),
            occurred_at=now(),
            incident_id=snapshot.id,
            run_id="r1",
            step=1,
            due_at=now(),
            fired_at=now(),
            names=["Carol Chief"],
        )
    )
    acked = msgspec.structs.replace(
        snapshot, status="ACKNOWLEDGED", acknowledged_at=now(), mtta_seconds=95.0
    )
    await warroom.publish(
        IncidentAcknowledged(
            event_id=new_event_id(), occurred_at=now(), incident=acked, actor="Bob Stone"
        )
    )
    run = RunStep(incident=snapshot.id, step=1, action="start", actor="Bob Stone")
    await warroom.ask(run, RunbookProgress)
    await warroom.ask(
        msgspec.structs.replace(run, action="done", note="2 of 3 nodes down"), RunbookProgress
    )
    with pytest.raises(RequestFailed) as unconfirmed:
        await warroom.ask(RunStep(incident=snapshot.id, step=2, action="done"), RunbookProgress)
    assert unconfirmed.value.errors[0].field == "confirm"
    await warroom.ask(
        RunStep(incident=snapshot.id, step=2, action="done", confirm=True, actor="Alice Martin"),
        RunbookProgress,
    )
    progress = await warroom.ask(
        RunStep(
            incident=snapshot.id, step=3, action="skip", note="cache is warm", actor="Bob Stone"
        ),
        RunbookProgress,
    )
    assert [s.status for s in progress.steps] == ["done", "done", "skipped"]
    assert progress.next_step is None
    resolved = msgspec.structs.replace(
        acked, status="RESOLVED", resolved_at=now(), mttr_seconds=1800.0
    )
    await warroom.publish(
        IncidentResolved(
            event_id=new_event_id(),
            occurred_at=now(),
            incident=resolved,
            actor="Alice Martin",
            note="failover done",
        )
    )
    await warroom.ask(
        EditDocument(incident=snapshot.id, root_cause="Disk full on the primary"), DocumentView
    )

    async def complete() -> str:
        doc = await warroom.ask(GetDocument(incident=snapshot.id, html=True), DocumentView)
        text = doc.markdown
        for line in (
            "Incident opened: Redis Cluster Down",
            "Paged Bob Stone via sms",
            "Escalation step 2: paged Carol Chief",
            "Acknowledged",
            "step 1 (Check node health) started",
            "step 1 (Check node health) done: 2 of 3 nodes down",
            "step 2 (Fail over to replica) done",
            "step 3 (Warm the cache) skipped: cache is warm",
            "Resolved: failover done",
            "| 30s | 1m 35s | 30m 00s |",
            "Disk full on the primary",
            "- Alice Martin",
            "- Bob Stone",
        ):
            assert line in text, f"{line!r} missing from the LID"
        assert "<h2>Timeline</h2>" in doc.html
        return text

    await eventually(complete, timeout=10)
    channel = await room_of(slack, snapshot)

    def milestones() -> None:
        posts = " ".join(m["text"] for m in channel.messages.values() if "blocks" not in m)
        assert "Fail over to replica" in posts and "Escalation step 2" in posts

    await eventually(milestones, timeout=10)


async def test_runbooks_import_from_yaml_and_match_by_service_then_title(warroom: Warroom) -> None:
    yaml_text = """
runbooks:
  - name: Postgres failover
    service: postgres-prod
    steps:
      - title: Promote the replica
        critical: true
  - name: Any disk full
    alert_pattern: "disk (is )?full"
    steps:
      - title: Free space
"""
    first = await warroom.ask(ImportRunbooks(yaml=yaml_text), RunbookList)
    again = await warroom.ask(ImportRunbooks(yaml=yaml_text), RunbookList)
    assert [r.id for r in again.runbooks] == [r.id for r in first.runbooks]  # updated, not added
    own = await warroom.ask(
        MatchRunbook(service="postgres-prod", title="Disk is full"), RunbookList
    )
    # The service's own runbook first, then one found by the title.
    assert [r.name for r in own.runbooks] == ["Postgres failover", "Any disk full"]
    by_title = await warroom.ask(
        MatchRunbook(service="api-gateway", title="DISK FULL"), RunbookList
    )
    assert [r.name for r in by_title.runbooks] == ["Any disk full"]
    with pytest.raises(RequestFailed) as bad:
        await warroom.ask(ImportRunbooks(yaml="runbooks: [{name: x, service: y}]"), RunbookList)
    assert bad.value.errors[0].field == "runbooks[0].steps"
    with pytest.raises(RequestFailed) as deep:
        await warroom.ask(ImportRunbooks(yaml="runbooks: " + "[" * 5000 + "]" * 5000), RunbookList)
    assert [e.field for e in deep.value.errors] == ["yaml"]
    with pytest.raises(RequestFailed) as taken:
        clash = msgspec.structs.replace(first.runbooks[0], id="")
        await warroom.ask(PutRunbook(runbook=clash), RunbookView)
    assert taken.value.code == "conflict"


async def test_admins_template_changes_the_lid_and_a_broken_one_is_refused(
    warroom: Warroom,
) -> None:
    snapshot = incident("SEV4_LOW")
    await warroom.publish(triggered(snapshot))
    await eventually(_ok(lambda: warroom.ask(GetDocument(incident=snapshot.id), DocumentView)))
    with pytest.raises(RequestFailed) as broken:
        await warroom.ask(PutTemplate(body="{{ incident.missing.field }}"), TemplateView)
    assert broken.value.errors[0].field == "body"
    await warroom.ask(
        PutTemplate(body="# {{ title }}\nOwner: {{ incident.service.name }}\n"), TemplateView
    )
    doc = await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)
    assert doc.markdown == f"# INC-{snapshot.short_id} - Redis Cluster Down\nOwner: redis-prod\n"
    await warroom.ask(PutTemplate(body=""), TemplateView)


def signed(body: str, *, secret: str = SECRET, age: float = 0) -> tuple[str, str]:
    ts = str(int(time.time() - age))
    return ts, slack_signature(secret, ts, body)


async def test_slack_requests_need_a_fresh_valid_signature(warroom: Warroom) -> None:
    body = urlencode({"command": "/incident", "text": "help", "user_id": BOB.id})
    for ts, signature in (
        signed(body, secret="wrong"),
        signed(body, age=301),
        ("", ""),
    ):
        reply = await warroom.ask(
            SlackRequest(kind="command", body=body, timestamp=ts, signature=signature), ChatReply
        )
        assert reply.status == 401
    ts, signature = signed(body)
    ok = await warroom.ask(
        SlackRequest(kind="command", body=body, timestamp=ts, signature=signature), ChatReply
    )
    assert ok.status == 200 and "/incident ack" in json.loads(ok.body)["text"]
    unknown = urlencode({"command": "/incident", "text": "dance"})
    ts, signature = signed(unknown)
    reply = await warroom.ask(
        SlackRequest(kind="command", body=unknown, timestamp=ts, signature=signature), ChatReply
    )
    assert "Unknown command 'dance'" in json.loads(reply.body)["text"]
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123"})
    ts, signature = signed(challenge)
    reply = await warroom.ask(
        SlackRequest(kind="event", body=challenge, timestamp=ts, signature=signature), ChatReply
    )
    assert json.loads(reply.body) == {"challenge": "abc123"}


def _assert_in(part: str, whole: str) -> None:
    assert part in whole, f"{part!r} not in {whole!r}"


def _ok(call: Any) -> Any:
    """``call`` as an ``eventually`` check: a not-found reply is 'not yet'."""

    async def check() -> Any:
        try:
            return await call()
        except RequestFailed as exc:
            raise AssertionError(exc.message) from exc

    return check
