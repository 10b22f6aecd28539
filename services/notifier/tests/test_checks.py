"""What the notifier would not deliver, found before an incident: the same rules as paging."""

from __future__ import annotations

import pytest

from imas_contracts.notifier import StepPage
from imas_notifier.config.checks import check_delivery
from imas_notifier.routing.domain import Directory, RoutingRule
from imas_runtime.catalog import Entity

pytestmark = pytest.mark.unit

DIRECTORY = Directory(
    teams={"t1": Entity("t1", "SRE Core", {"chat_channel": "#sre-core"})},
    scopes={"sec": Entity("sec", "Security", {"mandatory_emails": ["ciso@x.io"]})},
    people={
        "alice": Entity("alice", "Alice", {"email": "alice@x.io", "phone": "+33600000001",
                                           "chat_user_ids": {"slack": "U1"}}),
        "maud": Entity("maud", "Maud", {"email": "maud@x.io"}),
    },
)  # fmt: skip
STEP3 = "Default policy, step 3 at 15 min"
LADDER = [
    StepPage(team_id="t1", step="Default policy, step 1 at 0 min", channel="slack",
                target="team", id="t1", name="SRE Core"),
    StepPage(team_id="t1", step=STEP3, channel="sms", target="person", id="alice",
                name="Alice"),
    StepPage(team_id="t1", step=STEP3, channel="sms", target="person", id="maud",
                name="Maud"),
]  # fmt: skip
EVERYTHING = {"slack": "slack", "ovh": "ovh", "smtp": "mail"}


def problems(
    configured: dict[str, str], rules: list[RoutingRule] | None = None
) -> set[tuple[str, str, str, str]]:
    found = check_delivery(LADDER, ["t1"], {"t1": ["alice", "maud"]}, DIRECTORY, rules or [],
                           configured)  # fmt: skip
    assert all(p.team == "SRE Core" and p.team_id == "t1" for p in found)
    return {(p.kind, p.step, p.channel, p.subject) for p in found}


def test_each_channel_no_provider_serves_is_named_with_its_step_or_rule() -> None:
    assert problems({}) == {
        ("channel_without_provider", "Default policy, step 1 at 0 min", "slack", "slack"),
        ("channel_without_provider", STEP3, "sms", "sms"),
        ("channel_without_provider", "routing: the team's channel at SEV1, SEV2, SEV3", "slack",
         "slack"),
        ("channel_without_provider", "routing: the on-call person at SEV1", "sms", "sms"),
        ("channel_without_provider", "routing: the on-call person at SEV1", "slack", "slack"),
        ("channel_without_provider", "routing: the impacted scopes at SEV1, SEV2, SEV3", "email",
         "email"),
    }  # fmt: skip


def test_with_providers_only_people_without_an_address_are_left() -> None:
    assert problems(EVERYTHING) == {
        ("person_without_address", STEP3, "sms", "maud"),
        ("person_without_address", "routing: the on-call person at SEV1", "sms", "maud"),
        ("person_without_address", "routing: the on-call person at SEV1", "slack", "maud"),
    }
    found = check_delivery(LADDER, [], {}, DIRECTORY, [], EVERYTHING)
    assert [p.message for p in found] == [
        f"{STEP3} pages over sms, but Maud has no sms address in the catalog"
    ]


def test_a_log_provider_an_operator_added_serves_everything_else() -> None:
    assert {k for k, *_ in problems({"log": "log"})} == {"person_without_address"}


def test_rules_are_checked_as_routing_applies_them() -> None:
    rules = [
        RoutingRule("oncall", (), severity="SEV1_CRITICAL", team_id="t1"),  # silenced
        RoutingRule("team", ("email",), team_id="t1", severity="SEV2_HIGH"),
        RoutingRule("ticket", ("webhook",), id="r1"),  # asked for: checked
    ]
    found = problems({"slack": "slack", "ovh": "ovh"}, rules)
    assert found == {
        ("person_without_address", STEP3, "sms", "maud"),
        ("channel_without_provider", "routing: the team's channel at SEV2", "email", "email"),
        ("channel_without_provider", "routing: the impacted scopes at SEV1, SEV2, SEV3", "email",
         "email"),
        # At SEV4 the built-in ticket rule is the more specific: filed where a webhook is.
        ("channel_without_provider", "routing: the ticket at SEV1, SEV2, SEV3", "webhook",
         "webhook"),
    }  # fmt: skip
