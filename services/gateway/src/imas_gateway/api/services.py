"""``/api/v1/services/``: the catalog's services (see ``api.catalog``), and
``/api/v1/services/{id}/maintenance/``: a service put in maintenance until a given time, from
now or from a later time (planned)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import delete, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.catalog import (
    CatalogEntries,
    ServiceEntry,
    ServiceFields,
    SetServiceMaintenance,
)
from imas_gateway.api.catalog import CatalogController, kind_types
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal
from imas_gateway.http.upstream import Upstream


class Maintenance(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The end of a service's maintenance (in the future), why (shown beside it), and when
    it begins (``starts_at``: now when left out, a later time plans it)."""

    until: datetime
    reason: str = ""
    starts_at: datetime | None = None


async def _maintenance(
    mesh: Upstream,
    principal: Principal,
    service: str,
    until: datetime | None,
    reason: str = "",
    since: datetime | None = None,
) -> dict[str, Any]:
    command = SetServiceMaintenance(
        service=service, until=until, reason=reason, actor=principal.name, since=since
    )
    reply = await mesh.ask(command, CatalogEntries)
    answer: dict[str, Any] = msgspec.to_builtins(reply.services[0])
    return answer


class ServiceController(CatalogController):
    path = "/api/v1/services"
    tags = ["catalog"]
    kind = "service"
    opt = role(Role.VIEWER, answer=ServiceEntry)
    signature_namespace = {**kind_types(ServiceFields), "Maintenance": Maintenance}

    @put(
        "/{entry_id:str}/maintenance/",
        summary="Put a service in maintenance until a given time, now or from a later time",
        opt=role(Role.RESPONDER),
    )
    async def start_maintenance(
        self,
        data: JSONBody[Maintenance],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        """From ``starts_at`` (now when left out) its alerts are recorded ``suppressed`` and
        the pages and escalation steps of its open incidents wait until ``until`` (then go on
        if the incident is still open). Answers the service; 400 naming ``until`` when it is
        not in the future, ``starts_at`` when it is not before ``until``."""
        return await _maintenance(
            mesh, principal, entry_id, data.until, data.reason, data.starts_at
        )

    @delete(
        "/{entry_id:str}/maintenance/",
        status_code=200,
        summary="End a service's maintenance now",
        opt=role(Role.RESPONDER),
    )
    async def end_maintenance(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        """What was held goes on at once (a planned one is called off); answers the service.
        Safe to repeat."""
        return await _maintenance(mesh, principal, entry_id, None)
