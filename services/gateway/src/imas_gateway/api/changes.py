"""``/api/v1/changes/``: what moved on a service (deploys, configuration pushes), newest
first; they come in as PagerDuty change events (``inbound.webhooks``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.changes import (
    Change,
    ChangePage,
    ListChanges,
)
from imas_gateway.api.docs import PAGED
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal
from imas_gateway.http.params import PAGING, PageRequest
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream


class ChangeController(Controller):
    """Changes, newest first: what moved on a service (deploys, configuration pushes)."""

    path = "/api/v1/changes"
    tags = ["changes"]
    opt = role(Role.VIEWER, answer=Change)
    dependencies = PAGING

    @get("/", summary="Changes, newest first", opt=PAGED)
    async def list_changes(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        paging: NamedDependency[PageRequest],
        service: str = Parameter(default="", description="Only this service's (its id or name)"),
    ) -> dict[str, Any]:
        query = ListChanges(service=service, offset=paging.offset, limit=paging.size)
        page = await mesh.ask(query, ChangePage)
        results = msgspec.to_builtins(page.results)
        return paging.answer(str(request.url), page.count, results)
