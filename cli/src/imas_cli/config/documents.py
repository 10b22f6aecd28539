"""What the war room reads: LID exporters (secrets referenced), runbooks, and the roles every
incident can have."""

from __future__ import annotations

import re

import msgspec

from imas_cli.config.kind import ConfiguredWithSecrets, Kind, Refusal, SecretRef, Spec
from imas_contracts.incidents import Severity
from imas_contracts.warroom import ExporterKind
from imas_runtime.patterns import SEARCH_IGNORING_CASE, refusal


class ExporterSpec(Spec, frozen=True, kw_only=True):
    """Where LIDs are exported (Confluence, Google Docs); ``secrets`` are references."""

    name: str
    kind: ExporterKind
    enabled: bool = True
    config: dict[str, str] = {}
    secrets: dict[str, SecretRef] = {}


class LidExporters(ConfiguredWithSecrets[ExporterSpec]):
    section = "lid_exporters"
    document = "LidExporter"
    noun = "lid_exporter"
    spec = ExporterSpec


class RunbookStep(Spec, frozen=True, kw_only=True):
    """One step; ``critical`` or ``requires_confirmation`` steps are done only when confirmed."""

    title: str
    description: str = ""
    command: str = ""
    expected_minutes: float | None = None
    critical: bool = False
    requires_confirmation: bool = False
    rollback: str = ""


class RunbookSpec(Spec, frozen=True, kw_only=True):
    """A runbook, found for an incident by ``service``, then by ``alert_pattern`` (a
    case-insensitive regex on the title), for ``severities`` (all when empty)."""

    name: str
    service: str = ""
    alert_pattern: str = ""
    severities: list[Severity] = []
    description: str = ""
    steps: list[RunbookStep] = []


class Runbooks(Kind[RunbookSpec]):
    section = "runbooks"
    document = "Runbook"
    noun = "runbook"
    spec = RunbookSpec

    def check(self, spec: RunbookSpec) -> list[Refusal]:
        if not spec.name.strip():
            return [Refusal("name", "must not be empty")]
        if spec.alert_pattern and (reason := refusal(spec.alert_pattern, SEARCH_IGNORING_CASE)):
            return [Refusal("alert_pattern", reason)]
        if not spec.service and not spec.alert_pattern:
            return [Refusal("service", "give a service or an alert_pattern, or both")]
        if not spec.steps:
            return [Refusal("steps", "a runbook needs at least one step")]
        return [
            Refusal(f"steps[{i}].title", "must not be empty")
            for i, step in enumerate(spec.steps)
            if not step.title.strip()
        ]


class IncidentRoleSpec(Spec, frozen=True, kw_only=True):
    """A role every incident can have (``/incident role scribe @alice``): one word."""

    name: str
    description: str = ""


_ROLE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class IncidentRoles(Kind[IncidentRoleSpec]):
    """The incident roles, in the files' order (new ones are added after those IMAS has).
    Without any in IMAS, the war room's setting gives them, and none is exported."""

    section = "incident_roles"
    document = "IncidentRole"
    noun = "incident_role"
    spec = IncidentRoleSpec
    ordered = True

    def normalize(self, spec: IncidentRoleSpec) -> IncidentRoleSpec:
        return msgspec.structs.replace(
            spec, name=spec.name.strip().lower(), description=spec.description.strip()
        )

    def check(self, spec: IncidentRoleSpec) -> list[Refusal]:
        if not _ROLE.match(spec.name.strip().lower()):
            return [Refusal("name", "one word of letters, digits, - or _, starting with a letter")]
        return []
