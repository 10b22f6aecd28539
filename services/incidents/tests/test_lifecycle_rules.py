from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.incidents import STATUSES, IncidentSnapshot, Ref
from imas_incidents.domain import (
    TRANSITIONS,
    auto_tags,
    plan_transition,
    plan_update,
)
from imas_runtime.errors import Conflict, Invalid

pytestmark = pytest.mark.unit

T0 = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)
ALLOWED = {
    ("acknowledge", "TRIGGERED"): "ACKNOWLEDGED",
    ("mitigate", "TRIGGERED"): "MITIGATED",
    ("mitigate", "ACKNOWLEDGED"): "MITIGATED",
    ("resolve", "TRIGGERED"): "RESOLVED",
    ("resolve", "ACKNOWLEDGED"): "RESOLVED",
    ("resolve", "MITIGATED"): "RESOLVED",
    ("reopen", "RESOLVED"): "TRIGGERED",
}
EVERY_PAIR = [(action, status) for action in TRANSITIONS for status in STATUSES]


def incident(status: str = "TRIGGERED", **fields: object) -> IncidentSnapshot:
    return IncidentSnapshot(
        id=str(uuid.uuid4()),
        short_id="0F3A9B2C",
        title="Redis Cluster Down",
        service=Ref(id="s", name="redis-prod"),
        severity="SEV2_HIGH",
        status=status,  # type: ignore[arg-type]
        detected_at=T0,
        created_at=T0,
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("action", "status"), [p for p in EVERY_PAIR if p in ALLOWED])
def test_allowed_transition_moves_to_its_state(action: str, status: str) -> None:
    new_status, _ = plan_transition(action, incident(status), T0)
    assert new_status == ALLOWED[(action, status)]


@pytest.mark.parametrize(("action", "status"), [p for p in EVERY_PAIR if p not in ALLOWED])
def test_any_other_transition_is_refused_saying_why(action: str, status: str) -> None:
    with pytest.raises(Conflict) as refused:
        plan_transition(action, incident(status), T0)
    assert f"cannot {action} incident INC-0F3A9B2C: it is {status}" in refused.value.message


def test_each_transition_stamps_its_own_time() -> None:
    later = T0 + timedelta(minutes=3)
    assert plan_transition("acknowledge", incident(), later)[1] == {"acknowledged_at": later}
    assert plan_transition("mitigate", incident(), later)[1] == {"mitigated_at": later}
    assert plan_transition("resolve", incident(), later)[1] == {"resolved_at": later}
    assert plan_transition("reopen", incident("RESOLVED"), later)[1] == {}


def test_timestamps_are_never_overwritten_after_a_reopen() -> None:
    first = T0 + timedelta(minutes=1)
    reopened = incident("TRIGGERED", acknowledged_at=first, resolved_at=first)
    assert plan_transition("acknowledge", reopened, T0 + timedelta(hours=1))[1] == {}
    assert plan_transition("resolve", reopened, T0 + timedelta(hours=1))[1] == {}


def test_unknown_action_is_invalid() -> None:
    with pytest.raises(Invalid):
        plan_transition("explode", incident(), T0)


def test_edits_become_one_timeline_line_each() -> None:
    current = incident(tags=["redis"], impacted_scopes=[Ref(id="1", name="Security")])
    changes = plan_update(
        current,
        title="Redis cluster down in eu-west",
        description=None,
        severity="SEV1_CRITICAL",
        lead="alice",
        scopes=[Ref(id="2", name="Legal")],
        add_tags=["Database"],
        remove_tags=["redis"],
    )
    assert [(c.event_type, c.message) for c in changes] == [
        ("TITLE_CHANGED", "Title changed to 'Redis cluster down in eu-west'"),
        ("SEVERITY_CHANGE", "Severity changed from SEV2_HIGH to SEV1_CRITICAL"),
        ("LEAD_ASSIGNED", "Lead assigned to alice"),
        ("SCOPE_ADDED", "Scope Legal added"),
        ("SCOPE_REMOVED", "Scope Security removed"),
        ("TAG_ADDED", "Tag database added"),
        ("TAG_REMOVED", "Tag redis removed"),
    ]


def test_an_edit_to_the_same_values_changes_nothing() -> None:
    current = incident(lead="alice")
    assert (
        plan_update(
            current,
            title="Redis Cluster Down",
            description="",
            severity="SEV2_HIGH",
            lead="alice",
            scopes=[],
            add_tags=[],
            remove_tags=[],
        )
        == []
    )


def test_tag_rules_match_the_title_case_insensitively() -> None:
    rules = [("database", r"postgres|redis|mysql"), ("network", r"\bdns\b")]
    assert auto_tags("REDIS cluster down", rules) == ["database"]
    assert auto_tags("DNS lookups failing on postgres", rules) == ["database", "network"]
