"""Who is calling, and whether they may call this route.

**Principals.** A caller is a :class:`~imas_gateway.domain.Principal`, found by
:func:`authenticate` in this order:

1. the ``Authorization`` header: ``Token <t>`` or ``Bearer <t>`` (an API token). A header that
   is present but wrong is a 401 — it never falls back to a session;
2. the principal of the dashboard's session (``http.request.session_principal_of``): the
   session middleware leaves it for a logged-in user (``user_id`` and ``username`` set,
   ``token_id`` empty). That middleware owns cookies and CSRF; this module trusts what it
   finds there.

Anything else is a 401.

**Roles.** Every route declares what it asks of its callers with a :class:`RouteSpec`, put in
its ``opt`` by :func:`role` (on a controller, its handlers inherit it): the least
:class:`~imas_gateway.domain.Role` it needs (roles are ordered viewer < operator < responder <
manager < admin, each allowed what the ones before it are), whether integration tokens may call
it too, or ``PUBLIC`` for routes that take no token (the caller proves itself another way).
:func:`role_guard`, the one guard every route goes through, reads it; a route that declares
nothing is admin-only.

The guard also spends one request of the caller's rate limit (held in memory, shared by the
gateways through NATS: see ``auth.shared_buckets``) and leaves the verdict in the scope for the
response headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from imas_gateway.auth.ratelimit import Limit
from imas_gateway.domain import (
    PUBLIC,
    SERVICE_ROLES,
    Access,
    Principal,
    Role,
    role_allows,
    token_from_header,
)
from imas_gateway.http.problems import Forbidden, RateLimited, Unauthorized
from imas_gateway.http.request import (
    caller_of,
    session_of,
    session_principal_of,
    set_caller,
    set_rate_verdict,
)
from imas_gateway.settings import GatewaySettings
from imas_gateway.state import gateway_state

__all__ = [
    "PUBLIC",
    "Principal",
    "Role",
    "RouteSpec",
    "authenticate",
    "recheck",
    "role",
    "role_guard",
    "route_spec",
]


ROUTE = "route"


@dataclass(frozen=True, kw_only=True)
class RouteSpec:
    """What a route asks of its callers, and how the gateway treats its calls.

    ``audit``: False keeps a mutating route out of the audit log (alert webhooks, recorded as
    alerts instead). ``own_errors``: the route answers some errors in the JSON of the platform
    it imitates (PagerDuty, Slack, Discord) rather than as problem details. ``streams``: its
    answer never ends (server-sent events).
    """

    role: Access = Role.ADMIN
    integration: bool = False
    audit: bool = True
    own_errors: bool = False
    streams: bool = False


# A route that declares nothing.
DENY_BY_DEFAULT = RouteSpec()


def role(
    required: Access,
    *,
    integration: bool = False,
    audit: bool = True,
    own_errors: bool = False,
    streams: bool = False,
    answer: Any = None,
) -> dict[str, Any]:
    """A route's ``opt``: its :class:`RouteSpec`. For the OpenAPI schema (see ``api.docs``),
    the type whose JSON its success answers are."""
    spec = RouteSpec(
        role=required,
        integration=integration,
        audit=audit,
        own_errors=own_errors,
        streams=streams,
    )
    opt: dict[str, Any] = {ROUTE: spec}
    if answer is not None:
        opt["answer"] = answer
    return opt


def route_spec(handler: BaseRouteHandler) -> RouteSpec:
    """The :class:`RouteSpec` a handler declares (or inherits), admin-only when none."""
    found = handler.opt.get(ROUTE)
    return found if isinstance(found, RouteSpec) else DENY_BY_DEFAULT


async def authenticate(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller's principal from the Authorization header, else the dashboard session;
    401 otherwise. Resolved once per request."""
    found = caller_of(request.scope)
    if found is not None:
        return found
    header = request.headers.get("authorization")
    if header:
        token = token_from_header(header)
        if token is None:
            raise Unauthorized.field(
                "Authorization", "send 'Authorization: Token <token>' or 'Bearer <token>'"
            )
        found = await gateway_state(request.app).authenticator.principal(token)
        if found is None:
            raise Unauthorized.field("Authorization", "the token is unknown, revoked or expired")
    else:
        found = session_principal_of(request.scope)
        if found is None:
            raise Unauthorized.field(
                "Authorization", "send 'Authorization: Token <token>' or 'Bearer <token>'"
            )
    set_caller(request.scope, found)
    return found


async def recheck(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller's principal as it stands now, read again (nothing remembered): None when
    the token or session the request came with no longer works. For live streams, which
    outlast the guard's check."""
    state = gateway_state(connection.app)
    header = connection.headers.get("authorization")
    if header:
        token = token_from_header(header)
        return await state.authenticator.principal(token, fresh=True) if token else None
    session = session_of(connection.scope)
    if session is None:
        return None
    found = await state.sessions.get(session.id, touch=False, fresh=True)
    return found.principal() if found is not None else None


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
    spec = route_spec(handler)
    if spec.role == PUBLIC:
        return
    principal = await authenticate(connection)
    if not role_allows(principal.role, spec.role, integration=spec.integration):
        raise Forbidden.field(
            "Authorization", f"this needs the role {spec.role} or above (you are {principal.role})"
        )
    if principal.scopes:
        tags = set(getattr(handler, "resolve_tags", lambda: [])())
        if not tags & set(principal.scopes):
            raise Forbidden.field(
                "Authorization", f"this token is limited to {', '.join(principal.scopes)}"
            )
    state = gateway_state(connection.app)
    verdict = state.limits.hit(principal.limit_key, limit_for(principal, state.settings))
    set_rate_verdict(connection.scope, verdict)
    if not verdict.allowed:
        raise RateLimited("too many requests for this token", verdict.headers())
