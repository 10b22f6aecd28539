"""``imas_webhooks_total{source, outcome}``: what monitoring tools were answered, per source.

Counted from the answer a webhook route gave (its status), so every refusal is counted
whichever part of the gateway made it (credentials, rate limits, body checks, JetStream).
"""

from __future__ import annotations

from typing import Any

from litestar.types import ASGIApp, Message, Receive, Send
from prometheus_client import Counter

from imas_contracts.ingest import SOURCES

WEBHOOKS = Counter(
    "imas_webhooks_total",
    "Webhook calls answered, by source and outcome: accepted (2xx: stored, or a heartbeat "
    "recorded), invalid, unauthorized, not_found, too_large, rate_limited, unavailable (503: "
    "nothing stored, retry), error (other 5xx)",
    ["source", "outcome"],
)
# Routes whose path names their source (the others carry it as ``{source}``), by route
# template (Litestar's: no trailing slash).
FIXED_SOURCES = {
    "/v2/enqueue": "pagerduty",
    "/api/v1/webhooks/pagerduty": "pagerduty",
    "/v2/change/enqueue": "pagerduty_change",
    "/api/v1/webhooks/heartbeat": "heartbeat",
}
OUTCOMES = {
    400: "invalid",
    401: "unauthorized",
    403: "unauthorized",
    404: "not_found",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}
WEBHOOK_TAG = "webhooks"


_counted: dict[tuple[str, int], Any] = {}


def count_answer(source: str, status: int) -> None:
    """One more answer; the counter's child is looked up once per (source, status)."""
    child = _counted.get((source, status))
    if child is None:
        child = _counted[source, status] = WEBHOOKS.labels(source, outcome_of(status))
    child.inc()


def outcome_of(status: int) -> str:
    if 200 <= status < 300:
        return "accepted"
    return OUTCOMES.get(status, "error" if status >= 500 else "refused")


def source_of(scope: Any) -> str:
    """The source a webhook call claims; ``unknown`` for a name that is no source (a caller
    must not make a series per made-up name)."""
    template = str(scope.get("path_template", "")).rstrip("/")
    if template in FIXED_SOURCES:
        return FIXED_SOURCES[template]
    source = (scope.get("path_params") or {}).get("source", "")
    return source if source in SOURCES else "unknown"


def webhook_metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Counts each answer of a route tagged ``webhooks``; other routes pass straight through."""

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] != "http" or handler is None or WEBHOOK_TAG not in (handler.tags or ()):
            await app(scope, receive, send)
            return
        answered = False

        async def count(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start" and not answered:
                answered = True
                count_answer(source_of(scope), message["status"])
            await send(message)

        try:
            await app(scope, receive, count)
        finally:
            if not answered:
                count_answer(source_of(scope), 500)

    return middleware


__all__ = ["WEBHOOKS", "count_answer", "webhook_metrics_middleware"]
