from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imas_contracts.incidents import IncidentSnapshot, Ref
from imas_notifier.domain import page_text, pages_for_triggered, retry_delay

pytestmark = pytest.mark.unit

NOW = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)


def incident(team: Ref | None) -> IncidentSnapshot:
    return IncidentSnapshot(
        id="inc-1",
        short_id="INC1",
        title="Redis Cluster Down",
        service=Ref(id="s", name="redis-prod"),
        team=team,
        severity="SEV1_CRITICAL",
        status="TRIGGERED",
        detected_at=NOW,
        created_at=NOW,
    )


def test_page_names_severity_title_service_and_link() -> None:
    text = page_text(incident(None), "https://imas.example.com/")
    assert text.splitlines()[0] == "[SEV1] Redis Cluster Down"
    assert "Service: redis-prod" in text
    assert "https://imas.example.com/incidents/inc-1" in text


def test_owner_team_is_paged_with_a_stable_key() -> None:
    first = pages_for_triggered(incident(Ref(id="t", name="SRE Core")), "http://x")
    again = pages_for_triggered(incident(Ref(id="t", name="SRE Core")), "http://x")
    assert [p.recipient for p in first] == ["team:SRE Core"]
    assert first[0].idempotency_key == again[0].idempotency_key


def test_retry_delay_grows_and_is_capped() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(30) == 60
