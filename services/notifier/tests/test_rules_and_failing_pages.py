"""Checking routing and notification rules, and the alert a page given up raises: pure rules."""

from __future__ import annotations

import msgspec
import pytest

from imas_contracts.alert_payloads import decode
from imas_notifier.domain import Page, avoid_provider, failing_pages_alert, failing_provider
from imas_notifier.routing.domain import RoutingRule, check_person_rules, check_rule
from imas_runtime.errors import Invalid

pytestmark = pytest.mark.unit


def fields_of(exc: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [e.field for e in exc.value.errors]


def test_a_rule_reaching_its_target_is_accepted() -> None:
    check_rule(RoutingRule("oncall", ("sms", "chat"), severity="SEV1_CRITICAL", responder="p1"))
    check_rule(RoutingRule("scopes", ("email",), scope_id="sec"))
    check_rule(RoutingRule("ticket", ()))  # silences the ticket


@pytest.mark.parametrize(
    ("rule", "fields"),
    [
        (RoutingRule("scopes", ("sms",)), ["channels[0]"]),
        (RoutingRule("ticket", ("webhook", "webhook")), ["channels"]),
        (RoutingRule("team", ("chat",), severity="SEV5"), ["severity"]),
        (RoutingRule("team", ("chat",), responder="p1"), ["responder"]),
        (RoutingRule("oncall", ("sms",), scope_id="sec"), ["scope_id"]),
        (RoutingRule("pager", ("sms",)), ["target"]),
    ],
)
def test_a_rule_that_cannot_route_names_the_field(rule: RoutingRule, fields: list[str]) -> None:
    with pytest.raises(Invalid) as refused:
        check_rule(rule)
    assert fields_of(refused) == fields


def test_notification_rules_need_known_channels_and_sane_delays() -> None:
    check_person_rules([("ntfy", 0), ("sms", 1), ("email", 5)])
    with pytest.raises(Invalid) as refused:
        check_person_rules([("pigeon", 0), ("sms", -1), ("email", 5), ("email", 5)])
    assert fields_of(refused) == ["rules[0].channel", "rules[1].delay_minutes", "rules"]
    with pytest.raises(Invalid) as empty:
        check_person_rules([])
    assert fields_of(empty) == ["rules"]


def test_the_failing_pages_alert_is_one_incident_per_channel_and_provider() -> None:
    alert = failing_pages_alert("imas", "slack", "slack-main", "team:SRE", "HTTP 503", 8)
    decoded = decode("custom", msgspec.json.encode([alert]))
    assert isinstance(decoded, list) and len(decoded) == 1
    parsed = decoded[0]
    assert (parsed.title, parsed.severity, parsed.service) == (
        "Pages are failing: slack via slack-main",
        "SEV2",
        "imas",
    )
    assert failing_provider(parsed.dedup_key) == ("slack", "slack-main")
    other = failing_pages_alert("imas", "slack", "slack-main", "Bob (person:p2)", "timeout", 8)
    assert other.dedup_key == alert.dedup_key
    assert failing_provider("checkout-api/HighErrorRate") is None


def test_an_incident_about_a_provider_is_not_paged_through_it() -> None:
    pages = [
        Page("k1", "slack", "slack-main", "team:SRE", "m"),
        Page("k2", "email", "mail", "ciso@x.io", "m", "ciso@x.io"),
    ]
    with_log = {"slack": "slack-main", "smtp": "mail", "log": "log"}
    assert [(p.channel, p.provider) for p in avoid_provider(pages, "slack-main", with_log)] == [
        ("log", "log"),
        ("email", "mail"),
    ]
    # Without a log provider the page is not sent anywhere, and says why.
    avoided = avoid_provider(pages, "slack-main", {"slack": "slack-main", "smtp": "mail"})
    assert [p.undeliverable for p in avoided] == [
        "this incident is about slack-main failing: not paged through it",
        "",
    ]
