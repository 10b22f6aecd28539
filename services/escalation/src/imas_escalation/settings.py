"""Settings of the escalation service (``ESCALATION_*`` then ``IMAS_*`` variables)."""

from __future__ import annotations

from imas_escalation.domain import parse_step_minutes
from imas_runtime.settings import RuntimeSettings, load_settings


class EscalationSettings(RuntimeSettings, kw_only=True):
    port: int = 8104
    # Longest wait between two looks for timers committed by other replicas (seconds).
    poll_interval: float = 0.25
    # Timers fired per transaction.
    batch: int = 500
    # No scheduler tick for this long: /readyz fails and an internal alert goes out.
    stall_after: float = 5.0
    # How long a batch of due steps waits for incidents to say whether their incidents are
    # still unacknowledged; past it (or when incidents is down) the steps wait and ask again.
    state_check_timeout: float = 0.5
    # How long past its due time a step waits for that answer while incidents cannot give it
    # (down, restarting); past it the step pages unconfirmed (seconds).
    state_check_patience: float = 60.0
    # The default policy's five steps, in minutes after the incident opened (the brief's
    # ladder: Slack, Slack again, SMS to the on-call, e-mail to the manager, the CTO).
    # Decimals allowed: a test or a rehearsal runs the whole ladder in seconds. Anything but
    # five growing numbers stops the service at start.
    default_step_minutes: str = "0,5,15,30,60"
    # How long `imas check` waits for the notifier to check channels and addresses.
    check_timeout: float = 5.0
    # A timer due this long ago and still not fired fails /readyz (seconds).
    late_timer_limit: float = 30.0

    @property
    def default_minutes(self) -> tuple[float, ...]:
        return parse_step_minutes(self.default_step_minutes)


def from_env() -> EscalationSettings:
    return load_settings(EscalationSettings, service="escalation")
