"""The incident document (LID), its export and runbooks over HTTP (chat callbacks: chat_routes).

The LID page and its Markdown download, runbook CRUD and guided execution need a token
(writing needs the responder or admin role; the LID template and runbook definitions, admin;
LID exporters, admin to change them).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.incidents import Severity
from imas_contracts.warroom import (
    ActionItem,
    AttachRunbook,
    DeleteExporter,
    DeleteRunbook,
    DocumentExported,
    DocumentView,
    EditDocument,
    ExportDocument,
    ExporterKind,
    ExporterList,
    ExporterView,
    GetDocument,
    GetProgress,
    GetRunbook,
    GetTemplate,
    ImportRunbooks,
    ListExporters,
    ListRunbooks,
    MatchRunbook,
    PutExporter,
    PutRunbook,
    PutTemplate,
    RunbookList,
    RunbookProgress,
    RunbookSpec,
    RunbookView,
    RunStep,
    TemplateView,
)
from imas_gateway import api_params as params
from imas_gateway.auth import role
from imas_gateway.domain import Page, Principal, Results, message_json
from imas_gateway.query_params import PAGING, PageRequest
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream

_DEPENDENCIES = MESH_DEPENDENCIES
RESPONDER = role("responder")
MANAGER = role("manager")
ADMIN = role("admin")


class DocumentEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    root_cause: str | None = None
    resolution: str | None = None
    action_items: list[ActionItem] | None = None


class TemplateBody(msgspec.Struct, kw_only=True):
    body: str


class AttachBody(msgspec.Struct, kw_only=True):
    runbook_id: str


class ExportBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    exporter: str


class ExporterBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    kind: ExporterKind
    config: dict[str, str] = {}
    secrets: dict[str, str] = {}
    enabled: bool = True


class StepBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    action: Literal["start", "done", "skip"]
    note: str = ""
    confirm: bool = False


class DocumentController(Controller):
    """``/incidents/{id}/lid``: the LID as a page, and as a Markdown file."""

    path = "/incidents"
    tags = ["incident document"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/{ref:str}/lid", media_type="text/html", summary="The incident document (HTML)")
    async def page(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> Response[str]:
        doc = await mesh.ask(GetDocument(incident=ref, html=True), DocumentView)
        return Response(doc.html, media_type="text/html; charset=utf-8")

    @get("/{ref:str}/lid.md", summary="The incident document (Markdown download)")
    async def markdown(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> Response[str]:
        doc = await mesh.ask(GetDocument(incident=ref), DocumentView)
        return Response(
            doc.markdown,
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="INC-{doc.short_id}.md"'},
        )


class IncidentDocumentController(Controller):
    """The LID as JSON, its editable sections, and the incident's runbook progress."""

    path = "/api/v1/incidents"
    tags = ["incident document", "runbooks"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/{ref:str}/lid/", summary="The incident document, rendered now")
    async def document(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(GetDocument(incident=ref), DocumentView))

    @patch("/{ref:str}/lid/", summary="Edit root cause, resolution, action items", opt=RESPONDER)
    async def edit(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), DocumentEdit)
        edit = EditDocument(incident=ref, actor=principal.name, **msgspec.structs.asdict(body))
        return message_json(await mesh.ask(edit, DocumentView))

    @post(
        "/{ref:str}/lid/export/",
        summary="Export the LID to Confluence or Google Docs (create, then update)",
        opt=RESPONDER,
    )
    async def export(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str,
    ) -> Response[dict[str, Any]]:
        """``{"exporter": "<name or id>"}``: 201 when the page was created, 200 when updated."""
        body = params.decode_body(await request.body(), ExportBody)
        export = ExportDocument(incident=ref, exporter=body.exporter, actor=principal.name)
        done = await mesh.ask(export, DocumentExported)
        return Response(message_json(done), status_code=201 if done.created else 200)

    @get("/{ref:str}/runbook/", summary="The incident's runbook and each step's state")
    async def progress(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(GetProgress(incident=ref), RunbookProgress))

    @put("/{ref:str}/runbook/", summary="Use another runbook for the incident", opt=RESPONDER)
    async def attach(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), AttachBody)
        attach = AttachRunbook(incident=ref, runbook_id=body.runbook_id, actor=principal.name)
        return message_json(await mesh.ask(attach, RunbookProgress))

    @post(
        "/{ref:str}/runbook/steps/{step:int}/",
        status_code=200,
        summary="Run a step",
        opt=RESPONDER,
    )
    async def step(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str,
        step: int,
    ) -> dict[str, Any]:
        """``{"action": "start" | "done" | "skip", "note": "...", "confirm": true}``."""
        body = params.decode_body(await request.body(), StepBody)
        run = RunStep(
            incident=ref,
            step=step,
            action=body.action,
            note=body.note,
            confirm=body.confirm,
            actor=principal.name,
        )
        return message_json(await mesh.ask(run, RunbookProgress))


