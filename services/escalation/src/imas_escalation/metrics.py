"""Prometheus metrics of the escalation service."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LATENESS = Histogram(
    "imas_escalation_lateness_seconds",
    "How long after its due time a timer fired",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 30.0),
)
TICKS = Counter("imas_escalation_scheduler_ticks_total", "Scheduler ticks")
