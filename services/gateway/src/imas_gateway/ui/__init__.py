"""The dashboard: server-rendered pages (Jinja + htmx) over the same bus requests as the API.

``create_app`` adds :data:`UI_ROUTES`, :func:`session_middleware` and calls :func:`setup_ui`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Litestar, Request, Response, Router
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from imas_gateway.domain import PUBLIC
from imas_gateway.settings import GatewaySettings
from imas_gateway.ui.admin_pages import ADMIN_ROUTES
from imas_gateway.ui.auth_pages import AUTH_ROUTES, LoginRequired
from imas_gateway.ui.config_pages import CONFIG_ROUTES
from imas_gateway.ui.incident_pages import INCIDENT_ROUTES
from imas_gateway.ui.live import LIVE_ROUTES
from imas_gateway.ui.oncall_pages import ONCALL_ROUTES
from imas_gateway.ui.other_pages import OTHER_ROUTES
from imas_gateway.ui.render import STATIC, render
from imas_gateway.ui.sessions import SessionStore, session_middleware
from imas_gateway.users import UserDirectory, UsersController, ensure_bootstrap_admin
from imas_runtime.errors import ServiceError

STATUS_BY_CODE = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409}


def _to_login(request: Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    target = "/login?next=" + quote(request.url.path, safe="/")
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def _error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    if isinstance(exc, ServiceError):
        status, message = STATUS_BY_CODE.get(exc.code, 503), exc.message
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, str(exc.detail)
    else:
        status, message = 500, "Something went wrong on our side."
    return render(request, "error.html", status_code=status, status=status, message=message)


UI_ROUTES = [
    Router(
        path="/",
        route_handlers=[
            *AUTH_ROUTES,
            *INCIDENT_ROUTES,
            *OTHER_ROUTES,
            *ONCALL_ROUTES,
            *CONFIG_ROUTES,
            *ADMIN_ROUTES,
            *LIVE_ROUTES,
            create_static_files_router(
                path="/static", directories=[STATIC], include_in_schema=False
            ),
        ],
        exception_handlers={
            LoginRequired: _to_login,
            ServiceError: _error_page,
            HTTPException: _error_page,
        },
        include_in_schema=False,
        # Pages check the session themselves (and send strangers to the login page).
        opt={"role": PUBLIC},
    ),
    UsersController,
]


def setup_ui(app: Litestar, settings: GatewaySettings) -> None:
    """Sessions in the runtime's Redis, the users directory, and the bootstrap admin user."""
    runtime = app.state.runtime
    sessions = SessionStore(runtime.redis, idle_seconds=settings.session_idle_seconds)
    app.state.sessions = sessions
    app.state.users = UserDirectory(runtime.engine, sign_out=sessions.sign_out_user)
    password = settings.bootstrap_admin_password
    if password:

        async def bootstrap() -> None:
            await ensure_bootstrap_admin(runtime.engine, password)

        runtime.on_start(bootstrap)


__all__ = ["UI_ROUTES", "session_middleware", "setup_ui"]
