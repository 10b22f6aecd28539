"""Settings of the notifier service (``NOTIFIER_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_runtime.settings import RuntimeSettings, load_settings


class NotifierSettings(RuntimeSettings, kw_only=True):
    port: int = 8103
    # Period of the sweep for pages due (delayed, retried, or leased by a crashed sender).
    retry_interval: float = 2.0
    # Attempts before a page is marked dead.
    max_attempts: int = 8
    # First retry after about this many seconds, doubling (with jitter) up to 5 minutes.
    retry_base: float = 1.0
    # One send is cut after this many seconds in all, counted from before its lease was taken
    # (an answer that comes later is an attempt without an answer).
    send_timeout: float = 10.0
    # A page being sent is leased this long, more than send_timeout (the rest records the
    # outcome, and the service refuses to start otherwise); a sender killed in mid-send leaves
    # it leased, and any replica sends it again once the lease lapses.
    lease_seconds: float = 15.0
    # Attempts without an answer (cut at send_timeout, sender lost in mid-send) after which a
    # page is given up instead of sent again: the most copies a receiver can get of a page
    # (services/notifier/README.md#leases-deadlines-and-the-copy-bound).
    max_unanswered: int = 2
    # Pages handed to providers at once, and the total time one HTTP call to a provider may
    # take (connecting, sending and reading the whole answer; imas_runtime.outbound), within
    # send_timeout.
    send_concurrency: int = 64
    http_timeout: float = 10.0
    # How long to wait for escalation to say who is on call.
    oncall_timeout: float = 1.0
    # A page given up (dead, or refused for good) raises an alert on this service (SEV2, one
    # incident per channel and provider); empty: no alert, only the log and the event.
    internal_alert_service: str = "imas"
    # How long a page can be answered from where it arrived (an SMS code, an e-mail or ntfy
    # link, a call's key press), in hours (docs/acknowledge-anywhere.md).
    page_action_hours: float = 24.0


def from_env() -> NotifierSettings:
    return load_settings(NotifierSettings, service="notifier")
