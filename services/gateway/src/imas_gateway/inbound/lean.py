"""The lean way in for alert webhooks: plain ASGI in front of the Litestar app.

Alert webhooks are most of what the gateway is called for, and need none of what the API's
calls need: no session, no audit row (ingest records each alert), no dependency injection, no
signature model. Their ``POST`` calls are answered here, with exactly what the Litestar routes
of :mod:`imas_gateway.inbound.webhooks` answer (both call :class:`Intake`): the body read
within its limit, the security headers, the ``imas_webhooks_total`` count and, when tracing
is on or the caller sent a trace, a server span, and the answer in
``imas_http_request_duration_seconds``. Every other call goes on to Litestar.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from opentelemetry.trace import SpanKind

from imas_gateway.http.middleware import CSP, HSTS, SECURITY_HEADERS, over_tls
from imas_gateway.http.webhook_metrics import count_answer
from imas_gateway.inbound.intake import (
    ALERT_SOURCES,
    PD_PATHS,
    Answer,
    Call,
    Intake,
    problem_answer,
    too_large,
)
from imas_runtime.http_telemetry import observe_request
from imas_runtime.telemetry import TRACEPARENT, span_from_headers, tracing_active

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
Take = Callable[[Call], Awaitable[Answer]]

_SECURITY = [
    *((name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
    (b"content-security-policy", CSP.encode()),
]
_HSTS = (b"strict-transport-security", HSTS.encode())
_TRACEPARENT = TRACEPARENT.encode()


def _routes(intake: Intake) -> dict[str, tuple[str, str, Take]]:
    """Each path (with and without its trailing slash): the source it counts as, the route's
    name in traces, and what takes the call."""
    routes: dict[str, tuple[str, str, Take]] = {}

    def add(path: str, source: str, name: str, take: Take) -> None:
        routes[path] = routes[path.rstrip("/")] = (source, name, take)

    for source in ALERT_SOURCES:

        async def alert(call: Call, source: str = source) -> Answer:
            return await intake.alert(source, call)

        add(f"/api/v1/webhooks/{source}/", source, "POST /api/v1/webhooks/{source}", alert)
    for path in PD_PATHS:
        add(path, "pagerduty", f"POST {path.rstrip('/')}", intake.pagerduty)
    return routes


def lean_webhooks(app: ASGIApp, intake: Intake, service: str) -> ASGIApp:
    """``app`` with alert webhooks (``POST`` only) answered in front of it."""
    routes = _routes(intake)

    async def lean(scope: Any, receive: Any, send: Any) -> None:
        route = routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        source, name, take = route
        started = time.perf_counter()
        if tracing_active() or any(key == _TRACEPARENT for key, _ in scope["headers"]):
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            with span_from_headers(service, name, headers, SpanKind.SERVER) as span:
                status = await _serve(scope, receive, send, source, take)
                span.set_attribute("http.status_code", status)
        else:
            status = await _serve(scope, receive, send, source, take)
        if status:  # by the route's template, as Litestar's routes are counted
            observe_request(
                "POST", name.removeprefix("POST "), status, time.perf_counter() - started
            )

    return lean


async def _serve(scope: Any, receive: Any, send: Any, source: str, take: Take) -> int:
    """Read the call, take it, answer it; the status answered (0 when the caller left)."""
    headers: dict[str, str] = {}
    for key, value in scope["headers"]:
        headers.setdefault(key.decode("latin-1"), value.decode("latin-1"))
    length = headers.get("content-length", "")
    refused = too_large(int(length)) if length.isdigit() else None
    body = b"" if refused is not None else await _body(receive)
    if body is None:
        return 0
    if refused is None:
        refused = too_large(len(body))
    if refused is not None:
        answer = problem_answer(refused)
    else:
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        answer = await take(Call(body=body, query=query, headers=headers))
    await _answer(scope, send, answer)
    count_answer(source, answer.status)
    return answer.status


async def _body(receive: Any) -> bytes | None:
    """The request's body, read no further than just past the webhook limit; None when the
    caller left."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False) or too_large(size) is not None:
            return b"".join(chunks)


async def _answer(scope: Any, send: Any, answer: Answer) -> None:
    headers = [
        (b"content-type", answer.media_type.encode()),
        (b"content-length", str(len(answer.body)).encode()),
        *_SECURITY,
        *((name.lower().encode(), value.encode()) for name, value in answer.headers.items()),
    ]
    if over_tls(scope):
        headers.append(_HSTS)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
