"""What every HTTP request leaves behind: a sample of ``imas_http_request_duration_seconds``
(by method, route template and status) and, when traced, a server span that continues the
caller's trace. One ASGI wrapper for both: it runs on every request of the hot path."""

from __future__ import annotations

import time
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry.trace import SpanKind
from prometheus_client import Histogram

from imas_runtime.telemetry import TRACEPARENT, span_from_headers, tracing_active

HTTP_SECONDS = Histogram(
    "imas_http_request_duration_seconds",
    "HTTP requests answered, by method, route template and status: how many (_count) and "
    "how long from the request to the answer's start",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
# Probes and scrapes: counted, never traced (one span every few seconds per pod, for nothing).
_UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_TRACEPARENT_HEADER = TRACEPARENT.encode()
_Observe = Callable[[float], None]


class _Samples:
    """The histogram's child per (method, route, status), looked up once: ``labels()`` takes a
    lock and builds a key on every call, which a request should not pay for."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], _Observe] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        observe = self._children.get(key)
        if observe is None:
            observe = HTTP_SECONDS.labels(method, route, str(status)).observe
            self._children[key] = observe
        observe(seconds)


_samples = _Samples()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """One HTTP answer more, for a path answered in front of the app (the gateway's lean
    webhooks): counted and timed as the middleware does it."""
    _samples.observe(method, route, status, seconds)


def observe_http(service: str) -> Callable[[ASGIApp], ASGIApp]:
    """Litestar middleware (it runs once a route matched: ``path_template`` is known; a 404
    for an unknown path is not a route and is not counted)."""
    samples = _samples

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            method = scope.get("method", "GET")
            # The route template, not the path: ids must not make every series unique.
            route = scope.get("path_template") or "unmatched"
            status = 0

            async def send_and_time(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    samples.observe(method, route, status, time.perf_counter() - started)
                await send(message)

            traced = scope["path"] not in _UNTRACED_PATHS and (
                tracing_active() or any(k == _TRACEPARENT_HEADER for k, _ in scope["headers"])
            )
            try:
                if not traced:
                    await app(scope, receive, send_and_time)
                    return
                headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
                name = f"{method} {route}"
                with span_from_headers(service, name, headers, SpanKind.SERVER) as span:
                    await app(scope, receive, send_and_time)
                    span.set_attribute("http.response.status_code", status)
                    span.set_attribute("http.route", route)
            finally:
                if not status:  # the app failed before answering: the server answers 500
                    samples.observe(method, route, 500, time.perf_counter() - started)

        return middleware

    return factory
