"""Routing table, message content, retry policy and the SSRF guard: pure rules."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime

import pytest

from imas_contracts.incidents import IncidentSnapshot, Ref
from imas_notifier.domain import after_failure, escalation_step0_key, page_text, retry_delay
from imas_notifier.routing import Directory, Entity, RoutingRule, route_triggered
from imas_notifier.webhook import address_refusal

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
    return IncidentSnapshot(
        id="inc-1",
        short_id="INC1",
        title="Redis Cluster Down",
        service=Ref(id="s", name="redis-prod"),
        team=TEAM,
        severity=severity,  # type: ignore[arg-type]
        status="TRIGGERED",
        impacted_scopes=[Ref(id=s, name=s) for s in scopes],
        detected_at=NOW,
        created_at=NOW,
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


def test_sev4_is_log_and_ticket_only() -> None:
    assert routed(incident("SEV4_LOW", scopes=("sec",))) == {
        ("team:SRE Core", "log", "#sre-core"),
        ("ticket", "webhook", ""),
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


@pytest.mark.parametrize(
    "ip", ["127.0.0.1", "10.0.0.5", "192.168.1.1", "169.254.169.254", "fe80::1", "::1",
           "::ffff:127.0.0.1", "0.0.0.0"],
)  # fmt: skip
def test_ssrf_guard_refuses_internal_addresses(ip: str) -> None:
    assert address_refusal(ipaddress.ip_address(ip))


def test_ssrf_guard_lets_public_and_allowed_loopback_through() -> None:
    assert address_refusal(ipaddress.ip_address("93.184.216.34")) is None
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert address_refusal(ipaddress.ip_address("169.254.169.254"), allow_private=True)
