"""Settings of the escalation service (``ESCALATION_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class EscalationSettings(RuntimeSettings, kw_only=True):
    port: int = 8104
    # Longest wait between two looks for timers committed by other replicas (seconds).
    poll_interval: float = 0.25
    # Timers fired per transaction.
    batch: int = 500
    # No scheduler tick for this long: /readyz fails and an internal alert goes out.
    stall_after: float = 5.0


def from_env() -> EscalationSettings:
    return load_settings(EscalationSettings, service="escalation")
