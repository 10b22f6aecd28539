"""``/api/v1/incidents/{id}/deliveries/``: an incident's pages and their outcome (the notifier
answers; see ``api.deliveries``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from imas_contracts.incidents import GetIncident
from imas_contracts.notifier import DeliveryList, ListDeliveries
from imas_gateway.api.deliveries import ledger
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal
from imas_gateway.http.upstream import Upstream


class IncidentDeliveryController(Controller):
    path = "/api/v1/incidents"
    tags = ["notifications"]
    opt = role(Role.VIEWER)

    @get(
        "/{ref:str}/deliveries/",
        summary="An incident's pages and their outcome",
        opt={"answer": DeliveryList},
    )
    async def incident_deliveries(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        incident_id = (await mesh.incident(GetIncident(id=ref))).incident.id
        found = await mesh.ask(ListDeliveries(incident_id=incident_id, limit=500), DeliveryList)
        return ledger(found, principal)
