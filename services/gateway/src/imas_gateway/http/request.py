"""The gateway's request, and what a connection carries once the gateway has looked at it.

Every handler that needs the request itself takes a :class:`Request`: the caller is its
``user`` (a :class:`~imas_gateway.domain.Principal`, once the guard has authenticated it), the
gateway's parts are its ``gateway``, the dashboard session it came with its ``signed_in``.

A connection's scope carries, besides the caller in ``scope["user"]``, in ``scope["state"]``:
the dashboard's session (valid, whatever the method), the principal the session may act as
(safe methods, or a request with the right CSRF token), and the rate-limit verdict the
response headers report. The functions below are the only place these keys are written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import litestar
from litestar.datastructures import State

from imas_gateway.domain import Principal
from imas_gateway.state import GatewayState, gateway_state

if TYPE_CHECKING:
    from litestar.types import Scope

    from imas_gateway.auth.ratelimit import Verdict
    from imas_gateway.auth.sessions import Session

_SESSION = "imas.session"
_SESSION_PRINCIPAL = "imas.session_principal"
_RATE_VERDICT = "imas.rate_verdict"


class Request(litestar.Request[Principal, None, State]):
    """A request to the gateway (the app's ``request_class``)."""

    @property
    def gateway(self) -> GatewayState:
        return gateway_state(self.app)

    @property
    def signed_in(self) -> Session | None:
        """The signed-in dashboard session, if any (see ``auth.sessions``)."""
        return session_of(self.scope)


def caller_of(scope: Scope) -> Principal | None:
    """The caller the guard authenticated, if it has."""
    found = scope.get("user")
    return found if isinstance(found, Principal) else None


def set_caller(scope: Scope, principal: Principal) -> None:
    scope["user"] = principal


def session_of(scope: Scope) -> Session | None:
    session: Session | None = _state(scope).get(_SESSION)
    return session


def session_principal_of(scope: Scope) -> Principal | None:
    """Who the session may act as on this request (see the module docstring)."""
    found = _state(scope).get(_SESSION_PRINCIPAL)
    return found if isinstance(found, Principal) else None


def set_session(scope: Scope, session: Session, *, may_act: bool) -> None:
    state = _state(scope)
    state[_SESSION] = session
    if may_act:
        state[_SESSION_PRINCIPAL] = session.principal()


def rate_verdict_of(scope: Scope) -> Verdict | None:
    verdict: Verdict | None = _state(scope).get(_RATE_VERDICT)
    return verdict


def set_rate_verdict(scope: Scope, verdict: Verdict) -> None:
    _state(scope)[_RATE_VERDICT] = verdict


def _state(scope: Scope) -> dict[str, Any]:
    # Litestar gives every connection a state dict before any middleware runs.
    return scope.setdefault("state", {})
