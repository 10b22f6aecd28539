"""What responders read and write: LID exporters (secrets referenced) and runbooks."""

from __future__ import annotations

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
