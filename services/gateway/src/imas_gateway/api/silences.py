"""``/api/v1/silences/``: maintenance windows, during which matching alerts open no incident
(viewers read, responders set and end them)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from imas_contracts.ingest import (
    CreateSilence,
    DeleteSilence,
    ListSilences,
    Silence,
    SilenceList,
    SilenceReply,
)
from imas_gateway.api.docs import PAGED
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, reply_json, whole_page
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import NotFound


class SilenceController(Controller):
    path = "/api/v1/silences"
    tags = ["silences"]
    opt = role(Role.VIEWER, answer=Silence)

    @post(
        "/",
        status_code=201,
        summary="Create a silence (maintenance window)",
        opt=role(Role.RESPONDER),
    )
    async def create(
        self,
        data: JSONBody[Silence],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        silence = msgspec.structs.replace(data, id="", created_by=principal.name)
        reply = await mesh.ask(CreateSilence(silence=silence), SilenceReply)
        return reply_json(reply.silence)

    @get("/", summary="Silences that have not ended", opt=PAGED)
    async def list_all(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        include_expired: bool = Parameter(default=False, description="Ended ones too"),
    ) -> dict[str, Any]:
        reply: SilenceList = await mesh.ask(
            ListSilences(include_expired=include_expired), SilenceList
        )
        results = msgspec.to_builtins(reply.silences)
        return whole_page(results)

    @get("/{id:str}/", summary="One silence, ended or not")
    async def detail(
        self,
        id: FromPath[str],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        reply = await mesh.ask(ListSilences(include_expired=True), SilenceList)
        for silence in reply.silences:
            if silence.id == id:
                return reply_json(silence)
        raise NotFound(f"no silence {id}")

    @delete("/{id:str}/", status_code=204, summary="End a silence now", opt=role(Role.RESPONDER))
    async def remove(
        self,
        id: FromPath[str],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> None:
        await mesh.ask(DeleteSilence(id=id), SilenceReply)
