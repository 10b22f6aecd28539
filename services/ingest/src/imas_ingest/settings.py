"""Settings of the ingest service (``INGEST_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class IngestSettings(RuntimeSettings, kw_only=True):
    port: int = 8101
    # How long to wait for the incidents service to decide on an alert.
    incidents_timeout: float = 10.0
    # Alerts for a service the catalog does not know go to this service (never dropped).
    triage_service: str = "triage"
    # Flap protection: more than this many status changes within flap_minutes holds an alert.
    flap_changes: int = 6
    flap_minutes: float = 10.0
    # Namespace of ingest's keys in Redis; empty: ``imas:<database>``, so that several
    # deployments (or test runs) can share one Redis.
    redis_prefix: str = ""
    # Raw payloads handled per batch (one transaction, one flush).
    batch: int = 500
    # Where IMAS's own alerts go: a backlog of raw payloads filling JetStream's ALERTS, and
    # each consumer's dead letters (one incident per consumer, counting them); the triage
    # service when the catalog has no such service.
    internal_alert_service: str = "imas"
    # A backlog past this share of ALERTS's max_bytes raises an incident.
    backlog_warn_ratio: float = 0.8
    # Longest wait between two looks for heartbeat deadlines that other replicas set (seconds):
    # a missed heartbeat is raised within this of its deadline (at once for pings this
    # replica took).
    heartbeat_poll: float = 0.25


def from_env() -> IngestSettings:
    return load_settings(IngestSettings, service="ingest")
