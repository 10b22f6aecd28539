"""Incident roles and stakeholder updates through the mesh: roles given from the API and from
Slack (the holder invited to the war room, which a local Slack implementing its Web API
counts), status updates sent to subscribers (a real SMTP server and the same local Slack count
what arrived), each in the timeline and the LID."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

import pytest
from aiosmtpd.controller import Controller

from imas_contracts.catalog import PersonSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied
from imas_runtime.embedded import free_port
from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK, eventually
from imas_testing.fake_chat import Channel, FakeSlack
from imas_warroom.app import create_runtime as create_warroom
from imas_warroom.chat.signatures import slack_signature
from imas_warroom.settings import WarroomSettings
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

SECRET = secrets.token_hex(16)
SEV1 = {"title": "Checkout 500s", "service_name": "redis-prod", "severity": "SEV1_CRITICAL"}
PEOPLE = [
    ("Rita Responder", "U0RITA", "rita@example.com", "responder"),
    ("Otto Operator", "U0OTTO", "otto@example.com", "operator"),
    ("Sam Scribe", "U0SAM", "sam@example.com", ""),
]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    server = Controller(box, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        yield box, server.port
    finally:
        server.stop()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token="xoxb-mesh") as server:
        server.channels["C0STATUS"] = Channel(id="C0STATUS", name="status")
        # The demo's SRE Core team (owner of redis-prod) is paged in #sre-core.
        server.channels["C0SRE"] = Channel(id="C0SRE", name="sre-core")
        yield server  # type: ignore[misc]


@pytest.fixture
async def warroom(
    mesh: Mesh,
    slack: FakeSlack,
    mailbox: tuple[Mailbox, int],
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    """War rooms on the local Slack; the notifier sends through that Slack and the SMTP
    server (the demo's log provider is gone); the people above, with IMAS users."""
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
    people = [
        PersonSpec(name=name, email=email, chat_user_ids={"slack": user})
        for name, user, email, _ in PEOPLE
    ]
    await mesh.incidents.bus.request(ApplyCatalog(people=people), CatalogApplied)
    for name, _, email, role in PEOPLE:
        if role:
            user = {"username": name.split()[0].lower(), "password": secrets.token_urlsafe(12),
                    "role": role, "email": email}  # fmt: skip
            await mesh.create("/api/v1/users/", user)
    _, port = mailbox
    await mesh.call("DELETE", "/api/v1/notification-providers/log/")
    smtp = {"host": "127.0.0.1", "port": port, "from": "imas@example.com", "start_tls": False}
    await mesh.create(
        "/api/v1/notification-providers/", {"name": "mail", "kind": "smtp", "config": smtp}
    )
    chat = {"base_url": slack.url}
    await mesh.create("/api/v1/notification-providers/", {"name": "slack", "kind": "slack",
                      "config": chat, "secrets": {"bot_token": "xoxb-mesh"}})  # fmt: skip
    yield runtime
    await runtime.stop()


async def viewer_auth(mesh: Mesh) -> dict[str, str]:
    made = await mesh.create("/api/v1/tokens/", {"name": "viewer", "role": "viewer"})
    return {"Authorization": f"Token {made['token']}"}


async def open_room(mesh: Mesh, slack: FakeSlack) -> tuple[dict[str, Any], Channel]:
    """A new SEV1 and its war room, once open on the local Slack."""
    incident = await mesh.create("/api/v1/incidents/", SEV1)
    name = f"inc-{incident['short_id'].lower()}-redis-prod"

    def opened() -> Channel:
        channel = slack.by_name(name)
        assert channel is not None and channel.pins, list(slack.channels.values())
        return channel

    channel = await eventually(opened, timeout=20)

    async def recorded() -> None:
        # The room is pinned on Slack before the war room service has recorded it: until then,
        # a command typed in it cannot say which incident it is about.
        found = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/")
        assert found["war_room_link"], "the war room is not recorded yet"

    await eventually(recorded, timeout=20)
    return incident, channel


async def timeline(mesh: Mesh, incident_id: str, kind: str) -> list[tuple[str, str | None]]:
    detail = await mesh.call("GET", f"/api/v1/incidents/{incident_id}/")
    return [(e["message"], e["actor"]) for e in detail["timeline"] if e["type"] == kind]


async def lid(mesh: Mesh, incident_id: str) -> str:
    document = await mesh.call("GET", f"/api/v1/incidents/{incident_id}/lid/")
    return str(document["markdown"])


async def slash(mesh: Mesh, user_id: str, text: str, channel_id: str) -> str:
    """``/incident <text>`` typed in Slack by ``user_id`` in ``channel_id``: the reply."""
    body = urlencode(
        {"command": "/incident", "text": text, "user_id": user_id, "channel_id": channel_id}
    )
    ts = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": slack_signature(SECRET, ts, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    reply = await mesh.client.post("/api/v1/chat/slack/commands", content=body, headers=headers)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["text"])


async def test_a_role_given_through_the_api_invites_its_holder_and_is_told_everywhere(
    mesh: Mesh, slack: FakeSlack, warroom: ServiceRuntime
) -> None:
    incident, channel = await open_room(mesh, slack)
    roles = f"/api/v1/incidents/{incident['id']}/roles/"
    listed = await mesh.call("GET", roles)
    assert [(r["role"], r["name"]) for r in listed["roles"]] == [
        ("commander", ""),
        ("scribe", ""),
        ("communications", ""),
    ]

    viewer = await viewer_auth(mesh)
    refused = await mesh.client.put(
        f"{roles}scribe/", json={"person": "Sam Scribe"}, headers=viewer
    )
    assert refused.status_code == 403
    unknown = await mesh.client.put(
        f"{roles}pilot/", json={"person": "Sam Scribe"}, headers=mesh.auth
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "role"
    nobody = await mesh.client.put(f"{roles}scribe/", json={"person": "Zed"}, headers=mesh.auth)
    assert nobody.status_code == 400 and nobody.json()["errors"][0]["field"] == "person"

    given = await mesh.client.put(
        f"{roles}scribe/", json={"person": "sam@example.com"}, headers=mesh.auth
    )
    assert given.status_code == 200, given.text
    assert ("scribe", "Sam Scribe") in [(r["role"], r["name"]) for r in given.json()["roles"]]
    again = await mesh.client.put(
        f"{roles}scribe/", json={"person": "Sam Scribe"}, headers=mesh.auth
    )
    assert again.status_code == 200

    def invited() -> None:
        assert "U0SAM" in channel.members
        assert any("U0SAM" in str(m.get("text", "")) for m in channel.messages.values())

    await eventually(invited, timeout=20)

    async def told() -> None:
        assert [m for m, _ in await timeline(mesh, incident["id"], "ROLE_ASSIGNED")] == [
            "Sam Scribe is scribe"
        ]
        text = await lid(mesh, incident["id"])
        assert "| **Scribe** | Sam Scribe |" in text and "Sam Scribe is scribe" in text

    await eventually(told, timeout=20)

    taken = await mesh.client.delete(f"{roles}scribe/", headers=mesh.auth)
    assert taken.status_code == 200
    assert ("scribe", "") in [(r["role"], r["name"]) for r in taken.json()["roles"]]

    async def untold() -> None:
        lines = [m for m, _ in await timeline(mesh, incident["id"], "ROLE_ASSIGNED")]
        assert "Scribe unassigned (was Sam Scribe)" in lines
        assert "| **Scribe** |" not in await lid(mesh, incident["id"])

    await eventually(untold, timeout=20)


async def test_a_status_update_reaches_every_kind_of_subscriber(
    mesh: Mesh, slack: FakeSlack, warroom: ServiceRuntime, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    incident = await mesh.create("/api/v1/incidents/", {**SEV1, "severity": "SEV3_MEDIUM"})
    subscribers = f"/api/v1/incidents/{incident['id']}/subscribers/"
    bodies = (
        {"person": "Sam Scribe"},
        {"team": "SRE Core"},
        {"email": "Status@Example.com"},
        {"slack": "#status"},
    )
    for body in bodies:
        answer = await mesh.client.post(subscribers, json=body, headers=mesh.auth)
        assert answer.status_code == 200, answer.text
    twice = await mesh.call("POST", subscribers, json={"email": "status@example.com"})
    assert [s["name"] for s in twice["subscribers"]] == [
        "Sam Scribe",
        "SRE Core",
        "status@example.com",
        "Slack #status",
    ]
    bad = await mesh.client.post(subscribers, json={"email": "not an address"}, headers=mesh.auth)
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "email"

    viewer = await viewer_auth(mesh)
    updates = f"/api/v1/incidents/{incident['id']}/updates/"
    refused = await mesh.client.post(updates, json={"message": "x"}, headers=viewer)
    assert refused.status_code == 403
    empty = await mesh.client.post(updates, json={"message": "  "}, headers=mesh.auth)
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "message"

    text = "Payments fail for 5% of customers; a fix is rolling out, next update at 14:30."
    sent = await mesh.client.post(updates, json={"message": text}, headers=mesh.auth)
    assert sent.status_code == 201, sent.text
    everyone = ["Sam Scribe", "SRE Core", "status@example.com", "Slack #status"]
    assert sent.json()["recipients"] == everyone

    def delivered() -> None:
        mails = {m["To"]: m for m in box.messages}
        assert sorted(mails) == ["sam@example.com", "status@example.com"]
        for mail in mails.values():
            assert mail["Subject"].startswith(
                f"INC-{incident['short_id']} status update: Checkout 500s"
            )
            assert text in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        posted = list(slack.channels["C0STATUS"].messages.values())
        assert len(posted) == 1 and text in str(posted[0])
        # The team is told in its own channel, where its pages go.
        in_team_channel = slack.channels["C0SRE"].messages.values()
        assert [m for m in in_team_channel if text in str(m)] != []

    await eventually(delivered, timeout=20)

    async def recorded() -> None:
        lines = await timeline(mesh, incident["id"], "STATUS_UPDATE")
        assert lines == [
            (
                f"Status update to {', '.join(everyone)}: {text}",
                "bootstrap admin",
            )
        ]
        assert (
            "## Status updates" in (document := await lid(mesh, incident["id"]))
            and text in document
        )
        sent = [m for m, _ in await timeline(mesh, incident["id"], "STATUS_UPDATE_SENT")]
        assert "Status update sent to status@example.com via email" in sent

    await eventually(recorded, timeout=20)

    [email] = [s for s in twice["subscribers"] if s["kind"] == "email"]
    removed = await mesh.call("DELETE", f"{subscribers}{email['id']}/")
    assert [s["name"] for s in removed["subscribers"]] == [
        "Sam Scribe",
        "SRE Core",
        "Slack #status",
    ]


async def test_subscribers_that_are_no_address_or_too_many_are_refused_naming_the_field(
    mesh: Mesh, warroom: ServiceRuntime
) -> None:
    incident = await mesh.create("/api/v1/incidents/", {**SEV1, "severity": "SEV4_LOW"})
    subscribers = f"/api/v1/incidents/{incident['id']}/subscribers/"
    for field, value in (
        ("email", "a" * 100_000 + "@example.com"),  # past what SMTP carries
        ("email", "ops\u202e@example.com"),  # a right-to-left override
        ("slack", "C" + "A" * 5000),
    ):
        bad = await mesh.client.post(subscribers, json={field: value}, headers=mesh.auth)
        assert bad.status_code == 400, bad.text[:300]
        assert [e["field"] for e in bad.json()["errors"]] == [field]
    # Each status update goes to every subscriber: an incident has at most 100.
    for i in range(100):
        await mesh.call("POST", subscribers, json={"email": f"list{i}@example.com"})
    over = await mesh.client.post(subscribers, json={"slack": "#status"}, headers=mesh.auth)
    assert over.status_code == 400 and over.json()["errors"][0]["field"] == "slack"
    again = await mesh.call("POST", subscribers, json={"email": "list7@example.com"})
    assert len(again["subscribers"]) == 100


async def test_roles_and_updates_from_slack_follow_the_callers_role(
    mesh: Mesh, slack: FakeSlack, warroom: ServiceRuntime, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    incident, channel = await open_room(mesh, slack)
    refused = await slash(mesh, "U0OTTO", "role scribe <@U0SAM>", channel.id)
    assert "Your IMAS role (operator) does not allow `role`" in refused
    given = await slash(mesh, "U0RITA", "role commander <@U0SAM|sam>", channel.id)
    assert given == f"INC-{incident['short_id']}: Sam Scribe is commander (by Rita Responder)."
    by_name = await slash(mesh, "U0RITA", "role communications @rita", channel.id)
    assert "Rita Responder is communications" in by_name
    roles = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/roles/")
    assert [(r["role"], r["name"]) for r in roles["roles"]] == [
        ("commander", "Sam Scribe"),
        ("scribe", ""),
        ("communications", "Rita Responder"),
    ]
    await eventually(lambda: _member(channel, "U0SAM"), timeout=20)

    await mesh.call(
        "POST", f"/api/v1/incidents/{incident['id']}/subscribers/", json={"person": "Sam Scribe"}
    )
    sent = await slash(mesh, "U0RITA", "update Failover done, watching error rates", channel.id)
    assert sent == f"INC-{incident['short_id']}: update sent to Sam Scribe."

    def mailed() -> None:
        assert [m["To"] for m in box.messages] == ["sam@example.com"]

    await eventually(mailed, timeout=20)

    async def recorded() -> None:
        lines = await timeline(mesh, incident["id"], "STATUS_UPDATE")
        assert lines == [
            ("Status update to Sam Scribe: Failover done, watching error rates", "Rita Responder")
        ]

    await eventually(recorded, timeout=20)


def _member(channel: Channel, user: str) -> None:
    assert user in channel.members
