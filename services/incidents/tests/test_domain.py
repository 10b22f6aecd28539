from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.incidents import IncidentSnapshot, Ref
from imas_incidents.domain import parse_ref, short_id, with_kpis
from imas_runtime.errors import Invalid

pytestmark = pytest.mark.unit


def test_short_id_is_the_first_eight_hex_characters_in_upper_case() -> None:
    assert short_id(uuid.UUID("0f3a9b2c-0000-4000-8000-000000000000")) == "0F3A9B2C"


@pytest.mark.parametrize("text", ["INC-0F3A9B2C", "0f3a9b2c", "inc-0f3a9b2c"])
def test_short_id_forms_are_accepted(text: str) -> None:
    assert parse_ref(text).short_id == "0F3A9B2C"


def test_uuid_is_accepted() -> None:
    value = uuid.uuid4()
    assert parse_ref(str(value)).uuid == value


@pytest.mark.parametrize("text", ["INC-XYZ", "12345", "../etc"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(Invalid):
        parse_ref(text)


def test_kpis_follow_the_brief() -> None:
    created = datetime(2026, 2, 5, 18, 35, tzinfo=UTC)
    incident = with_kpis(
        IncidentSnapshot(
            id=str(uuid.uuid4()),
            short_id="X",
            title="t",
            service=Ref(id="s", name="redis-prod"),
            severity="SEV1_CRITICAL",
            status="RESOLVED",
            detected_at=created - timedelta(minutes=5),
            created_at=created,
            acknowledged_at=created + timedelta(seconds=90),
            resolved_at=created + timedelta(hours=1),
        )
    )
    assert incident.mttd_seconds == 300
    assert incident.mtta_seconds == 90
    assert incident.mttr_seconds == 3600


def test_orchestration_summary_names_every_action_not_done_and_why() -> None:
    from imas_contracts.notifier import NotificationFailed, NotificationsPlanned, PlannedPage
    from imas_contracts.warroom import DocumentCreated, WarRoomNotOpened
    from imas_incidents.orchestration import domain as orchestration

    at = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)
    common = {"event_id": "e", "occurred_at": at, "incident_id": "i"}
    state = orchestration.Orchestration()
    events = [
        DocumentCreated(**common, document_id="d", title="t", link="https://imas/lid"),
        WarRoomNotOpened(**common, reason="no chat platform is configured"),
        NotificationsPlanned(
            **common, pages=[PlannedPage(idempotency_key="k", channel="sms", recipient="Alice")]
        ),
    ]
    for event in events:
        state = orchestration.observe(state, event)  # type: ignore[arg-type]
    assert not orchestration.settled(state)  # the SMS has no outcome yet
    failed = NotificationFailed(
        **common, delivery_id="x", idempotency_key="k", channel="sms", provider="",
        recipient="Alice", error="undeliverable: no SMS provider (OVH or Twilio) is configured",
    )  # fmt: skip
    state = orchestration.observe(state, failed)
    assert orchestration.settled(state)
    assert orchestration.summary(state) == (
        "Orchestration complete. Done: incident document https://imas/lid. Not done: war room "
        "(no chat platform is configured); page to Alice via sms (no SMS provider (OVH or "
        "Twilio) is configured)."
    )
    # Kept as JSON between events: the same state comes back.
    assert orchestration.load(orchestration.dump(state)) == state
