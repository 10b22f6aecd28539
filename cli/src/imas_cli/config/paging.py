"""Who hears of an incident and through what: routing rules, notification providers (their
secrets referenced, never written) and integrations (the tools that send alerts)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import msgspec

from imas_cli.config.kind import (
    ConfiguredWithSecrets,
    Kind,
    Names,
    Reference,
    Refusal,
    SecretRef,
    Spec,
    check_secret_refs,
    refuse_literal_secrets,
    secret_variable,
)
from imas_contracts.notifier import ProviderKind, RoutingTarget

SeverityOrAny = Literal["", "SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM", "SEV4_LOW"]


class RoutingRuleSpec(Spec, frozen=True, kw_only=True):
    """Who hears of a new incident (``target``) over which ``channels``, for incidents of
    ``team``, ``severity`` and ``scope`` (any when empty). No channel silences the target."""

    target: RoutingTarget
    team: str = ""
    severity: SeverityOrAny = ""
    scope: str = ""
    channels: list[str] = []
    responder: str = ""


class RoutingRules(Kind[RoutingRuleSpec]):
    section = "routing_rules"
    document = "RoutingRule"
    noun = "routing_rule"
    spec = RoutingRuleSpec

    def key(self, spec: RoutingRuleSpec) -> str:
        return " ".join(
            [spec.target]
            + [f"{f}={getattr(spec, f)}" for f in ("team", "severity", "scope") if getattr(spec, f)]
        )

    def normalize(self, spec: RoutingRuleSpec) -> RoutingRuleSpec:
        return msgspec.structs.replace(
            spec,
            team=spec.team.strip(),
            scope=spec.scope.strip(),
            channels=[c.strip().lower() for c in spec.channels],
            responder=spec.responder.strip().lower(),
        )

    def references(self, spec: RoutingRuleSpec) -> list[Reference]:
        refs = []
        if spec.team:
            refs.append(Reference("team", spec.team, "team"))
        if spec.scope:
            refs.append(Reference("scope", spec.scope, "scope"))
        if spec.responder:
            refs.append(Reference("person", spec.responder, "responder"))
        return refs

    def made_by_imas(self, raw: dict[str, Any]) -> bool:
        return bool(raw.get("default"))

    def from_live(self, raw: dict[str, Any], names: Names) -> RoutingRuleSpec:
        responder = raw.get("responder") or ""
        data = {
            **raw,
            "team": raw.get("team_name") or "",
            "scope": raw.get("scope_name") or "",
            "responder": names.name("person", responder) if responder else "",
        }
        return self.normalize(self.convert(data))

    def body(self, spec: RoutingRuleSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        # The API takes names: a team's, a scope's, a person's e-mail.
        return {
            "target": spec.target,
            "team_id": spec.team,
            "severity": spec.severity,
            "scope_id": spec.scope,
            "channels": spec.channels,
            "responder": spec.responder,
        }


class ProviderSpec(Spec, frozen=True, kw_only=True):
    """A notification provider; ``secrets`` are references (``{from_env: NAME}``)."""

    name: str
    kind: ProviderKind
    enabled: bool = True
    config: dict[str, Any] = {}
    secrets: dict[str, SecretRef] = {}


class Providers(ConfiguredWithSecrets[ProviderSpec]):
    section = "notification_providers"
    document = "NotificationProvider"
    noun = "notification_provider"
    spec = ProviderSpec


class IntegrationSpec(Spec, frozen=True, kw_only=True):
    """A tool that sends alerts (``type``: alertmanager, grafana, datadog, sentry, pagerduty,
    generic ...) to ``service``. IMAS makes its secret, except Sentry's (its Client Secret).
    A ``heartbeat`` watches a job that pings at least every ``interval`` seconds (``grace``
    more allowed)."""

    name: str
    type: str
    service: str = ""
    rate_limit: float | None = None
    rate_burst: int | None = None
    interval: float | None = None
    grace: float | None = None
    secret: SecretRef | None = None


class Integrations(Kind[IntegrationSpec]):
    section = "integrations"
    document = "Integration"
    noun = "integration"
    spec = IntegrationSpec
    has_secrets = True
    single_secret = "secret"
    # Fields PATCH changes; the type never changes.
    updatable: ClassVar[tuple[str, ...]] = (
        "name",
        "service",
        "rate_limit",
        "rate_burst",
        "interval",
        "grace",
    )

    def precheck(self, data: dict[str, Any]) -> list[Refusal]:
        return refuse_literal_secrets(data, ("secret",))

    def normalize(self, spec: IntegrationSpec) -> IntegrationSpec:
        if spec.type == "heartbeat" and spec.grace is None:
            return msgspec.structs.replace(spec, grace=0.0)
        return spec

    def from_live(self, raw: dict[str, Any], names: Names) -> IntegrationSpec:
        watch = raw.get("heartbeat") or {}
        data = {**raw, "interval": watch.get("interval"), "grace": watch.get("grace")}
        return self.normalize(self.convert(data))

    def check(self, spec: IntegrationSpec) -> list[Refusal]:
        if spec.type == "heartbeat" and spec.interval is None:
            return [Refusal("interval", "a heartbeat needs one (seconds between pings)")]
        if spec.type != "heartbeat" and (spec.interval is not None or spec.grace is not None):
            field = "interval" if spec.interval is not None else "grace"
            return [Refusal(field, "only a heartbeat integration takes one")]
        if spec.secret is None:
            return []
        if spec.type != "sentry":
            return [Refusal("secret", "only a Sentry integration takes a secret: IMAS makes it")]
        return check_secret_refs({"": spec.secret}, "secret")

    def secrets(self, spec: IntegrationSpec) -> dict[str, SecretRef]:
        return {"secret": spec.secret} if spec.secret is not None else {}

    def stored_secrets(self, live: IntegrationSpec) -> set[str]:
        return {"secret"}  # IMAS made one if the files gave none

    def comparable(self, spec: IntegrationSpec) -> IntegrationSpec:
        # IMAS keeps a secret for every integration and never shows it: nothing to compare.
        return msgspec.structs.replace(spec, secret=None)

    def placeholders(self, spec: IntegrationSpec) -> IntegrationSpec:
        if spec.type != "sentry":
            return spec
        return msgspec.structs.replace(
            spec, secret=SecretRef(from_env=secret_variable(self, spec, "secret"))
        )

    def body(self, spec: IntegrationSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data = {f: getattr(spec, f) for f in ("name", "type", *self.updatable[1:])}
        if spec.type != "heartbeat":
            del data["interval"], data["grace"]
        if "secret" in secrets:
            data["secret"] = secrets["secret"]
        return data
