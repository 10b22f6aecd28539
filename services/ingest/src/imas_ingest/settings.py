"""Settings of the ingest service (``INGEST_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class IngestSettings(RuntimeSettings, kw_only=True):
    port: int = 8101
    # How long to wait for the incidents service to decide on an alert.
    incidents_timeout: float = 10.0


def from_env() -> IngestSettings:
    return load_settings(IngestSettings, service="ingest")
