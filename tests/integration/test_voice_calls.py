"""Phone calls through the mesh, against a local server implementing Twilio's Calls API: the
call reads the incident and takes one key (1 acknowledges, 2 escalates), which Twilio posts
back to IMAS signed. Calls are placed from escalation steps and from a person's own
notification rules; what reaches the fake Twilio is counted, and the timeline read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_testing.fake_providers import Call, FakeTwilio
from tests.conftest import Mesh
from tests.integration.test_acknowledge_anywhere import (
    ACCOUNT,
    ALICE_EMAIL,
    ALICE_PHONE,
    AUTH_TOKEN,
    PUBLIC,
    add_twilio,
    incident,
    open_incident,
    pages_alice_by,
    status_changes,
)

pytestmark = pytest.mark.integration

BRUNO_PHONE = "+33600000012"
PROMPT = "Press 1 to acknowledge, 2 to escalate."


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(ACCOUNT, AUTH_TOKEN) as server:
        yield server  # type: ignore[misc]


async def the_call(twilio: FakeTwilio, title: str) -> Call:
    """The one call placed about ``title``."""

    def called() -> None:
        assert [c.to for c in twilio.placed if any(title in s for s in c.said)] == [ALICE_PHONE]

    await eventually(called, timeout=60)
    return next(c for c in twilio.placed if any(title in s for s in c.said))


async def ids(mesh: Mesh, path: str, key: str) -> dict[str, str]:
    listed: Any = await mesh.call("GET", path)
    rows = listed["results"] if isinstance(listed, dict) else listed
    return {row[key]: row["id"] for row in rows}


async def test_a_call_reads_the_incident_and_escalates_on_2_then_acknowledges_on_1(
    mesh: Mesh, escalation: ServiceRuntime, twilio: FakeTwilio
) -> None:
    await add_twilio(mesh, twilio)
    await pages_alice_by(mesh, "sms")  # SEV1 only: this SEV2 is paged by its policy alone
    people = await ids(mesh, "/api/v1/people/", "email")
    teams = await ids(mesh, "/api/v1/teams/", "name")
    policy = {
        "team_id": teams["SRE Core"],
        "name": "Call, then text the next one",
        "steps": [
            {"delay_minutes": 0, "channels": ["voice"],
             "targets": [{"kind": "person", "id": people[ALICE_EMAIL]}]},
            {"delay_minutes": 60, "channels": ["sms"],
             "targets": [{"kind": "person", "id": people["bruno.petit@example.com"]}]},
        ],
    }  # fmt: skip
    await mesh.create("/api/v1/escalation-policies/", policy)
    incident_id = await open_incident(mesh, "Sentinel failover loop", "SEV2_HIGH")

    call = await the_call(twilio, "Sentinel failover loop")
    assert call.from_ == twilio.number
    assert any("SEV2 Sentinel failover loop" in s and "redis-prod" in s for s in call.said)
    assert PROMPT in call.said
    assert call.gather_url.startswith(f"{PUBLIC}/api/v1/inbound/twilio/voice?action=")

    # 2: the next step is paged now, not in an hour.
    pressed = await twilio.press(mesh.client, call, "2")
    assert pressed.status_code == 200, pressed.text
    assert "<Say>Escalated: step 2 is being paged now.</Say>" in pressed.text

    def bruno_texted() -> None:
        assert [m["To"] for m in twilio.messages] == [BRUNO_PHONE]

    await eventually(bruno_texted, timeout=60)

    async def told() -> None:
        entries = (await incident(mesh, incident_id))["timeline"]
        assert (
            "Escalation step 2 fired early (asked by Alice Martin (a phone call)): "
            "paged Bruno Petit via sms"
        ) in [e["message"] for e in entries if e["type"] == "ESCALATION"]

    await eventually(told, timeout=30)
    again = await twilio.press(mesh.client, call, "2")
    assert "Already escalated from this page" in again.text

    # 1: acknowledged, as Alice, by phone; a forged key press does nothing.
    forged = await twilio.deliver(
        mesh.client, call.gather_url, {"AccountSid": ACCOUNT, "Digits": "1"}, signature="Zm9yZ2Vk"
    )
    assert forged.status_code == 403
    acked = await twilio.press(mesh.client, call, "1")
    assert "is now ACKNOWLEDGED (by Alice Martin)" in acked.text
    detail = await incident(mesh, incident_id)
    assert detail["status"] == "ACKNOWLEDGED"
    assert [(a, s) for _, a, s in status_changes(detail) if s == "voice"] == [
        ("Alice Martin", "voice")
    ]
    assert len(twilio.placed) == 1
    assert [m["To"] for m in twilio.messages if "Reply ACK" in m["Body"]] == [BRUNO_PHONE]


async def test_a_persons_rule_calls_them_instead_and_a_stray_key_does_nothing(
    mesh: Mesh, twilio: FakeTwilio
) -> None:
    await add_twilio(mesh, twilio)
    await pages_alice_by(mesh, "sms")
    rules = {"rules": [{"channel": "voice", "delay_minutes": 0}]}
    await mesh.call("PUT", f"/api/v1/people/{ALICE_EMAIL}/notification-rules/", json=rules)
    incident_id = await open_incident(mesh, "Primary out of disk")

    call = await the_call(twilio, "Primary out of disk")
    assert twilio.messages == []  # her rule calls her, instead of the routing's SMS
    stray = await twilio.press(mesh.client, call, "9")
    assert stray.status_code == 200 and "That key does nothing" in stray.text
    assert (await incident(mesh, incident_id))["status"] == "TRIGGERED"

    acked = await twilio.press(mesh.client, call, "1")
    assert "is now ACKNOWLEDGED (by Alice Martin)" in acked.text
    assert (await incident(mesh, incident_id))["status"] == "ACKNOWLEDGED"
