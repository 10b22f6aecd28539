"""Settings of the notifier service (``NOTIFIER_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class NotifierSettings(RuntimeSettings, kw_only=True):
    port: int = 8103
    # Pages not handed over yet (a crash, a provider outage) are retried on this period.
    retry_interval: float = 2.0
    max_attempts: int = 8


def from_env() -> NotifierSettings:
    return load_settings(NotifierSettings, service="notifier")
