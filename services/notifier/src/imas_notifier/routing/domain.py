"""Pure routing: who hears of a new incident, over which channels, as data.

A rule names a ``target`` (``team``: the owner team's chat channel; ``oncall``: the team's
current on-call person; ``scopes``: each impacted scope's mandatory e-mails; ``ticket``: the
outbound webhook) and the channels it is paged on. Rules may be narrowed to a team, a
severity and a scope; for each target the most specific matching rule wins, and a rule with
no channels silences that target. :data:`DEFAULT_RULES` are the brief's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from imas_contracts import FieldError
from imas_contracts.incidents import SEVERITIES, IncidentSnapshot
from imas_notifier import domain
from imas_notifier.domain import Page
from imas_runtime.catalog import Entity
from imas_runtime.errors import Invalid

TARGETS = ("team", "oncall", "scopes", "ticket")
_CHAT = ("chat", *domain.CHAT_CHANNELS)
# The channels that can reach each target (a scope is reached by its mandatory e-mails, a
# ticket by the outbound webhook); ``chat`` is the chat platform the deployment has.
TARGET_CHANNELS: dict[str, tuple[str, ...]] = {
    "team": (*_CHAT, "email", "ntfy", "webhook", "log"),
    "oncall": (*_CHAT, "sms", "voice", "email", "ntfy", "log"),
    "scopes": ("email", "log"),
    "ticket": ("webhook", "log"),
}
# The channels of a person's notification rules (``ntfy`` is the push notification,
# ``voice`` a phone call).
PERSON_CHANNELS = (*_CHAT, "sms", "voice", "email", "ntfy", "log")
MAX_DELAY_MINUTES = 24 * 60
MAX_PERSON_RULES = 10


@dataclass(frozen=True)
class RoutingRule:
    target: str
    channels: tuple[str, ...]
    team_id: str = ""
    severity: str = ""
    scope_id: str = ""
    # For ``oncall``: who to page when escalation cannot say who is on call.
    responder: str = ""
    id: str = ""  # stored rules only

    def matches(self, team_id: str, severity: str, scope_id: str = "") -> bool:
        return (
            (not self.team_id or self.team_id == team_id)
            and (not self.severity or self.severity == severity)
            and (not self.scope_id or self.scope_id == scope_id)
        )

    @property
    def specificity(self) -> int:
        return 4 * bool(self.team_id) + 2 * bool(self.scope_id) + bool(self.severity)


_HIGH = ("SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM")
# SEV4 is "log + ticket" in the brief: the incident itself is the log (its timeline, the
# dashboard), so nobody is paged unless a rule says so.
DEFAULT_RULES: tuple[RoutingRule, ...] = (
    *(RoutingRule("team", ("chat",), severity=s) for s in _HIGH),
    RoutingRule("team", (), severity="SEV4_LOW"),
    RoutingRule("oncall", ()),
    RoutingRule("oncall", ("sms", "chat"), severity="SEV1_CRITICAL"),
    *(RoutingRule("scopes", ("email",), severity=s) for s in _HIGH),
    RoutingRule("scopes", (), severity="SEV4_LOW"),
    RoutingRule("ticket", ()),
    RoutingRule("ticket", ("webhook",), severity="SEV4_LOW"),
)


def check_rule(rule: RoutingRule) -> None:
    """Refuse a rule that cannot route anything, naming each offending field."""
    errors: list[FieldError] = []
    allowed = TARGET_CHANNELS.get(rule.target)
    if allowed is None:
        errors.append(FieldError(field="target", message=f"must be one of {', '.join(TARGETS)}"))
    if rule.severity and rule.severity not in SEVERITIES:
        errors.append(
            FieldError(field="severity", message=f"must be empty or one of {', '.join(SEVERITIES)}")
        )
    for i, channel in enumerate(rule.channels):
        if allowed is not None and channel not in allowed:
            errors.append(
                FieldError(
                    field=f"channels[{i}]",
                    message=f"'{channel}' cannot reach {rule.target}; one of {', '.join(allowed)}",
                )
            )
    if len(set(rule.channels)) != len(rule.channels):
        errors.append(FieldError(field="channels", message="must not repeat a channel"))
    if rule.responder and rule.target != "oncall":
        errors.append(FieldError(field="responder", message="only on-call rules have one"))
    if rule.scope_id and rule.target != "scopes":
        errors.append(FieldError(field="scope_id", message="only scopes rules match a scope"))
    if errors:
        raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)


def check_person_rules(rules: Sequence[tuple[str, float]]) -> None:
    """Refuse notification rules that cannot page: unknown channels, odd delays, repeats."""
    errors: list[FieldError] = []
    if not 1 <= len(rules) <= MAX_PERSON_RULES:
        errors.append(FieldError(field="rules", message=f"must hold 1 to {MAX_PERSON_RULES} rules"))
    for i, (channel, delay) in enumerate(rules):
        if channel not in PERSON_CHANNELS:
            message = f"must be one of {', '.join(PERSON_CHANNELS)}"
            errors.append(FieldError(field=f"rules[{i}].channel", message=message))
        if not 0 <= delay <= MAX_DELAY_MINUTES:
            message = f"must be between 0 and {MAX_DELAY_MINUTES}"
            errors.append(FieldError(field=f"rules[{i}].delay_minutes", message=message))
    if len(set(rules)) != len(rules):
        errors.append(FieldError(field="rules", message="must not repeat a (channel, delay)"))
    if errors:
        raise Invalid(f"{errors[0].field}: {errors[0].message}", errors)


@dataclass(frozen=True)
class Directory:
    """The notifier's projection of the catalog, by kind then id."""

    teams: Mapping[str, Entity] = field(default_factory=dict)
    services: Mapping[str, Entity] = field(default_factory=dict)
    scopes: Mapping[str, Entity] = field(default_factory=dict)
    people: Mapping[str, Entity] = field(default_factory=dict)

    def person(self, ref: str) -> Entity | None:
        """A person by id or e-mail."""
        found = self.people.get(ref)
        if found is not None:
            return found
        return next((p for p in self.people.values() if p.data.get("email") == ref), None)


