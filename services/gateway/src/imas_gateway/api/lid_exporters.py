"""``/api/v1/lid-exporters/``: where incident documents (LIDs) are exported (Confluence,
Google Docs); responders read, admins write. Secrets are write-only (the war room service
answers)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.warroom import (
    DeleteExporter,
    ExporterKind,
    ExporterList,
    ExporterView,
    ListExporters,
    PutExporter,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream

RESPONDER = role(Role.RESPONDER)
MANAGER = role(Role.MANAGER)
ADMIN = role(Role.ADMIN)


class ExporterBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A LID exporter as written: secret values are sent, never answered."""

    name: str
    kind: ExporterKind
    config: dict[str, str] = {}
    secrets: dict[str, str] = {}
    enabled: bool = True


class ExporterController(Controller):
    """``/api/v1/lid-exporters/``: where LIDs can be exported. Secrets are write-only."""

    path = "/api/v1/lid-exporters"
    tags = ["incident document"]
    opt = RESPONDER

    @get("/", summary="LID exporters (secrets by name only)")
    async def list_exporters(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListExporters(), ExporterList)
        return {"count": len(found.exporters), "results": message_json(found)["exporters"]}

    @post("/", summary="Add a LID exporter (Confluence, Google Docs)", opt=ADMIN)
    async def create(
        self,
        data: JSONBody[ExporterBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        put = PutExporter(**msgspec.structs.asdict(data))
        return message_json((await mesh.ask(put, ExporterView)).exporter)

    @get("/{exporter_id:str}/", summary="One LID exporter")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: FromPath[str],
    ) -> dict[str, Any]:
        found = await mesh.ask(ListExporters(id=exporter_id), ExporterList)
        exporter: dict[str, Any] = message_json(found)["exporters"][0]
        return exporter

    @put("/{exporter_id:str}/", summary="Replace a LID exporter", opt=ADMIN)
    async def replace(
        self,
        data: JSONBody[ExporterBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: FromPath[str],
    ) -> dict[str, Any]:
        """Secrets left out keep their stored value; an empty string removes one."""
        put_ = PutExporter(id=exporter_id, **msgspec.structs.asdict(data))
        return message_json((await mesh.ask(put_, ExporterView)).exporter)

    @delete("/{exporter_id:str}/", status_code=204, summary="Delete a LID exporter", opt=ADMIN)
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: FromPath[str],
    ) -> None:
        await mesh.ask(DeleteExporter(id=exporter_id), ExporterView)
