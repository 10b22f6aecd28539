"""Prometheus metrics shared by every service (exposed at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("imas_requests_total", "Request/reply calls served", ["subject", "outcome"])
CONSUMED = Counter(
    "imas_messages_consumed_total", "JetStream messages handled", ["consumer", "outcome"]
)
OUTBOX_PUBLISHED = Counter("imas_outbox_published_total", "Events relayed from the outbox")
HANDLE_SECONDS = Histogram(
    "imas_message_handle_seconds", "Time to handle one consumed message", ["consumer"]
)
BATCH_SPLITS = Counter(
    "imas_batch_splits_total",
    "Batches that failed and were split in halves to find the message at fault",
    ["consumer"],
)
DEAD_LETTERS = Counter(
    "imas_dead_letters_total",
    "Messages given up and published to deadletter.<consumer> (stream DEADLETTER)",
    ["consumer"],
)
REDELIVERIES = Counter(
    "imas_consumer_redeliveries_total",
    "Messages a consumer was given again: after a retry, an acknowledgement not made in time "
    "or a consumer that stopped before acknowledging",
    ["consumer"],
)
DEAD_LETTER_FAILURES = Counter(
    "imas_dead_letter_failures_total",
    "Dead letters that could not be published (the message was kept and retried)",
    ["consumer"],
)
TASK_RESTARTS = Counter(
    "imas_task_restarts_total", "Background tasks restarted after they stopped or raised", ["task"]
)
LOOP_LAG = Gauge(
    "imas_event_loop_lag_seconds", "How late the event loop last ran its heartbeat (0.2 s period)"
)
LOOP_STALLS = Counter(
    "imas_event_loop_stalls_total", "Times the event loop was blocked for longer than its limit"
)
BUILD_INFO = Gauge(
    "imas_build_info",
    "Always 1: the service this process runs, its version and Python's (join on instance to "
    "name the service of any other series)",
    ["service", "version", "python"],
)
READY = Gauge(
    "imas_ready", "1 when the process is ready (what /readyz answers), 0 otherwise; at each scrape"
)