def rule_for(
    rules: Sequence[RoutingRule], target: str, team_id: str, severity: str, scope_id: str = ""
) -> RoutingRule | None:
    """The most specific rule for ``target`` (stored rules win over defaults on a tie)."""
    best: RoutingRule | None = None
    for rule in (*rules, *DEFAULT_RULES):
        fits = rule.target == target and rule.matches(team_id, severity, scope_id)
        if fits and (best is None or rule.specificity > best.specificity):
            best = rule
    return best


def asks_on_call(rules: Sequence[RoutingRule], incident: IncidentSnapshot) -> bool:
    """Whether routing ``incident`` pages its team's on-call person, so escalation must be
    asked who that is (by default only at SEV1)."""
    if incident.team is None:
        return False
    rule = rule_for(rules, "oncall", incident.team.id, incident.severity)
    return rule is not None and bool(rule.channels)


def person_address(person: Entity, channel: str) -> str:
    """Where ``channel`` reaches a person ('' when it cannot)."""
    data = person.data
    methods = {m.get("type"): m.get("address") for m in data.get("contact_methods", []) or []}
    chat_ids = data.get("chat_user_ids", {}) or {}
    if channel == "sms":
        return str(methods.get("sms") or data.get("phone") or methods.get("phone") or "")
    if channel == "voice":
        return str(methods.get("voice") or methods.get("phone") or data.get("phone") or "")
    if channel == "email":
        return str(methods.get("email") or data.get("email") or "")
    if channel in domain.CHAT_CHANNELS:
        return str(chat_ids.get(channel) or methods.get(channel) or "")
    return str(methods.get(channel) or "")


def team_address(team: Entity | None, channel: str) -> str:
    if team is None:
        return ""
    if channel == "email":
        return str(team.data.get("email") or "")
    return str(team.data.get("chat_channel") or "")


def route_triggered(
    incident: IncidentSnapshot,
    directory: Directory,
    rules: Sequence[RoutingRule],
    configured: Mapping[str, str],
    public_url: str,
    on_call: str | None = None,
) -> list[Page]:
    """The pages of a new incident, each (recipient, channel) once.

    ``configured`` maps provider kinds to provider names; ``on_call`` is the person escalation
    says is on call (a person id), else the rule's default responder is used."""
    team_id = incident.team.id if incident.team else ""
    severity = incident.severity
    service = directory.services.get(incident.service.id)
    runbook = str(service.data.get("runbook_url") or "") if service else ""
    content = domain.incident_content(incident, public_url, runbook or None)
    text = domain.content_text(content)
    chat = domain.chat_channel(configured)
    pages: dict[tuple[str, str], Page] = {}

    def add(key: str, channel: str, recipient: str, address: str, target: str) -> None:
        channel = chat if channel == "chat" else channel
        provider = domain.choose_provider(channel, configured)
        # One page per place it goes to (two channels one provider serves at one address).
        place = (recipient, provider or channel, address)
        if place in {(p.recipient, p.provider or p.channel, p.address) for p in pages.values()}:
            return
        pages.setdefault(
            (recipient, channel),
            Page(key, channel, provider, recipient, text, address, content, target=target),
        )

    team_rule = rule_for(rules, "team", team_id, severity)
    team = directory.teams.get(team_id)
    recipient = f"team:{incident.team.name}" if incident.team else "incident-commanders"
    for channel in team_rule.channels if team_rule else ():
        resolved = chat if channel == "chat" else channel
        key = (
            domain.escalation_step0_key(incident.id, team_id)
            if resolved in (*domain.CHAT_CHANNELS, "log") and team_id
            else domain.idempotency_key(incident.id, "triggered", recipient, resolved)
        )
        add(key, channel, recipient, team_address(team, resolved), "team")

    oncall_rule = rule_for(rules, "oncall", team_id, severity)
    person = directory.person(on_call or (oncall_rule.responder if oncall_rule else "") or "")
    if person is not None and oncall_rule is not None:
        for channel in oncall_rule.channels:
            resolved = chat if channel == "chat" else channel
            who = f"{person.name} (person:{person.id})"
            key = domain.idempotency_key(incident.id, "triggered", f"person:{person.id}", resolved)
            add(key, channel, who, person_address(person, resolved), "person")

    for scope_ref in incident.impacted_scopes:
        scope_rule = rule_for(rules, "scopes", team_id, severity, scope_ref.id)
        scope = directory.scopes.get(scope_ref.id)
        emails = list(scope.data.get("mandatory_emails", []) or []) if scope else []
        for channel in scope_rule.channels if scope_rule else ():
            for email in emails:
                key = domain.idempotency_key(incident.id, "triggered", email, channel)
                add(key, channel, email, email, "scope")

    ticket_rule = rule_for(rules, "ticket", team_id, severity)
    for channel in ticket_rule.channels if ticket_rule else ():
        # The built-in ticket rule files a ticket only where a ticket system (a webhook
        # provider) is configured; a stored rule asked for one, so it is paged or undeliverable.
        built_in = ticket_rule is not None and not ticket_rule.id
        if built_in and domain.choose_provider(channel, configured) in ("", configured.get("log")):
            continue
        key = domain.idempotency_key(incident.id, "triggered", "ticket", channel)
        add(key, channel, "ticket", "", "ticket")
    return domain.settle(list(pages.values()))
