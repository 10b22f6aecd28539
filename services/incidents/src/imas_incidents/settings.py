"""Settings of the incidents service (``INCIDENTS_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class IncidentsSettings(RuntimeSettings, kw_only=True):
    port: int = 8102


def from_env() -> IncidentsSettings:
    return load_settings(IncidentsSettings, service="incidents")
