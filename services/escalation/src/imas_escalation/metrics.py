"""Prometheus metrics of the escalation service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENESS = Histogram(
    "imas_escalation_lateness_seconds",
    "How long after its due time a timer fired",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 30.0),
)
TICKS = Counter("imas_escalation_scheduler_ticks_total", "Scheduler ticks")
STATE_CHECKS = Counter(
    "imas_escalation_state_checks_total",
    "Asks of incidents, before a batch of steps pages, whether their incidents are still "
    "unacknowledged; outcome answered, or unanswered (the steps wait, then page unconfirmed)",
    ["outcome"],
)
HELD_STEPS = Gauge(
    "imas_escalation_held_steps",
    "Due steps waiting for incidents to say whether their incidents are still unacknowledged",
)
UNCONFIRMED_STEPS = Counter(
    "imas_escalation_unconfirmed_steps_total",
    "Steps that paged without that answer, incidents having been away for the whole patience",
)
OLDEST_DUE = Gauge(
    "imas_escalation_oldest_due_timer_seconds",
    "How long ago the oldest timer that has not fired was due (0 when none is due)",
)
