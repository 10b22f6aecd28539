"""The dashboard: server-rendered pages (Jinja + htmx) over the same bus requests as the API.

``create_app`` adds :data:`DASHBOARD`, the router of every page (``auth.sessions`` keeps the
signed-in sessions).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import litestar
from litestar import Response, Router
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from imas_gateway.auth.guard import PUBLIC, role
from imas_gateway.ui.admin import ADMIN_PAGES
from imas_gateway.ui.auth_pages import AUTH_ROUTES, LoginRequired
from imas_gateway.ui.incident_pages import INCIDENT_ROUTES
from imas_gateway.ui.incident_run import RUN_ROUTES
from imas_gateway.ui.live import LIVE_ROUTES
from imas_gateway.ui.oncall_pages import ONCALL_ROUTES
from imas_gateway.ui.other_pages import OTHER_ROUTES
from imas_gateway.ui.render import STATIC, render
from imas_gateway.ui.runbook_pages import RUNBOOK_ROUTES
from imas_runtime.errors import ServiceError

STATUS_BY_CODE = {
    "invalid": 400,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rate_limited": 429,
}


def _to_login(request: litestar.Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    target = "/login?next=" + quote(request.url.path, safe="/")
    if request.headers.get("hx-request"):
        return Response("", status_code=401, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def _error_page(request: litestar.Request[Any, Any, Any], exc: Exception) -> Response[str]:
    if isinstance(exc, ServiceError):
        status, message = STATUS_BY_CODE.get(exc.code, 503), exc.message
    elif isinstance(exc, HTTPException):
        status, message = exc.status_code, str(exc.detail)
    else:
        status, message = 500, "Something went wrong on our side."
    return render(request, "error.html", status_code=status, status=status, message=message)


DASHBOARD = Router(
    path="/",
    route_handlers=[
        *AUTH_ROUTES,
        *INCIDENT_ROUTES,
        *RUN_ROUTES,
        *OTHER_ROUTES,
        *ONCALL_ROUTES,
        *RUNBOOK_ROUTES,
        *ADMIN_PAGES,
        *LIVE_ROUTES,
        create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
    ],
    exception_handlers={
        LoginRequired: _to_login,
        ServiceError: _error_page,
        HTTPException: _error_page,
    },
    include_in_schema=False,
    # Pages check the session themselves (and send strangers to the login page).
    opt=role(PUBLIC),
)


__all__ = ["DASHBOARD"]
