"""Login, logout, and what every dashboard page needs: the signed-in session and CSRF checks."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect

from imas_gateway.ui.render import render
from imas_gateway.ui.sessions import COOKIE, CSRF_FIELD, CSRF_HEADER, Session, cookie_options
from imas_gateway.users import verify_password
from imas_runtime.errors import ServiceError

LOGIN_CSRF_COOKIE = "imas_login_csrf"


class LoginRequired(Exception):
    """No session: pages send the browser to the login page."""


class CsrfRefused(ServiceError):
    code = "forbidden"


def current(request: Request[Any, Any, Any]) -> Session:
    """The signed-in session, or :class:`LoginRequired`."""
    session: Session | None = request.scope.get("imas_session")  # type: ignore[assignment]
    if session is None:
        raise LoginRequired
    return session


async def posted(request: Request[Any, Any, Any]) -> tuple[Session, dict[str, str]]:
    """The session and the posted form, once its CSRF token (field or header) matched."""
    session = current(request)
    form = {key: str(value) for key, value in (await request.form()).items()}
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not session.csrf_ok(sent):
        raise CsrfRefused.field(CSRF_FIELD, "missing or wrong: reload the page and try again")
    return session, form


def _safe_next(target: str | None) -> str:
    """Only paths of this site: never another origin (``//host`` or ``https://``)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(
    request: Request[Any, Any, Any], *, error: str = "", status_code: int = 200
) -> Response[str]:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        csrf=token,
        error=error,
        next=_safe_next(request.query_params.get("next")),
        sso=getattr(request.app.state, "oidc", None) is not None,
    )
    options = cookie_options(request.scope, 3600)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, **options)
    return response


@get("/login", include_in_schema=False)
async def login_form(request: Request[Any, Any, Any]) -> Response[Any]:
    if request.scope.get("imas_session") is not None:
        return Redirect("/")
    return _login_page(request)


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    """Checks the login form's CSRF token against its cookie, then the password; on success a
    new session (a fresh id: no fixation) and a redirect to ``next``."""
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))
    if not expected or not hmac.compare_digest(expected, sent):
        return _login_page(
            request, error="The form expired: please sign in again.", status_code=403
        )
    engine = request.app.state.runtime.engine
    principal = await verify_password(
        engine, str(form.get("username", "")), str(form.get("password", ""))
    )
    if principal is None:
        return _login_page(request, error="Wrong username or password.", status_code=401)
    store = request.app.state.sessions
    old = request.scope.get("imas_session")
    if old is not None:
        await store.delete(old.id)  # type: ignore[attr-defined]
    session = await store.create(principal, principal.user_id or "")
    response: Response[Any] = Redirect(_safe_next(str(form.get("next", ""))), status_code=303)
    response.set_cookie(COOKIE, session.id, **cookie_options(request.scope, store.idle_seconds))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    session, _ = await posted(request)
    await request.app.state.sessions.delete(session.id)
    response: Response[Any] = Redirect("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


AUTH_ROUTES = [login_form, login, logout]
