"""Settings of the escalation service (``ESCALATION_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class EscalationSettings(RuntimeSettings, kw_only=True):
    port: int = 8104


def from_env() -> EscalationSettings:
    return load_settings(EscalationSettings, service="escalation")
