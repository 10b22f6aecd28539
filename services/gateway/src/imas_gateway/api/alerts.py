"""``/api/v1/alerts/``: the alerts received and what became of each (ingest answers)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.ingest import (
    AlertPage,
    AlertRecord,
    ListAlerts,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Page, Principal
from imas_gateway.http.params import PAGING, PageRequest
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream


class AlertController(Controller):
    path = "/api/v1/alerts"
    tags = ["alerts"]
    opt = role(Role.VIEWER)

    @get(
        "/",
        summary="Alerts received and what became of each",
        dependencies=PAGING,
        opt={"answer": Page[AlertRecord]},
    )
    async def list_all(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        paging: NamedDependency[PageRequest],
        integration: str = Parameter(default="", description="Only this integration's (its id)"),
        status: str = Parameter(default="", description="Only this outcome"),
        fingerprint: str = Parameter(default="", description="Only alerts with this fingerprint"),
    ) -> dict[str, Any]:
        query = ListAlerts(
            integration=integration,
            status=status,
            fingerprint=fingerprint,
            limit=paging.size,
            offset=paging.offset,
        )
        reply: AlertPage = await mesh.ask(query, AlertPage)
        results = msgspec.to_builtins(reply.results)
        return paging.answer(str(request.url), reply.count, results)
