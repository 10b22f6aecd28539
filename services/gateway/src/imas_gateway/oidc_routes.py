"""The dashboard's single sign-on: ``/auth/oidc/login`` sends the browser to the provider,
``/auth/oidc/callback`` brings it back signed in, with a session like a password login's.

The attempt's state also travels in a short-lived cookie, so a callback only completes in the
browser that started it (no one can sign a victim into their own account).
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.response import Redirect

from imas_gateway.auth import PUBLIC, role
from imas_gateway.oidc import OidcConfig, SignInRefused, SingleSignOn
from imas_gateway.settings import GatewaySettings
from imas_gateway.ui.render import render
from imas_gateway.ui.sessions import COOKIE, cookie_options
from imas_gateway.users import single_sign_on_user
from imas_runtime.logs import get_logger

log = get_logger(__name__)

STATE_COOKIE = "imas_oidc_state"
CALLBACK_PATH = "/auth/oidc"
# Anyone may start or finish a sign-in: the provider vouches for who they are.
SIGN_IN = role(PUBLIC, audit=False)


def _sso(request: Request[Any, Any, Any]) -> SingleSignOn | None:
    found: SingleSignOn | None = getattr(request.app.state, "oidc", None)
    return found


def _safe_next(target: str | None) -> str:
    """Only paths of this site: never another origin (``//host`` or ``https://``)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _refused(request: Request[Any, Any, Any], reason: str) -> Response[str]:
    log.warning("single sign-on refused", reason=reason)
    response = render(
        request, "error.html", status_code=401, status=401, message=f"Sign-in refused: {reason}"
    )
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


@get("/auth/oidc/login", include_in_schema=False, opt=SIGN_IN)
async def oidc_login(request: Request[Any, Any, Any]) -> Response[Any]:
    """303 to the provider's authorization endpoint (404 when single sign-on is off)."""
    sso = _sso(request)
    if sso is None:
        return render(
            request, "error.html", status_code=404, status=404, message="No single sign-on here."
        )
    try:
        attempt = await sso.start(_safe_next(request.query_params.get("next")))
        url = await sso.authorization_url(attempt)
    except SignInRefused as exc:
        return _refused(request, exc.message)
    response: Response[Any] = Redirect(url, status_code=303)
    options = {**cookie_options(request.scope, 600), "path": CALLBACK_PATH}
    response.set_cookie(STATE_COOKIE, attempt.state, **options)
    return response


@get("/auth/oidc/callback", include_in_schema=False, opt=SIGN_IN)
async def oidc_callback(request: Request[Any, Any, Any]) -> Response[Any]:
    """The provider's answer: a new session and a redirect to where the user was going, or
    401 with the reason (expired or foreign attempt, invalid ID token, disabled user)."""
    sso = _sso(request)
    params = request.query_params
    if sso is None:
        return _refused(request, "single sign-on is not configured")
    if params.get("error"):
        return _refused(request, f"the provider answered {params.get('error')}")
    state = params.get("state", "")
    if not state or not secrets.compare_digest(request.cookies.get(STATE_COOKIE, ""), state):
        return _refused(request, "this sign-in was not started in this browser")
    try:
        who = await sso.finish(state, params.get("code", ""))
        principal = await single_sign_on_user(
            request.app.state.runtime.engine, who, sso.config.default_role
        )
    except SignInRefused as exc:
        return _refused(request, exc.message)
    store = request.app.state.sessions
    old = request.scope.get("imas_session")
    if old is not None:
        await store.delete(old.id)  # type: ignore[attr-defined]
    session = await store.create(principal, principal.user_id or "")
    response: Response[Any] = Redirect(_safe_next(who.next), status_code=303)
    response.set_cookie(COOKIE, session.id, **cookie_options(request.scope, store.idle_seconds))
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


def setup_oidc(app: Litestar, settings: GatewaySettings) -> None:
    """``app.state.oidc``: the single sign-on flow when configured, else None."""
    config = OidcConfig.from_settings(settings)
    app.state.oidc = None
    if config is None:
        return
    app.state.oidc = SingleSignOn(
        config, app.state.runtime.redis, timeout=settings.upstream_timeout
    )


OIDC_ROUTES = [oidc_login, oidc_callback]
