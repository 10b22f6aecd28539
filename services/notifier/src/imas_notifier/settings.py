"""Settings of the notifier service (``NOTIFIER_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class NotifierSettings(RuntimeSettings, kw_only=True):
    port: int = 8103
    # Period of the sweep for pages due (delayed, retried, or leased by a crashed sender).
    retry_interval: float = 2.0
    max_attempts: int = 8
    # First retry after about this many seconds, doubling (with jitter) up to 5 minutes.
    retry_base: float = 1.0
    # A page being sent is leased this long (more than http_timeout); a sender killed in
    # mid-send leaves it leased, and any replica sends it again once the lease lapses.
    lease_seconds: float = 15.0
    # Pages handed to providers at once, and the timeout of one provider call.
    send_concurrency: int = 64
    http_timeout: float = 10.0
    # At most one SMS per phone per this many seconds; pages in between are bundled.
    sms_interval: float = 60.0
    # How long to wait for escalation to say who is on call.
    oncall_timeout: float = 1.0
    # A page given up (dead, or refused for good) raises an alert on this service (SEV2, one
    # incident per channel and provider); empty: no alert, only the log and the event.
    internal_alert_service: str = "imas"
    # Older IMAS_SECRET_KEY values still able to decrypt (comma-separated), for rotation.
    previous_secret_keys: str = ""


def from_env() -> NotifierSettings:
    return load_settings(NotifierSettings, service="notifier")
