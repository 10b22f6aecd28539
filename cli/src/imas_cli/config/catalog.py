"""The catalog as files write it: people (with contact methods, notification rules, roles),
teams (manager and members by e-mail), services (with a maintenance window), impact scopes
and tag rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec

from imas_cli.config.kind import Kind, Names, Reference, Refusal, Spec
from imas_runtime.patterns import SEARCH_IGNORING_CASE, refusal


class ContactMethod(Spec, frozen=True, kw_only=True):
    """``type``: email, sms, phone, voice, slack, discord, teams or ntfy."""

    type: str
    address: str


class NotificationRule(Spec, frozen=True, kw_only=True):
    """Page over ``channel`` this many minutes after the incident opened (unless acknowledged)."""

    channel: str
    delay_minutes: float = 0.0


class PersonSpec(Spec, frozen=True, kw_only=True):
    """A person, known by e-mail. Without ``notification_rules`` they are paged over the
    routing rules' channels."""

    name: str
    email: str
    phone: str | None = None
    time_zone: str = "UTC"
    roles: list[str] = []
    chat_user_ids: dict[str, str] = {}
    contact_methods: list[ContactMethod] = []
    notification_rules: list[NotificationRule] = []


def clean_roles(roles: list[str]) -> list[str]:
    """Roles as the catalog keeps them: lower case, spaces collapsed, each once, in order."""
    return list(dict.fromkeys(" ".join(r.split()).lower() for r in roles if r.strip()))


