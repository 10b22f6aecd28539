"""What becomes of alerts: alert rules (by name) and silences (maintenance windows)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from imas_cli.config.kind import Kind, Names, Refusal, Spec
from imas_contracts.ingest import MatchOp


class Matcher(Spec, frozen=True, kw_only=True):
    """``label op value``, as Alertmanager writes them; regexes match the whole value."""

    label: str
    op: MatchOp = "="
    value: str


class AlertRuleSpec(Spec, frozen=True, kw_only=True):
    """The first rule (by ``position``) whose matchers all match an alert decides its service,
    severity (``severity_label`` values mapped by ``severity_map``) and dedup key."""

    name: str
    position: int = 100
    source: str = ""
    alert_name: str = ""
    matchers: list[Matcher] = []
    service: str = ""
    severity_label: str = "severity"
    severity_map: dict[str, str] = {}
    dedup_template: str = ""
    auto_create: bool = True
    auto_resolve: bool = True


class AlertRules(Kind[AlertRuleSpec]):
    section = "alert_rules"
    document = "AlertRule"
    noun = "alert_rule"
    spec = AlertRuleSpec

    def normalize(self, spec: AlertRuleSpec) -> AlertRuleSpec:
        return msgspec.structs.replace(spec, name=spec.name.strip())


class SilenceSpec(Spec, frozen=True, kw_only=True):
    """Alerts matching every matcher between ``starts_at`` and ``ends_at`` are recorded, never
    paged. A silence has no name: changing one in a file makes a new one (``--prune`` ends
    the old), and one that has ended is not made again.

    A recurring one (a maintenance window) holds only during the occurrences of ``rrule``
    (RFC 5545, e.g. ``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2``) on the wall clock of ``timezone``
    (UTC when not given), each ``duration`` seconds long."""

    matchers: list[Matcher]
    starts_at: datetime
    ends_at: datetime
    comment: str = ""
    rrule: str = ""
    duration: float = 0.0
    timezone: str = ""


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Silences(Kind[SilenceSpec]):
    section = "silences"
    document = "Silence"
    noun = "silence"
    spec = SilenceSpec

    def normalize(self, spec: SilenceSpec) -> SilenceSpec:
        if not spec.rrule.strip():
            return spec
        rule = spec.rrule.strip().removeprefix("RRULE:")
        return msgspec.structs.replace(spec, rrule=rule, timezone=spec.timezone or "UTC")

    def key(self, spec: SilenceSpec) -> str:
        matchers = ",".join(f"{m.label}{m.op}{m.value}" for m in spec.matchers)
        window = f"{_instant(spec.starts_at)}..{_instant(spec.ends_at)}"
        if spec.rrule:
            window += f" {spec.rrule} {spec.duration:g}s {spec.timezone}"
        return f"{matchers} {window} {spec.comment}".strip()

    def label(self, spec: SilenceSpec) -> str:
        what = spec.comment or ",".join(f"{m.label}{m.op}{m.value}" for m in spec.matchers)
        return f"'{what}' until {_instant(spec.ends_at)}"

    def check(self, spec: SilenceSpec) -> list[Refusal]:
        refusals = []
        if not spec.matchers:
            refusals.append(Refusal("matchers", "at least one matcher is required"))
        if spec.starts_at.tzinfo is None or spec.ends_at.tzinfo is None:
            refusals.append(Refusal("starts_at", "needs a UTC offset (+02:00 or Z)"))
        elif spec.ends_at <= spec.starts_at:
            refusals.append(Refusal("ends_at", "must be after starts_at"))
        if spec.rrule and spec.duration <= 0:
            refusals.append(Refusal("duration", "a recurring silence needs one (seconds)"))
        return refusals

    def over(self, spec: SilenceSpec) -> bool:
        return spec.ends_at <= datetime.now(UTC)

    def from_live(self, raw: dict[str, Any], names: Names) -> SilenceSpec:
        return self.convert(raw)

    def body(self, spec: SilenceSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(spec)
        return data
