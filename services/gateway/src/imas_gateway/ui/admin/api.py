"""The configuration pages call the public API, in process, as the signed-in user.

There is no second path to the data: every read and every change a page makes is a request to
``/api/v1/…`` carrying the user's session and CSRF token, so the API's role guard, its checks,
its refusals (problem JSON naming the field) and its audit log apply exactly as they do to
``curl`` or ``imas apply``. What the pages add is only how it looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.routes import HTTPRoute

from imas_gateway.auth.guard import route_spec
from imas_gateway.auth.sessions import COOKIE, CSRF_HEADER, Session
from imas_gateway.domain import Access, role_allows
from imas_gateway.http.request import Request

# Lists are read whole, a page of this many at a time (the API's largest).
PAGE_SIZE = 500
# Forwarded so that the audit log says who called from where, as for the page itself.
FORWARDED = ("user-agent", "x-forwarded-for", "x-forwarded-proto", "x-real-ip")


@dataclass
class Refused(Exception):
    """The API refused a call: its status, its message and the fields it named."""

    status: int
    detail: str
    errors: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class ApiRoute:
    """A route of the API: the paths it matches, and the least role of each method."""

    pattern: re.Pattern[str]
    roles: dict[str, Access]


# Where the app keeps its routes' roles (``create_app`` puts them there).
ROUTES_KEY = "imas_gateway.ui.admin.routes"


def api_routes(app: Litestar) -> tuple[ApiRoute, ...]:
    """The API's routes and the least role each method needs (see ``auth.guard``)."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        pattern = re.sub(r"\\\{\w+:\w+\\\}", "[^/]+", re.escape(route.path))
        roles = {
            str(method): route_spec(handler).role
            for handler in route.route_handlers
            for method in handler.http_methods
        }
        found.append(ApiRoute(re.compile(pattern + "/?"), roles))
    return tuple(found)


def required_role(app: Litestar, method: str, path: str) -> Access | None:
    """The least role the API asks for ``method path``; None when it has no such route."""
    routes: tuple[ApiRoute, ...] = app.state[ROUTES_KEY]
    for route in routes:
        if route.pattern.fullmatch(path) and method in route.roles:
            return route.roles[method]
    return None


def may(app: Litestar, role: str, method: str, path: str) -> bool:
    """Whether ``role`` may call ``method path`` of the API (for links to the forms)."""
    needed = required_role(app, method, path)
    return needed is not None and role_allows(role, needed)


class PublicApi:
    """Calls to the public API as the user of ``session``; use it in ``async with``."""

    def __init__(self, request: Request, session: Session) -> None:
        self.app = request.app
        self.role = session.role
        headers = {name: value for name in FORWARDED if (value := request.headers.get(name))}
        headers["cookie"] = f"{COOKIE}={session.id}"
        headers[CSRF_HEADER] = session.csrf
        client = request.client
        transport = httpx.ASGITransport(
            app=self.app,  # type: ignore[arg-type]  # an ASGI app, typed by Litestar's own scopes
            client=(client.host, client.port) if client else ("127.0.0.1", 0),
        )
        self._client = httpx.AsyncClient(
            transport=transport, base_url=str(request.base_url), headers=headers
        )

    async def __aenter__(self) -> PublicApi:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    def allows(self, method: str, path: str) -> bool:
        """Whether the user's role may call ``method path`` (the API refuses otherwise)."""
        return may(self.app, self.role, method, path)

    async def call(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """The JSON answer (None when empty), or :class:`Refused`."""
        answer = await self._client.request(method, path, json=body, params=params)
        if answer.status_code >= 400:
            raise _refusal(answer)
        return answer.json() if answer.content else None

    async def read(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """A read a page cannot do without: a refusal is the page's own error (403, 404...)."""
        try:
            return await self.call("GET", path, params=params)
        except Refused as exc:
            raise HTTPException(status_code=exc.status, detail=exc.detail) from None

    async def items(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list, page after page."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = await self.read(path, {"page": page, "page_size": PAGE_SIZE})
            found += listed(answer)
            if not (isinstance(answer, dict) and answer.get("next")):
                return found
            page += 1


def listed(answer: Any) -> list[dict[str, Any]]:
    """The items of a list answer: ``results``, or the one list it holds
    (``{"schedules": [...]}``)."""
    if isinstance(answer, list):
        return answer
    if not isinstance(answer, dict):
        return []
    if isinstance(answer.get("results"), list):
        return list(answer["results"])
    lists = [v for v in answer.values() if isinstance(v, list)]
    return list(lists[0]) if len(lists) == 1 else []


def _refusal(answer: httpx.Response) -> Refused:
    try:
        problem = answer.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    errors = [
        (str(e.get("field", "")), str(e.get("message", "")))
        for e in problem.get("errors") or []
        if isinstance(e, dict)
    ]
    detail = str(problem.get("detail") or problem.get("title") or answer.reason_phrase)
    return Refused(answer.status_code, detail, errors)
