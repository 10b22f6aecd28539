from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.incidents import STATUSES, IncidentSnapshot, Ref
from imas_incidents.domain import (
    TRANSITIONS,
    auto_tags,
    check_pattern,
    plan_transition,
    plan_update,
)
from imas_runtime.errors import Conflict, Invalid
from imas_testing import factories

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
    return factories.incident(
        at=T0, short_id="0F3A9B2C", team=None, severity="SEV2_HIGH", status=status, **fields
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


@pytest.mark.timeout(60)
def test_tag_rules_answer_on_catastrophic_patterns_and_skip_refused_ones() -> None:
    rules = [
        ("hostile", "(a|aa)*c"),
        ("nested", "(x+x+)+y"),
        ("stored-before-checks", "(disk)\\1"),
        ("disk", "disk (is )?full"),
    ]
    assert auto_tags("a" * 499, rules) == []
    assert auto_tags("x" * 499, rules) == []
    assert auto_tags("DISK IS FULL on db-1", rules) == ["disk"]


def test_tag_rule_patterns_the_engine_refuses_name_their_field() -> None:
    with pytest.raises(Invalid) as refused:
        check_pattern("(?<=disk) full", "tag_rules[3].pattern")
    assert refused.value.errors[0].field == "tag_rules[3].pattern"
    assert "lookbehinds are not supported" in refused.value.errors[0].message
