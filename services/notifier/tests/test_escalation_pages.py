"""The notifier's side of escalation pages: one page per (target, channel), stable keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from imas_contracts.notifier import NotificationRequested, recipient_label
from imas_notifier.domain import pages_for_request

pytestmark = pytest.mark.unit


def request(**fields: object) -> NotificationRequested:
    return NotificationRequested(
        event_id="e1",
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        incident_id="6f1c1f5e-0000-4000-8000-000000000000",
        idempotency_key="esc:inc:step1:0:person:alice:sms",
        message="[SEV1] Redis Cluster Down",
        **fields,  # type: ignore[arg-type]
    )


def test_one_target_one_channel_keeps_the_escalation_key() -> None:
    pages = pages_for_request(
        request(person_ids=["alice"], channels=["sms"], recipient_name="Alice")
    )
    assert [(p.idempotency_key, p.channel, p.recipient) for p in pages] == [
        ("esc:inc:step1:0:person:alice:sms", "sms", "Alice (person:alice)")
    ]


def test_several_targets_and_channels_get_one_page_each() -> None:
    pages = pages_for_request(
        request(person_ids=["alice"], team_ids=["sre"], channels=["slack", "email"])
    )
    assert len(pages) == 4
    assert len({p.idempotency_key for p in pages}) == 4
    assert {p.recipient for p in pages} == {"person:alice", "team:sre"}


def test_targets_a_request_does_not_name_are_named_from_the_catalog() -> None:
    pages = pages_for_request(
        request(person_ids=["alice"], team_ids=["sre", "gone"], channels=["email"]),
        names={("person", "alice"): "Alice Martin", ("team", "sre"): "SRE Core"},
    )
    assert {recipient_label(p.recipient) for p in pages} == {
        "Alice Martin",
        "team SRE Core",
        "team gone",
    }
    # The key stays the target's id: renaming a team never pages it twice.
    assert any(p.idempotency_key.endswith(":team:sre:email") for p in pages)
