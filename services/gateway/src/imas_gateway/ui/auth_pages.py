"""Login, logout, and what every dashboard page needs: the signed-in session and CSRF checks."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Response, get, post
from litestar.response import Redirect

from imas_gateway.auth.sessions import COOKIE, CSRF_FIELD, CSRF_HEADER, Session, cookie_options
from imas_gateway.auth.throttle import SignInThrottle
from imas_gateway.http.problems import RateLimited
from imas_gateway.http.request import Request
from imas_gateway.ui.render import render
from imas_runtime.errors import ServiceError
from imas_runtime.secrets_box import same_secret

LOGIN_CSRF_COOKIE = "imas_login_csrf"


class LoginRequired(Exception):
    """No session: pages send the browser to the login page."""


class CsrfRefused(ServiceError):
    code = "forbidden"


def current(request: Request) -> Session:
    """The signed-in session, or :class:`LoginRequired`."""
    session = request.signed_in
    if session is None:
        raise LoginRequired
    return session


async def posted(request: Request) -> tuple[Session, dict[str, str]]:
    """The session and the posted form, once its CSRF token (field or header) matched."""
    session, form = await posted_lists(request)
    return session, {key: values[-1] for key, values in form.items()}


async def posted_lists(request: Request) -> tuple[Session, dict[str, list[str]]]:
    """As :func:`posted`, with every value of each name, in order (checkboxes, lists)."""
    session = current(request)
    form: dict[str, list[str]] = {}
    for key, value in (await request.form()).multi_items():
        form.setdefault(key, []).append(str(value))
    sent = request.headers.get(CSRF_HEADER) or (form.get(CSRF_FIELD) or [""])[-1]
    if not session.csrf_ok(sent):
        raise CsrfRefused.field(CSRF_FIELD, "missing or wrong: reload the page and try again")
    return session, form


def _safe_next(target: str | None) -> str:
    """Only paths of this site: never another origin (``//host`` or ``https://``)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(request: Request, *, error: str = "", status_code: int = 200) -> Response[str]:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        csrf=token,
        error=error,
        next=_safe_next(request.query_params.get("next")),
        sso=request.gateway.oidc is not None,
    )
    options = cookie_options(request.scope, 3600)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, **options)
    return response


@get("/login", include_in_schema=False)
async def login_form(request: Request) -> Response[Any]:
    if request.signed_in is not None:
        return Redirect("/")
    return _login_page(request)


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request) -> Response[Any]:
    """Checks the login form's CSRF token against its cookie, then the password; on success a
    new session (a fresh id: no fixation) and a redirect to ``next``."""
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = str(form.get(CSRF_FIELD, ""))
    if not expected or not same_secret(expected, sent):
        return _login_page(
            request, error="The form expired: please sign in again.", status_code=403
        )
    username = str(form.get("username", ""))
    throttle: SignInThrottle = request.gateway.sign_in
    try:
        attempt = await throttle.attempt(request.scope, username)
    except RateLimited as exc:
        page = _login_page(request, error=exc.message.capitalize() + ".", status_code=429)
        page.headers.update(exc.headers)
        return page
    user = await request.gateway.users.verify_password(username, str(form.get("password", "")))
    if user is None:
        return _login_page(request, error="Wrong username or password.", status_code=401)
    await throttle.succeeded(attempt)
    store = request.gateway.sessions
    old = request.signed_in
    if old is not None:
        await store.delete(old.id)
    session = await store.create(user)
    response: Response[Any] = Redirect(_safe_next(str(form.get("next", ""))), status_code=303)
    response.set_cookie(COOKIE, session.id, **cookie_options(request.scope, store.idle_seconds))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request) -> Response[Any]:
    session, _ = await posted(request)
    await request.gateway.sessions.delete(session.id)
    response: Response[Any] = Redirect("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


AUTH_ROUTES = [login_form, login, logout]
