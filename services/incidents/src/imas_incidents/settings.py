"""Settings of the incidents service (``INCIDENTS_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class IncidentsSettings(RuntimeSettings, kw_only=True):
    port: int = 8102
    # Seconds after which a new incident's automatic actions (LID, exports, war room, pages)
    # that have not reported are written down as not done in its "Orchestration complete"
    # timeline line (docs/api/incidents.md).
    orchestration_deadline: float = 300.0


def from_env() -> IncidentsSettings:
    return load_settings(IncidentsSettings, service="incidents")
