"""The brief's escalation ladder, end to end: an incident on a team with a manager, an on-call
person and a CTO, that nobody acknowledges. Slack at 0 and 5 min, an SMS to the on-call at 15,
an e-mail to the manager at 30, the CTO at 60 — here in seconds, through
``ESCALATION_DEFAULT_STEP_MINUTES`` — counted where they arrive: Slack and OVH played by local
servers implementing their APIs, e-mail by a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from imas_contracts.escalation import EscalationHistory, GetHistory
from imas_runtime.embedded import free_port
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_testing.fake_chat import Channel, FakeSlack
from imas_testing.fake_providers import FakeOvh
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

# The ladder in seconds: 0, 1.2, 2.4, 3.6 and 4.8 s after the incident opened.
STEP_MINUTES = "0,0.02,0.04,0.06,0.08"
OVH_KEYS = ("ladder-app-key", "ladder-app-secret", "ladder-consumer-key")
MAUD = {"name": "Maud Leroy", "email": "maud@example.com"}
OLIVIA = {"name": "Olivia Oncall", "email": "olivia@example.com", "phone": "+33611111111",
          "chat_user_ids": {"slack": "U0OLIVIA"}}  # fmt: skip
CLAIRE = {"name": "Claire Dubois", "email": "claire@example.com", "phone": "+33622222222",
          "roles": ["CTO"]}  # fmt: skip


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        yield inbox, server.port
    finally:
        server.stop()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token="xoxb-ladder") as server:
        server.channels["C0PAY"] = Channel(id="C0PAY", name="payments")
        yield server  # type: ignore[misc]


@pytest.fixture
async def ovh() -> AsyncIterator[FakeOvh]:
    async with FakeOvh(*OVH_KEYS) as server:
        yield server  # type: ignore[misc]


# The default policy's delays shortened by its setting.
@pytest.mark.parametrize("escalation", [{"default_step_minutes": STEP_MINUTES}], indirect=True)
async def test_nobody_acknowledges_and_the_whole_ladder_reaches_real_people(
    mesh: Mesh,
    escalation: ServiceRuntime,
    slack: FakeSlack,
    ovh: FakeOvh,
    mail: tuple[Inbox, int],
) -> None:
    inbox, smtp_port = mail
    # Nothing is printed instead of sent: only the vendors configured here deliver.
    await mesh.call("DELETE", "/api/v1/notification-providers/log/")
    ak, secret, ck = OVH_KEYS
    for provider in (
        {"name": "slack", "kind": "slack", "config": {"base_url": slack.url},
         "secrets": {"bot_token": "xoxb-ladder"}},
        {"name": "ovh", "kind": "ovh",
         "config": {"endpoint": f"{ovh.url}/1.0", "application_key": ak,
                    "service_name": "sms-ladder-1", "sender": "IMAS"},
         "secrets": {"application_secret": secret, "consumer_key": ck}},
        {"name": "mail", "kind": "smtp",
         "config": {"host": "127.0.0.1", "port": smtp_port, "from": "imas@example.com"}},
    ):  # fmt: skip
        await mesh.call("POST", "/api/v1/notification-providers/", json=provider)

    # This company's CTO is Claire (the demo's steps down), its payments team's manager Maud.
    await mesh.call("DELETE", "/api/v1/people/claire.dubois@example.com/")
    people = {p["name"]: await mesh.create("/api/v1/people/", p) for p in (MAUD, OLIVIA, CLAIRE)}
    team = await mesh.create(
        "/api/v1/teams/",
        {"name": "Payments", "chat_channel": "#payments", "manager": MAUD["email"],
         "members": [OLIVIA["email"]]},
    )  # fmt: skip
    await mesh.create("/api/v1/services/", {"name": "payments-api", "team": "Payments"})
    rota = {"members": [people["Olivia Oncall"]["id"]], "start": "2026-01-05T09:00:00"}
    await mesh.create(
        "/api/v1/schedules/", {"team_id": team["id"], "name": "Payments", "layers": [rota]}
    )

    # Before any incident the check says the ladder reaches everyone (once escalation has
    # heard of the catalog).
    async def checked_clean() -> None:
        report = await mesh.call("GET", f"/api/v1/escalation/check/?team={team['id']}")
        assert (report["ok"], report["problems"]) == (True, [])

    await eventually(checked_clean, timeout=30)

    incident = await mesh.create(
        "/api/v1/incidents/",
        {"title": "Checkout payments failing", "service_name": "payments-api",
         "severity": "SEV2_HIGH"},
    )  # fmt: skip

    async def everyone_reached() -> None:
        in_channel = [m["text"] for m in slack.channels["C0PAY"].messages.values()]
        assert len(in_channel) == 2  # at 0 (once, though routing and step 1 both page) and 5
        assert all("Checkout payments failing" in t for t in in_channel)
        assert [b["receivers"] for b in ovh.sent()] == [
            [OLIVIA["phone"]],  # the on-call, at 15
            [CLAIRE["phone"]],  # the CTO, at 60
        ]
        assert all("Checkout payments failing" in b["message"] for b in ovh.sent())
        assert [m["To"] for m in inbox.messages] == [MAUD["email"], CLAIRE["email"]]
        assert all("Checkout payments failing" in m["Subject"] for m in inbox.messages)

    await eventually(everyone_reached, timeout=60)

    async def told() -> list[str]:
        detail = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/")
        steps = [e["message"] for e in detail["timeline"] if e["type"] == "ESCALATION"]
        assert steps == [
            "Escalation step 1 fired: paged Payments via slack",
            "Escalation step 2 fired: paged Payments via slack",
            "Escalation step 3 fired: paged Olivia Oncall via sms",
            "Escalation step 4 fired: paged Maud Leroy via email",
            "Escalation step 5 fired: paged Claire Dubois via email, sms",
        ]
        sent = [e["message"] for e in detail["timeline"] if e["type"] == "ALERT_SENT"]
        assert len(sent) == 6, sent
        assert not [e for e in detail["timeline"] if e["type"] == "ALERT_FAILED"]
        return sent

    sent = await eventually(told, timeout=30)
    assert {s.rsplit(" via ", 1)[1] for s in sent} == {"slack", "sms", "email"}
    deliveries = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/deliveries/")
    assert sorted((d["channel"], d["provider"], d["status"]) for d in deliveries["results"]) == [
        ("email", "mail", "sent"),
        ("email", "mail", "sent"),
        ("slack", "slack", "sent"),
        ("slack", "slack", "sent"),
        ("sms", "ovh", "sent"),
        ("sms", "ovh", "sent"),
    ]
    history = await escalation.bus.request(
        GetHistory(incident_id=incident["id"]), EscalationHistory
    )
    assert (history.policy_name, history.status) == ("Default", "exhausted")
    assert [(e.step, e.status, e.result) for e in history.entries] == [
        (step, "fired", "paged") for step in range(5)
    ]
