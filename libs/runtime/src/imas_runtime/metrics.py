"""Prometheus metrics shared by every service (exposed at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("imas_requests_total", "Request/reply calls served", ["subject", "outcome"])
CONSUMED = Counter(
    "imas_messages_consumed_total", "JetStream messages handled", ["consumer", "outcome"]
)
OUTBOX_PUBLISHED = Counter("imas_outbox_published_total", "Events relayed from the outbox")
HANDLE_SECONDS = Histogram(
    "imas_message_handle_seconds", "Time to handle one consumed message", ["consumer"]
)
