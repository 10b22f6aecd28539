"""Routing table, message content, retry policy and the SSRF guard: pure rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from imas_contracts.incidents import IncidentSnapshot, Ref
from imas_contracts.notifier import Destination, NotificationRequested
from imas_notifier.domain import (
    Page,
    after_failure,
    escalation_step0_key,
    held_by_maintenance,
    maintenance_windows,
    page_text,
    pages_for_request,
    retry_delay,
)
from imas_notifier.routing.domain import Directory, RoutingRule, route_triggered
from imas_runtime.catalog import Entity
from imas_testing import factories

pytestmark = pytest.mark.unit

NOW = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)
TEAM = Ref(id="t1", name="SRE Core")
DIRECTORY = Directory(
    teams={"t1": Entity("t1", "SRE Core", {"chat_channel": "#sre-core"})},
    scopes={
        "sec": Entity("sec", "Security", {"mandatory_emails": ["ciso@x.io", "sec@x.io"]}),
        "leg": Entity("leg", "Legal", {"mandatory_emails": ["dpo@x.io", "ciso@x.io"]}),
    },
    people={"p1": Entity("p1", "Alice", {"email": "alice@x.io", "phone": "+33600000001",
                                         "chat_user_ids": {"slack": "U1"}})},
)  # fmt: skip
ALL = {"slack": "slack", "ovh": "ovh", "smtp": "mail", "webhook": "tickets"}


def incident(severity: str = "SEV1_CRITICAL", scopes: tuple[str, ...] = ()) -> IncidentSnapshot:
    return factories.incident(
        at=NOW,
        id="inc-1",
        short_id="INC1",
        team=TEAM,
        severity=severity,
        impacted_scopes=[Ref(id=s, name=s) for s in scopes],
    )


def routed(inc: IncidentSnapshot, on_call: str | None = "p1", rules: list[RoutingRule] | None = None
           ) -> set[tuple[str, str, str]]:  # fmt: skip
    pages = route_triggered(inc, DIRECTORY, rules or [], ALL, "http://imas", on_call)
    return {(p.recipient, p.channel, p.address) for p in pages}


def test_page_names_severity_title_service_and_link() -> None:
    text = page_text(incident(), "https://imas.example.com/")
    assert text.splitlines()[0] == "[SEV1] Redis Cluster Down"
    assert "Service: redis-prod" in text
    assert "https://imas.example.com/incidents/inc-1" in text


def test_sev1_pages_team_channel_oncall_by_sms_and_chat_and_each_scope_email_once() -> None:
    assert routed(incident(scopes=("sec", "leg"))) == {
        ("team:SRE Core", "slack", "#sre-core"),
        ("Alice (person:p1)", "sms", "+33600000001"),
        ("Alice (person:p1)", "slack", "U1"),
        ("ciso@x.io", "email", "ciso@x.io"),
        ("sec@x.io", "email", "sec@x.io"),
        ("dpo@x.io", "email", "dpo@x.io"),
    }


def test_sev2_does_not_text_the_oncall() -> None:
    assert routed(incident("SEV2_HIGH")) == {("team:SRE Core", "slack", "#sre-core")}


def test_sev4_is_a_ticket_only_the_incident_itself_being_the_log() -> None:
    assert routed(incident("SEV4_LOW", scopes=("sec",))) == {("ticket", "webhook", "")}


def undeliverable(
    inc: IncidentSnapshot, configured: dict[str, str], rules: list[RoutingRule] | None = None
) -> dict[tuple[str, str], str]:
    """(recipient, channel) → why each page routed with ``configured`` cannot be delivered."""
    pages = route_triggered(inc, DIRECTORY, rules or [], configured, "http://imas", "p1")
    return {(p.recipient, p.channel): p.undeliverable for p in pages}


def test_without_providers_every_page_says_it_cannot_be_delivered_and_why() -> None:
    assert undeliverable(incident(scopes=("sec",)), {}) == {
        ("team:SRE Core", "slack"): "no Slack provider is configured",
        ("Alice (person:p1)", "sms"): "no SMS provider (OVH or Twilio) is configured",
        ("Alice (person:p1)", "slack"): "no Slack provider is configured",
        ("ciso@x.io", "email"): "no e-mail (SMTP) provider is configured",
        ("sec@x.io", "email"): "no e-mail (SMTP) provider is configured",
    }
    # No ticket system: the built-in SEV4 ticket is not filed, and nothing else is paged.
    assert undeliverable(incident("SEV4_LOW"), {}) == {}
    # A stored ticket rule asked for one: it is undeliverable, not dropped.
    asked = [RoutingRule("ticket", ("webhook",), severity="SEV4_LOW", id="r1")]
    assert undeliverable(incident("SEV4_LOW"), {}, asked) == {
        ("ticket", "webhook"): "no webhook provider is configured"
    }


def test_a_person_without_an_address_for_the_channel_is_not_paged_through_it() -> None:
    no_phone = Directory(
        teams=DIRECTORY.teams, people={"p1": Entity("p1", "Alice", {"email": "alice@x.io"})}
    )
    pages = route_triggered(incident(), no_phone, [], ALL, "http://imas", "p1")
    reasons = {(p.channel, p.target): p.undeliverable for p in pages}
    assert reasons == {
        ("slack", "team"): "",
        ("sms", "person"): "Alice (person:p1) has no sms address in the catalog",
        ("slack", "person"): "Alice (person:p1) has no slack address in the catalog",
    }


def test_an_operators_log_provider_serves_what_no_other_provider_does() -> None:
    pages = route_triggered(incident(), DIRECTORY, [], {"log": "log"}, "http://imas", "p1")
    assert {(p.channel, p.provider, p.undeliverable) for p in pages} == {
        ("log", "log", ""),
        ("sms", "log", ""),
    }


def test_a_team_rule_overrides_the_default_and_an_empty_rule_silences() -> None:
    rules = [RoutingRule("oncall", ("email",), team_id="t1"), RoutingRule("team", (), team_id="t1")]
    assert routed(incident(), rules=rules) == {("Alice (person:p1)", "email", "alice@x.io")}


def test_default_responder_is_paged_when_escalation_does_not_answer() -> None:
    rules = [RoutingRule("oncall", ("sms",), severity="SEV1_CRITICAL", responder="alice@x.io")]
    assert ("Alice (person:p1)", "sms", "+33600000001") in routed(incident(), None, rules)


def test_team_channel_takes_escalation_step0_key_so_it_is_paged_once() -> None:
    pages = route_triggered(incident("SEV2_HIGH"), DIRECTORY, [], ALL, "http://x", None)
    assert pages[0].idempotency_key == escalation_step0_key("inc-1", "t1")
    assert pages[0].idempotency_key == "esc:inc-1:step0:0:team:t1:slack"


def test_retry_delay_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, 1.0, rng=rng) for n in (1, 2, 3, 4)]
    assert all(
        2 ** (n - 1) / 2 <= d <= 2 ** (n - 1) for n, d in zip((1, 2, 3, 4), delays, strict=True)
    )
    assert retry_delay(30, rng=rng) <= 300


def test_429_waits_its_retry_after_other_4xx_fail_and_the_last_attempt_is_dead() -> None:
    assert after_failure(1, 5, retryable=True, retry_after=30).retry_in == 30
    assert after_failure(1, 5, retryable=False, retry_after=None).status == "failed"
    assert after_failure(5, 5, retryable=True, retry_after=None).status == "dead"


def test_a_status_update_reaches_addresses_outside_the_catalog_and_is_no_page() -> None:
    request = NotificationRequested(
        event_id="e1",
        occurred_at=datetime(2026, 2, 5, tzinfo=UTC),
        incident_id="i1",
        idempotency_key="status-update:i1:u1:addresses",
        reason="status_update",
        message="INC-1 status update: checkout slow\n\nA fix is rolling out.",
        person_ids=["p1"],
        channels=["email"],
        destinations=[
            Destination(channel="email", address="status@example.com"),
            Destination(channel="slack", address="#status"),
        ],
    )
    pages = pages_for_request(request, {("person", "p1", "email"): "sam@example.com"})
    assert [(p.channel, p.address, p.kind) for p in pages] == [
        ("email", "status@example.com", "update"),
        ("slack", "#status", "update"),
        ("email", "sam@example.com", "update"),
    ]
    assert len({p.idempotency_key for p in pages}) == 3
    escalation = msgspec.structs.replace(request, reason="escalation", destinations=[])
    assert [p.kind for p in pages_for_request(escalation)] == ["page"]


def test_pages_of_an_incident_opened_in_maintenance_wait_for_its_end_keeping_their_spacing() -> (
    None
):
    now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    pages = [
        Page("k1", "sms", "twilio", "Alice", "m"),
        Page("k2", "voice", "twilio", "Alice", "m", delay_seconds=300),
    ]
    held = held_by_maintenance(pages, "svc", now + timedelta(hours=1), now)
    assert [(p.service_id, p.delay_seconds) for p in held] == [("svc", 3600), ("svc", 3900)]
    assert {p.held_until for p in held} == {now + timedelta(hours=1)}
    free = held_by_maintenance(pages, "svc", None, now)
    assert [(p.service_id, p.delay_seconds, p.held_until) for p in free] == [
        ("svc", 0, None),
        ("svc", 300, None),
    ]


def test_maintenance_windows_are_read_from_the_catalog_projection() -> None:
    end, start = "2026-12-08T06:00:00+00:00", "2026-12-08T04:00:00+00:00"
    services = {
        "a": Entity("a", "redis-prod", {"maintenance_until": end, "maintenance_since": start}),
        "b": Entity("b", "checkout-api", {"maintenance_until": None}),
        "c": Entity("c", "api", {"maintenance_until": end}),
    }
    assert maintenance_windows(services) == {
        "a": (datetime.fromisoformat(start), datetime.fromisoformat(end)),
        "c": (None, datetime.fromisoformat(end)),
    }
