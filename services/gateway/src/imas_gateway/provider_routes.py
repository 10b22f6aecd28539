"""Notification providers (secrets write-only), "send test", and the delivery ledger.

Anyone with a token reads; creating, changing, deleting and testing providers needs the
admin role. Secret values are never answered: a provider lists the names of its secrets.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.incidents import GetIncident
from imas_contracts.notifier import (
    DeleteProvider,
    DeliveryList,
    DeliveryStatus,
    ListDeliveries,
    ListProviders,
    ProviderKind,
    ProviderList,
    ProviderSpec,
    ProviderTestResult,
    ProviderView,
    PutProvider,
    SendProviderTest,
)
from imas_gateway import api_params as params
from imas_gateway.auth import role
from imas_gateway.domain import Principal, Results, message_json
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream

_DEPENDENCIES = MESH_DEPENDENCIES


class ProviderBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    kind: ProviderKind
    config: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    enabled: bool = True


class TestBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    recipient: str = ""


def _provider(found: ProviderView | ProviderList) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(
        found.provider if isinstance(found, ProviderView) else found.providers[0]
    )
    return data


class ProviderController(Controller):
    path = "/api/v1/notification-providers"
    tags = ["notifications"]
    opt = role("admin", answer=ProviderSpec)
    dependencies = _DEPENDENCIES

    @get(
        "/",
        summary="Configured notification providers (secrets by name only)",
        opt={"answer": Results[ProviderSpec]},
    )
    async def list_(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListProviders(), ProviderList)
        return {"count": len(found.providers), "results": message_json(found)["providers"]}

    @post("/", summary="Add a provider", opt={"body": ProviderBody})
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), ProviderBody)
        saved = await mesh.ask(PutProvider(**msgspec.structs.asdict(body)), ProviderView)
        return _provider(saved)

    @get("/{ref:str}/", summary="One provider")
    async def read(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> dict[str, Any]:
        return _provider(await mesh.ask(ListProviders(id=ref), ProviderList))

    @put(
        "/{ref:str}/",
        summary="Replace a provider (secrets left out are kept)",
        opt={"body": ProviderBody},
    )
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), ProviderBody)
        current = await mesh.ask(ListProviders(id=ref), ProviderList)
        cmd = PutProvider(id=current.providers[0].id, **msgspec.structs.asdict(body))
        return _provider(await mesh.ask(cmd, ProviderView))

    @delete("/{ref:str}/", status_code=200, summary="Delete a provider")
    async def remove(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> dict[str, Any]:
        return _provider(await mesh.ask(DeleteProvider(id=ref), ProviderView))

    @post(
        "/{ref:str}/test/",
        status_code=200,
        summary="Send a test message now",
        opt={"body": TestBody, "answer": ProviderTestResult},
    )
    async def test(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), TestBody)
        result = await mesh.ask(
            SendProviderTest(id=ref, recipient=body.recipient), ProviderTestResult
        )
        return message_json(result)


class DeliveryController(Controller):
    path = "/api/v1"
    tags = ["notifications"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get(
        "/deliveries/",
        summary="The delivery ledger, newest first",
        opt={"answer": DeliveryList},
    )
    async def deliveries(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        status: DeliveryStatus | Literal[""] = Parameter(
            default="", description="Only pages in this state"
        ),
        incident: str = Parameter(default="", description="Only this incident's (its UUID)"),
        limit: int = Parameter(default=100, ge=1, le=500, description="How many, at most"),
        offset: int = Parameter(default=0, ge=0, description="How many to skip"),
    ) -> dict[str, Any]:
        query = ListDeliveries(incident_id=incident, status=status, limit=limit, offset=offset)
        return message_json(await mesh.ask(query, DeliveryList))

    @get(
        "/incidents/{ref:str}/deliveries/",
        summary="An incident's pages and their outcome",
        opt={"answer": DeliveryList},
    )
    async def incident_deliveries(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> dict[str, Any]:
        incident_id = (await mesh.incident(GetIncident(id=ref))).incident.id
        return message_json(
            await mesh.ask(ListDeliveries(incident_id=incident_id, limit=500), DeliveryList)
        )


PROVIDER_ROUTES = [ProviderController, DeliveryController]
