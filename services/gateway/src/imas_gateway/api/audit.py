"""``/api/v1/audit/``: the audit log, newest first (admins only; see ``imas_gateway.audit``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from imas_gateway.audit import AuditLog
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Page
from imas_gateway.http.params import PAGING, PageRequest
from imas_gateway.http.request import Request


class AuditEntry(msgspec.Struct, kw_only=True):
    """One row of the audit log as ``GET /api/v1/audit/`` answers it."""

    id: int
    at: str
    actor: str
    role: str
    token_id: str | None
    user_id: str | None
    method: str
    path: str
    route: str
    target: str
    status: int
    ip: str
    forwarded_for: str
    user_agent: str
    request: Any
    response: Any
    duration_ms: float
    # The query string, credentials redacted ("" for rows written before it was kept).
    query: str = ""


def audit_filters(
    actor: str = Parameter(default="", description="Who called (a token's or a user's name)"),
    method: str = Parameter(default="", description="HTTP method, e.g. PATCH"),
    status: int | None = Parameter(default=None, ge=100, le=599, description="Answer status"),
    target: str = Parameter(default="", description="The ids in the path, comma separated"),
    route: str = Parameter(default="", description="Route template, e.g. /api/v1/teams/{id}/"),
    token_id: str = Parameter(default="", description="The calling token's id"),
    user_id: str = Parameter(default="", description="The calling user's id"),
) -> dict[str, Any]:
    """Only the rows matching every filter given."""
    given = {
        "actor": actor,
        "method": method,
        "status": status,
        "target": target,
        "route": route,
        "token_id": token_id,
        "user_id": user_id,
    }
    return {k: v for k, v in given.items() if v not in ("", None)}


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    opt = role(Role.ADMIN, answer=Page[AuditEntry])
    dependencies = {**PAGING, "filters": Provide(audit_filters, sync_to_thread=False)}

    @get("/", summary="The audit log, newest first (admins)")
    async def list_entries(
        self,
        request: Request,
        paging: NamedDependency[PageRequest],
        filters: NamedDependency[dict[str, Any]],
    ) -> dict[str, object]:
        audit: AuditLog = request.gateway.audit
        count, results = await audit.page(filters, paging.size, paging.offset)
        return paging.answer(str(request.url), count, results)
