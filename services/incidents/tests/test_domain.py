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
