"""``/api/v1/runbooks/``: runbooks, their YAML import and the ones fitting an incident (the
war room service answers); anyone reads, managers write. An incident's own runbook is at
``/api/v1/incidents/{id}/runbook/`` (``api.incidents.runbook``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, JSONBody, Parameter

from imas_contracts.incidents import Severity
from imas_contracts.warroom import (
    DeleteRunbook,
    GetRunbook,
    ImportRunbooks,
    ListRunbooks,
    MatchRunbook,
    PutRunbook,
    RunbookList,
    RunbookSpec,
    RunbookView,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Page, Principal, Results, message_json
from imas_gateway.http.params import PAGING, PageRequest
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream

RESPONDER = role(Role.RESPONDER)
MANAGER = role(Role.MANAGER)
ADMIN = role(Role.ADMIN)


def _runbook(spec: RunbookSpec, runbook_id: str = "") -> RunbookSpec:
    """A runbook as written: its id from the path, its times kept by the war room."""
    return msgspec.structs.replace(spec, id=runbook_id, created_at=None, updated_at=None)


# A YAML document of runbooks, read as text (the war room service parses it).
YamlText = Annotated[str, Body(media_type="application/yaml")]


class RunbookController(Controller):
    """``/api/v1/runbooks/``: anyone reads, admins write."""

    path = "/api/v1/runbooks"
    tags = ["runbooks"]
    opt = role(Role.VIEWER)

    @get("/", summary="Runbooks", dependencies=PAGING, opt={"answer": Page[RunbookSpec]})
    async def list_runbooks(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        paging: NamedDependency[PageRequest],
        service: str = Parameter(default="", description="Only this service's (its name)"),
    ) -> dict[str, Any]:
        found = await mesh.ask(ListRunbooks(service=service), RunbookList)
        runbooks = [_runbook_json(r) for r in found.runbooks]
        return paging.answer(str(request.url), len(runbooks), paging.of(runbooks))

    @post("/", summary="Create a runbook", opt=role(Role.MANAGER, answer=RunbookSpec))
    async def create(
        self,
        data: JSONBody[RunbookSpec],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        spec = _runbook(data)
        return message_json((await mesh.ask(PutRunbook(runbook=spec), RunbookView)).runbook)

    @post(
        "/import/",
        status_code=200,
        summary="Create or update runbooks from YAML",
        opt=role(Role.MANAGER, answer=Results[RunbookSpec]),
    )
    async def import_yaml(
        self,
        data: YamlText,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        reply = await mesh.ask(ImportRunbooks(yaml=data), RunbookList)
        runbooks = [_runbook_json(r) for r in reply.runbooks]
        return {"count": len(runbooks), "results": runbooks}

    @get(
        "/match/",
        summary="Runbooks fitting an incident, best first",
        opt={"answer": Results[RunbookSpec]},
    )
    async def match(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        service: str = Parameter(min_length=1, description="The incident's service (its name)"),
        title: str = Parameter(
            default="", max_length=500, description="The incident's title (at most 500 characters)"
        ),
        severity: Severity | None = Parameter(default=None, description="The incident's severity"),
    ) -> dict[str, Any]:
        query = MatchRunbook(service=service, title=title, severity=severity)
        reply = await mesh.ask(query, RunbookList)
        runbooks = [_runbook_json(r) for r in reply.runbooks]
        return {"count": len(runbooks), "results": runbooks}

    @get("/{runbook_id:str}/", summary="One runbook", opt={"answer": RunbookSpec})
    async def detail(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: FromPath[str],
    ) -> dict[str, Any]:
        return message_json((await mesh.ask(GetRunbook(id=runbook_id), RunbookView)).runbook)

    @put(
        "/{runbook_id:str}/",
        summary="Replace a runbook",
        opt=role(Role.MANAGER, answer=RunbookSpec),
    )
    async def replace(
        self,
        data: JSONBody[RunbookSpec],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: FromPath[str],
    ) -> dict[str, Any]:
        spec = _runbook(data, runbook_id)
        return message_json((await mesh.ask(PutRunbook(runbook=spec), RunbookView)).runbook)

    @delete("/{runbook_id:str}/", status_code=204, summary="Delete a runbook", opt=MANAGER)
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: FromPath[str],
    ) -> None:
        await mesh.ask(DeleteRunbook(id=runbook_id), RunbookView)


def _runbook_json(runbook: RunbookSpec) -> dict[str, Any]:
    shown: dict[str, Any] = message_json(RunbookView(runbook=runbook))["runbook"]
    return shown
