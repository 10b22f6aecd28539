"""The dashboard's single sign-on: ``/auth/oidc/login`` sends the browser to the provider,
``/auth/oidc/callback`` brings it back signed in, with a session like a password login's.

The attempt's state also travels in a short-lived cookie, so a callback only completes in the
browser that started it (no one can sign a victim into their own account).
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.response import Redirect

from imas_gateway.auth.guard import PUBLIC, role
from imas_gateway.auth.oidc import SignInRefused, SingleSignOn
from imas_gateway.auth.sessions import COOKIE, cookie_options
from imas_gateway.auth.throttle import SignInThrottle
from imas_gateway.http.problems import RateLimited
from imas_gateway.http.request import Request
from imas_gateway.ui.render import render
from imas_runtime.logs import get_logger
from imas_runtime.secrets_box import same_secret

log = get_logger(__name__)

STATE_COOKIE = "imas_oidc_state"
CALLBACK_PATH = "/auth/oidc"
# Anyone may start or finish a sign-in: the provider vouches for who they are.
SIGN_IN = role(PUBLIC, audit=False)


def _sso(request: Request) -> SingleSignOn | None:
    found: SingleSignOn | None = request.gateway.oidc
    return found


def _safe_next(target: str | None) -> str:
    """Only paths of this site: never another origin (``//host`` or ``https://``)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _refused(
    request: Request,
    reason: str,
    *,
    status: int = 401,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    log.warning("single sign-on refused", reason=reason)
    response = render(
        request,
        "error.html",
        status_code=status,
        status=status,
        message=f"Sign-in refused: {reason}",
    )
    response.headers.update(headers or {})
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response


@get("/auth/oidc/login", include_in_schema=False, opt=SIGN_IN)
async def oidc_login(request: Request) -> Response[Any]:
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
async def oidc_callback(request: Request) -> Response[Any]:
    """The provider's answer: a new session and a redirect to where the user was going, or
    401 with the reason (expired or foreign attempt, invalid ID token, disabled user); 429
    after too many refusals for the caller's address (see ``imas_gateway.auth.throttle``)."""
    sso = _sso(request)
    params = request.query_params
    if sso is None:
        return _refused(request, "single sign-on is not configured")
    if params.get("error"):
        return _refused(request, f"the provider answered {params.get('error')}")
    throttle: SignInThrottle = request.gateway.sign_in
    try:
        attempt = await throttle.attempt(request.scope)
    except RateLimited as exc:
        return _refused(request, exc.message, status=429, headers=exc.headers)
    state = params.get("state", "")
    if not state or not same_secret(request.cookies.get(STATE_COOKIE, ""), state):
        return _refused(request, "this sign-in was not started in this browser")
    try:
        who = await sso.finish(state, params.get("code", ""))
        user = await request.gateway.users.single_sign_on(
            who,
            default_role=sso.config.default_role,
            roles_from_claim=bool(sso.config.role_claim),
        )
    except SignInRefused as exc:
        return _refused(request, exc.message)
    await throttle.succeeded(attempt)
    store = request.gateway.sessions
    old = request.signed_in
    if old is not None:
        await store.delete(old.id)
    session = await store.create(user)
    response: Response[Any] = Redirect(_safe_next(who.next), status_code=303)
    response.set_cookie(COOKIE, session.id, **cookie_options(request.scope, store.idle_seconds))
    response.delete_cookie(STATE_COOKIE, path=CALLBACK_PATH)
    return response
