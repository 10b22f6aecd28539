"""Who is calling, and whether they may call this route.

**Principals.** A caller is a :class:`~imas_gateway.domain.Principal`, found by
:func:`authenticate` in this order:

1. the ``Authorization`` header: ``Token <t>`` or ``Bearer <t>`` (an API token). A header that
   is present but wrong is a 401 — it never falls back to a session;
2. ``request.scope["imas_session_principal"]``: a ``Principal`` that the dashboard's session
   middleware puts there for a logged-in user (``user_id`` and ``username`` set, ``token_id``
   empty). That middleware owns cookies and CSRF; this module trusts what it finds there.

Anything else is a 401.

**Roles.** Every route declares the least role it needs in its ``opt``:
``opt={"role": "responder"}`` (or on its controller, which its handlers inherit), and
``"integration": True`` when integration tokens may call it too. :func:`role_guard`, the one
guard every API route goes through, checks it: roles are ordered viewer < operator < responder <
manager < admin, each allowed what the ones before it are; ``public`` routes take no token (the
caller proves itself another way). A route that declares nothing is admin-only.
``"audit": False`` keeps a mutating route out of the audit log (alert webhooks, recorded as
alerts instead).

The guard also spends one request of the caller's rate limit and leaves the verdict in the
scope for the response headers.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from imas_gateway.domain import (
    PUBLIC,
    SERVICE_ROLES,
    Principal,
    role_allows,
    token_from_header,
)
from imas_gateway.problems import Forbidden, RateLimited, Unauthorized
from imas_gateway.ratelimit import Limit, RateLimiter
from imas_gateway.settings import GatewaySettings

SESSION_PRINCIPAL = "imas_session_principal"
PRINCIPAL = "imas_principal"
RATE_VERDICT = "imas_rate_verdict"

__all__ = [
    "PRINCIPAL",
    "PUBLIC",
    "SESSION_PRINCIPAL",
    "Principal",
    "authenticate",
    "role",
    "role_guard",
]


def role(
    required: str,
    *,
    integration: bool = False,
    audit: bool = True,
    body: type[Any] | None = None,
    answer: Any = None,
    own_errors: bool = False,
) -> dict[str, Any]:
    """A route's ``opt``: the least role it needs (see the module's docstring). For the
    OpenAPI schema (see ``docs_routes``): the type of the JSON body it reads, the type whose
    JSON its success answers are, and whether it answers some errors in the JSON of the
    platform it imitates (PagerDuty, Slack, Discord) rather than as problem details."""
    opt: dict[str, Any] = {"role": required, "integration": integration, "audit": audit}
    if body is not None:
        opt["body"] = body
    if answer is not None:
        opt["answer"] = answer
    if own_errors:
        opt["own_errors"] = True
    return opt


async def authenticate(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller's principal from the Authorization header, else the dashboard session;
    401 otherwise. Resolved once per request."""
    found = request.scope.get(PRINCIPAL)
    if isinstance(found, Principal):
        return found
    header = request.headers.get("authorization")
    if header:
        token = token_from_header(header)
        if token is None:
            raise Unauthorized.field(
                "Authorization", "send 'Authorization: Token <token>' or 'Bearer <token>'"
            )
        found = await request.app.state.authenticator.principal(token)
        if not isinstance(found, Principal):
            raise Unauthorized.field("Authorization", "the token is unknown, revoked or expired")
        principal = found
    else:
        session = request.scope.get(SESSION_PRINCIPAL)
        if not isinstance(session, Principal):
            raise Unauthorized.field(
                "Authorization", "send 'Authorization: Token <token>' or 'Bearer <token>'"
            )
        principal = session
    request.scope[PRINCIPAL] = principal  # type: ignore[literal-required]
    return principal


def limit_for(principal: Principal, settings: GatewaySettings) -> Limit:
    if principal.rate_limit:
        return Limit.per_window(principal.rate_limit, principal.rate_window or 60)
    if principal.role in SERVICE_ROLES:
        return Limit.per_window(settings.service_rate_limit, settings.service_rate_window)
    return Limit.per_window(settings.people_rate_limit, settings.people_rate_window)


async def role_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 / 403 / 429 unless the caller may call this route now (see the module docstring)."""
    required = handler.opt.get("role", "admin")
    if required == PUBLIC:
        return
    principal = await authenticate(connection)
    if not role_allows(principal.role, required, integration=handler.opt.get("integration", False)):
        raise Forbidden.field(
            "Authorization", f"this needs the role {required} or above (you are {principal.role})"
        )
    if principal.scopes:
        tags = set(getattr(handler, "resolve_tags", lambda: [])())
        if not tags & set(principal.scopes):
            raise Forbidden.field(
                "Authorization", f"this token is limited to {', '.join(principal.scopes)}"
            )
    state = connection.app.state
    limiter: RateLimiter = state.rate_limiter
    verdict = await limiter.hit(principal.limit_key, limit_for(principal, state.settings))
    connection.scope[RATE_VERDICT] = verdict  # type: ignore[literal-required]
    if not verdict.allowed:
        raise RateLimited("too many requests for this token", verdict.headers())
