"""Prometheus metrics of the notifier service."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

UNANSWERED = Counter(
    "imas_notifier_unanswered_attempts_total",
    "Sends whose outcome is unknown (no answer before the deadline, a connection dropped "
    "after the request left): the page may have been delivered",
    ["provider"],
)
STALE_RESULTS = Counter(
    "imas_notifier_stale_results_total",
    "Send results dropped because another sender had taken the page's lease over",
    ["outcome"],
)
UNDELIVERABLE = Counter(
    "imas_notifier_pages_undeliverable_total",
    "Pages recorded undeliverable: no provider serves their channel, or their recipient has "
    "no address for it",
    ["channel"],
)
PAGES = Counter(
    "imas_pages_total",
    "Attempts to hand a page to its provider, by channel, provider and outcome: sent, retried "
    "(failed, to be tried again), failed (given up: dead after its last attempt, or refused "
    "for good), undeliverable (no provider serves its channel, or no address)",
    ["channel", "provider", "outcome"],
)
DELIVERY_SECONDS = Histogram(
    "imas_page_delivery_seconds",
    "From the moment a page was due (recorded when its incident triggered, or its step's or "
    "rule's delay later) to its provider's acceptance, for pages sent at the first attempt",
    ["channel", "provider"],
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