class People(Kind[PersonSpec]):
    section = "people"
    document = "Person"
    noun = "person"
    spec = PersonSpec

    def key(self, spec: PersonSpec) -> str:
        return spec.email

    def normalize(self, spec: PersonSpec) -> PersonSpec:
        methods = [
            ContactMethod(type=m.type.strip().lower(), address=m.address.strip())
            for m in spec.contact_methods
        ]
        rules = [
            NotificationRule(channel=r.channel.strip().lower(), delay_minutes=r.delay_minutes)
            for r in spec.notification_rules
        ]
        return msgspec.structs.replace(
            spec,
            name=spec.name.strip(),
            email=spec.email.strip().lower(),
            roles=clean_roles(spec.roles),
            contact_methods=methods,
            notification_rules=rules,
        )

    def check(self, spec: PersonSpec) -> list[Refusal]:
        if "@" not in spec.email:
            return [Refusal("email", "must be an e-mail address")]
        return []

    def body(self, spec: PersonSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(spec)
        data.pop("notification_rules", None)
        return data


class TeamSpec(Spec, frozen=True, kw_only=True):
    """A team; ``manager`` and ``members`` are people's e-mails. Without ``slug`` IMAS makes
    one from the name (and keeps it)."""

    name: str
    slug: str = ""
    email: str | None = None
    chat_channel: str | None = None
    manager: str | None = None
    members: list[str] = []


class Teams(Kind[TeamSpec]):
    section = "teams"
    document = "Team"
    noun = "team"
    spec = TeamSpec
    aliases: ClassVar[dict[str, str]] = {"slack_channel": "chat_channel"}

    def normalize(self, spec: TeamSpec) -> TeamSpec:
        manager = (spec.manager or "").strip().lower() or None
        members = sorted({m.strip().lower() for m in spec.members if m.strip()})
        return msgspec.structs.replace(
            spec, name=spec.name.strip(), manager=manager, members=members
        )

    def references(self, spec: TeamSpec) -> list[Reference]:
        refs = [Reference("person", spec.manager, "manager")] if spec.manager else []
        return refs + [Reference("person", m, f"members[{i}]") for i, m in enumerate(spec.members)]

    def from_live(self, raw: dict[str, Any], names: Names) -> TeamSpec:
        manager = raw.get("manager")
        data = {
            **raw,
            "manager": names.name("person", manager["id"]) if isinstance(manager, dict) else None,
            "members": [names.name("person", m["id"]) for m in raw.get("members", [])],
        }
        return self.normalize(self.convert(data))

    def settle(self, desired: TeamSpec, live: TeamSpec) -> TeamSpec:
        return desired if desired.slug else msgspec.structs.replace(desired, slug=live.slug)


class MaintenanceSpec(Spec, frozen=True, kw_only=True):
    """A service's maintenance window: from ``starts_at`` (now when left out; a later time
    plans it) until ``until``, and why."""

    until: datetime
    starts_at: datetime | None = None
    reason: str = ""


class ServiceSpec(Spec, frozen=True, kw_only=True):
    """A service, owned by ``team`` (its name); ``criticality_tier`` 1 is the most critical.
    ``maintenance`` puts it in maintenance (or plans one); left out, whatever maintenance
    IMAS has (set from the dashboard or the API) is left as it is."""

    name: str
    team: str | None = None
    description: str = ""
    criticality_tier: int = 3
    runbook_url: str | None = None
    repository_url: str | None = None
    monitoring_url: str | None = None
    active: bool = True
    maintenance: MaintenanceSpec | None = None


class Services(Kind[ServiceSpec]):
    section = "services"
    document = "Service"
    noun = "service"
    spec = ServiceSpec

    def normalize(self, spec: ServiceSpec) -> ServiceSpec:
        return msgspec.structs.replace(spec, name=spec.name.strip(), team=spec.team or None)

    def check(self, spec: ServiceSpec) -> list[Refusal]:
        refusals = []
        if not 1 <= spec.criticality_tier <= 4:
            refusals.append(Refusal("criticality_tier", "must be between 1 (most critical) and 4"))
        window = spec.maintenance
        if window is not None:
            for name in ("until", "starts_at"):
                moment = getattr(window, name)
                if moment is not None and moment.tzinfo is None:
                    refusals.append(
                        Refusal(f"maintenance.{name}", "needs a UTC offset (+02:00 or Z)")
                    )
            if refusals or window.starts_at is None:
                return refusals
            if window.starts_at >= window.until:
                refusals.append(Refusal("maintenance.starts_at", "must be before until"))
        return refusals

    def references(self, spec: ServiceSpec) -> list[Reference]:
        return [Reference("team", spec.team, "team")] if spec.team else []

    def from_live(self, raw: dict[str, Any], names: Names) -> ServiceSpec:
        team = raw.get("team")
        data = {**raw, "team": team["name"] if isinstance(team, dict) else None}
        if raw.get("maintenance_until"):
            data["maintenance"] = {
                "until": raw["maintenance_until"],
                "starts_at": raw.get("maintenance_since"),
                "reason": raw.get("maintenance_reason") or "",
            }
        return self.normalize(self.convert(data))

    def settle(self, desired: ServiceSpec, live: ServiceSpec) -> ServiceSpec:
        """A file's maintenance that is over, or none, leaves IMAS's as it is (a window set
        from the dashboard is not ended by applying files); one begun (or beginning now)
        keeps the start IMAS recorded."""
        wanted, held = desired.maintenance, live.maintenance
        now = datetime.now(UTC)
        if wanted is None or wanted.until <= now:
            return msgspec.structs.replace(desired, maintenance=held)
        begun = wanted.starts_at is None or wanted.starts_at <= now
        if begun and held is not None and (held.starts_at is None or held.starts_at <= now):
            wanted = msgspec.structs.replace(wanted, starts_at=held.starts_at)
        return msgspec.structs.replace(desired, maintenance=wanted)

    def body(self, spec: ServiceSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(spec)
        data.pop("maintenance", None)  # its own call (see ``engine``)
        return data


class ScopeSpec(Spec, frozen=True, kw_only=True):
    """An impact scope: these addresses hear of every incident that touches it."""

    name: str
    mandatory_emails: list[str] = []


class Scopes(Kind[ScopeSpec]):
    section = "scopes"
    document = "Scope"
    noun = "scope"
    spec = ScopeSpec

    def normalize(self, spec: ScopeSpec) -> ScopeSpec:
        return msgspec.structs.replace(spec, name=spec.name.strip())


class TagRuleSpec(Spec, frozen=True, kw_only=True):
    """Tag every new incident whose title matches ``pattern`` (a case-insensitive regex)."""

    tag: str
    pattern: str


class TagRules(Kind[TagRuleSpec]):
    section = "tag_rules"
    document = "TagRule"
    noun = "tag_rule"
    spec = TagRuleSpec

    def key(self, spec: TagRuleSpec) -> str:
        return spec.tag

    def normalize(self, spec: TagRuleSpec) -> TagRuleSpec:
        return msgspec.structs.replace(spec, tag=spec.tag.strip().lower())

    def check(self, spec: TagRuleSpec) -> list[Refusal]:
        reason = refusal(spec.pattern, SEARCH_IGNORING_CASE)
        return [Refusal("pattern", reason)] if reason else []