class TemplateController(Controller):
    path = "/api/v1/lid-template"
    tags = ["incident document"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/", summary="The LID template (Markdown + Jinja)")
    async def read(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(GetTemplate(), TemplateView))

    @put(
        "/",
        summary="Replace the LID template (managers); an empty body restores the default",
        opt=MANAGER,
    )
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), TemplateBody)
        return message_json(
            await mesh.ask(PutTemplate(body=body.body, actor=principal.name), TemplateView)
        )


class ExporterController(Controller):
    """``/api/v1/lid-exporters/``: where LIDs can be exported. Secrets are write-only."""

    path = "/api/v1/lid-exporters"
    tags = ["incident document"]
    opt = RESPONDER
    dependencies = _DEPENDENCIES

    @get("/", summary="LID exporters (secrets by name only)")
    async def list_exporters(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListExporters(), ExporterList)
        return {"count": len(found.exporters), "results": message_json(found)["exporters"]}

    @post("/", summary="Add a LID exporter (Confluence, Google Docs)", opt=ADMIN)
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), ExporterBody)
        put = PutExporter(**msgspec.structs.asdict(body))
        return message_json((await mesh.ask(put, ExporterView)).exporter)

    @get("/{exporter_id:str}/", summary="One LID exporter")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: str,
    ) -> dict[str, Any]:
        found = await mesh.ask(ListExporters(id=exporter_id), ExporterList)
        return message_json(found)["exporters"][0]  # type: ignore[no-any-return]

    @put("/{exporter_id:str}/", summary="Replace a LID exporter", opt=ADMIN)
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: str,
    ) -> dict[str, Any]:
        """Secrets left out keep their stored value; an empty string removes one."""
        body = params.decode_body(await request.body(), ExporterBody)
        put_ = PutExporter(id=exporter_id, **msgspec.structs.asdict(body))
        return message_json((await mesh.ask(put_, ExporterView)).exporter)

    @delete("/{exporter_id:str}/", status_code=204, summary="Delete a LID exporter", opt=ADMIN)
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: str,
    ) -> None:
        await mesh.ask(DeleteExporter(id=exporter_id), ExporterView)


def _runbook_body(body: bytes, runbook_id: str = "") -> RunbookSpec:
    spec = params.decode_body(body, RunbookSpec)
    return msgspec.structs.replace(spec, id=runbook_id, created_at=None, updated_at=None)


class RunbookController(Controller):
    """``/api/v1/runbooks/``: anyone reads, admins write."""

    path = "/api/v1/runbooks"
    tags = ["runbooks"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/", summary="Runbooks", dependencies=PAGING, opt={"answer": Page[RunbookSpec]})
    async def list_runbooks(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        paging: NamedDependency[PageRequest],
        service: str = Parameter(default="", description="Only this service's (its name)"),
    ) -> dict[str, Any]:
        found = await mesh.ask(ListRunbooks(service=service), RunbookList)
        runbooks = [_runbook_json(r) for r in found.runbooks]
        return paging.answer(str(request.url), len(runbooks), paging.of(runbooks))

    @post("/", summary="Create a runbook", opt=role("manager", answer=RunbookSpec))
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        spec = _runbook_body(await request.body())
        return message_json((await mesh.ask(PutRunbook(runbook=spec), RunbookView)).runbook)

    @post(
        "/import/",
        status_code=200,
        summary="Create or update runbooks from YAML",
        opt=role("manager", answer=Results[RunbookSpec]),
    )
    async def import_yaml(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        text = (await request.body()).decode("utf-8", errors="replace")
        reply = await mesh.ask(ImportRunbooks(yaml=text), RunbookList)
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
        title: str = Parameter(default="", description="The incident's title"),
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
        runbook_id: str,
    ) -> dict[str, Any]:
        return message_json((await mesh.ask(GetRunbook(id=runbook_id), RunbookView)).runbook)

    @put("/{runbook_id:str}/", summary="Replace a runbook", opt=role("manager", answer=RunbookSpec))
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: str,
    ) -> dict[str, Any]:
        spec = _runbook_body(await request.body(), runbook_id)
        return message_json((await mesh.ask(PutRunbook(runbook=spec), RunbookView)).runbook)

    @delete("/{runbook_id:str}/", status_code=204, summary="Delete a runbook", opt=MANAGER)
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: str,
    ) -> None:
        await mesh.ask(DeleteRunbook(id=runbook_id), RunbookView)


def _runbook_json(runbook: RunbookSpec) -> dict[str, Any]:
    return message_json(RunbookView(runbook=runbook))["runbook"]  # type: ignore[no-any-return]


WARROOM_ROUTES = [
    DocumentController,
    IncidentDocumentController,
    TemplateController,
    ExporterController,
    RunbookController,
]
