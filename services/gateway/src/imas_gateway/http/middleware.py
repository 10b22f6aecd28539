"""Response headers on every answer (security, rate limits) and the audit of mutating calls."""

from __future__ import annotations

import time
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Receive, Send

from imas_gateway.audit import AuditRecord
from imas_gateway.auth.guard import route_spec
from imas_gateway.domain import Principal
from imas_gateway.http.request import (
    caller_of,
    rate_verdict_of,
    session_of,
    session_principal_of,
)
from imas_gateway.state import gateway_state
from imas_runtime.logs import get_logger

log = get_logger(__name__)

# Scripts and styles only from the gateway itself; inline styles are allowed because the
# vendored ReDoc and Swagger UI set them at run time. Nothing may frame any page.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CAPTURE_BYTES = 64 * 1024


def over_tls(scope: Any) -> bool:
    if scope.get("scheme") == "https":
        return True
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-proto":
            return bool(value.split(b",")[0].strip().lower() == b"https")
    return False


def headers_middleware(app: ASGIApp) -> ASGIApp:
    """Security headers on every HTTP response (a route's own CSP wins), HSTS when the request
    came over TLS (or ``X-Forwarded-Proto: https``), and ``X-RateLimit-*`` once the caller's
    limit was checked."""

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        tls = over_tls(scope)

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CSP
                if tls:
                    headers["Strict-Transport-Security"] = HSTS
                verdict = rate_verdict_of(scope)
                if verdict is not None:
                    for name, value in verdict.headers().items():
                        headers[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def _header(scope: Any, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _caller(scope: Any) -> Principal | None:
    """Who made the call: the guard's principal, else the signed-in user of the dashboard's
    session (its pages check the session and its CSRF token themselves: a form posted without
    the right token is refused, and still recorded as theirs)."""
    principal = caller_of(scope) or session_principal_of(scope)
    if principal is not None:
        return principal
    session = session_of(scope)
    return session.principal() if session is not None else None


def audit_middleware(app: ASGIApp) -> ASGIApp:
    """One append-only audit row per mutating API call (POST, PUT, PATCH, DELETE), written
    after the answer is sent: who, which route and target, the request body and the JSON
    answer (secrets redacted), the client's address and user agent, and the status. Routes
    declared ``audit=False`` (alert webhooks, recorded as alerts) are skipped."""

    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] != "http"
            or scope.get("method") not in MUTATING
            or handler is None
            or not route_spec(handler).audit
        ):
            await app(scope, receive, send)
            return
        request_body = bytearray()
        response_body = bytearray()
        status = 500
        json_answer = False
        started = time.monotonic()

        async def tee_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < CAPTURE_BYTES:
                request_body.extend(message.get("body", b""))
            return message

        async def tee_send(message: Any) -> None:
            nonlocal status, json_answer
            if message["type"] == "http.response.start":
                status = message["status"]
                content_type = MutableScopeHeaders.from_message(message).get("content-type", "")
                json_answer = "json" in content_type
            elif (
                message["type"] == "http.response.body"
                and json_answer
                and len(response_body) < CAPTURE_BYTES
            ):
                response_body.extend(message.get("body", b""))
            await send(message)

        try:
            await app(scope, tee_receive, tee_send)
        finally:
            client = scope.get("client")
            record = AuditRecord(
                principal=_caller(scope),
                method=scope["method"],
                path=scope["path"],
                route=str(scope.get("path_template") or scope["path"]),
                path_params=dict(scope.get("path_params") or {}),
                status=status,
                ip=client[0] if client else "",
                forwarded_for=_header(scope, b"x-forwarded-for"),
                user_agent=_header(scope, b"user-agent"),
                request_body=bytes(request_body[:CAPTURE_BYTES]),
                response_body=bytes(response_body[:CAPTURE_BYTES]),
                duration_ms=round((time.monotonic() - started) * 1000, 1),
                query_string=bytes(scope.get("query_string", b"")),
            )
            try:
                await gateway_state(scope["app"]).audit.append(record)
            except Exception:
                # The answer is already sent; a lost audit row is logged loudly, not hidden.
                log.exception("audit row not written", path=record.path, status=status)

    return middleware


__all__ = ["audit_middleware", "headers_middleware"]
