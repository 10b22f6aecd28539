"""The incident document (LID), its export, runbooks and chat platforms' callbacks over HTTP.

The LID page and its Markdown download, runbook CRUD and guided execution need a token
(writing needs the responder or admin role; the LID template and runbook definitions, admin;
LID exporters, admin to change them). Slack and Discord callbacks carry no token: warroom
checks their signatures, and the gateway attaches the role of the IMAS user linked to the
chat user (the one whose e-mail is the catalog person's with that chat id).
"""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import parse_qs

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.incidents import Severity
from imas_contracts.warroom import (
    ActionItem,
    AttachRunbook,
    ChatReply,
    DeleteExporter,
    DeleteRunbook,
    DiscordRequest,
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
    SlackRequest,
    TemplateView,
)
from imas_gateway import api_params as params
from imas_gateway.auth import PUBLIC, role
from imas_gateway.domain import Page, Principal, Results
from imas_gateway.query_params import PAGING, PageRequest
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream, upstream
from imas_runtime.errors import ServiceError

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


def _json(message: msgspec.Struct) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(message)
    data.pop("type", None)
    return data


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
        return _json(await mesh.ask(GetDocument(incident=ref), DocumentView))

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
        return _json(await mesh.ask(edit, DocumentView))

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
        return Response(_json(done), status_code=201 if done.created else 200)

    @get("/{ref:str}/runbook/", summary="The incident's runbook and each step's state")
    async def progress(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str
    ) -> dict[str, Any]:
        return _json(await mesh.ask(GetProgress(incident=ref), RunbookProgress))

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
        return _json(await mesh.ask(attach, RunbookProgress))

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
        return _json(await mesh.ask(run, RunbookProgress))


class TemplateController(Controller):
    path = "/api/v1/lid-template"
    tags = ["incident document"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/", summary="The LID template (Markdown + Jinja)")
    async def read(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        return _json(await mesh.ask(GetTemplate(), TemplateView))

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
        return _json(
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
        return {"count": len(found.exporters), "results": _json(found)["exporters"]}

    @post("/", summary="Add a LID exporter (Confluence, Google Docs)", opt=ADMIN)
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), ExporterBody)
        put = PutExporter(**msgspec.structs.asdict(body))
        return _json((await mesh.ask(put, ExporterView)).exporter)

    @get("/{exporter_id:str}/", summary="One LID exporter")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        exporter_id: str,
    ) -> dict[str, Any]:
        found = await mesh.ask(ListExporters(id=exporter_id), ExporterList)
        return _json(found)["exporters"][0]  # type: ignore[no-any-return]

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
        return _json((await mesh.ask(put_, ExporterView)).exporter)

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
        return _json((await mesh.ask(PutRunbook(runbook=spec), RunbookView)).runbook)

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
        return _json((await mesh.ask(GetRunbook(id=runbook_id), RunbookView)).runbook)

    @put("/{runbook_id:str}/", summary="Replace a runbook", opt=role("manager", answer=RunbookSpec))
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: str,
    ) -> dict[str, Any]:
        spec = _runbook_body(await request.body(), runbook_id)
        return _json((await mesh.ask(PutRunbook(runbook=spec), RunbookView)).runbook)

    @delete("/{runbook_id:str}/", status_code=204, summary="Delete a runbook", opt=MANAGER)
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        runbook_id: str,
    ) -> None:
        await mesh.ask(DeleteRunbook(id=runbook_id), RunbookView)


def _runbook_json(runbook: RunbookSpec) -> dict[str, Any]:
    return _json(RunbookView(runbook=runbook))["runbook"]  # type: ignore[no-any-return]


def _chat_response(reply: ChatReply) -> Response[bytes]:
    return Response(reply.body.encode(), status_code=reply.status, media_type=reply.content_type)


def chat_user_id(platform: str, kind: str, body: str) -> str:
    """The chat user a Slack command / interaction or a Discord interaction comes from ("" for
    anything else, or a body that does not parse)."""
    try:
        if platform == "discord":
            interaction = json.loads(body or "{}")
            user = (interaction.get("member") or {}).get("user") or interaction.get("user") or {}
            return str(user.get("id", ""))
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if kind == "command":
            return form.get("user_id", "")
        if kind == "interaction":
            return str((json.loads(form.get("payload", "{}")).get("user") or {}).get("id", ""))
    except (ValueError, AttributeError):
        return ""
    return ""


async def chat_caller_role(
    request: Request[Any, Any, Any], mesh: Upstream, platform: str, user_id: str
) -> str:
    """The role of the IMAS user linked to a chat user: the catalog person with that chat id,
    then the active IMAS user with that person's e-mail. "" when either is missing.

    Looked up before warroom checks the signature: the role is only used once it has (and
    only for the user id the signed body names)."""
    if not user_id:
        return ""
    try:
        people = await mesh.ask(ListCatalog(kind="person"), CatalogEntries)
    except ServiceError:
        return ""
    person = next((p for p in people.people if p.chat_user_ids.get(platform) == user_id), None)
    users = getattr(request.app.state, "users", None)
    if person is None or not person.email.strip() or users is None:
        return ""
    email = person.email.strip().lower()
    for user in await users.list():
        if user["active"] and str(user["email"]).strip().lower() == email:
            return str(user["role"])
    return ""


class ChatController(Controller):
    """Where Slack and Discord call IMAS (slash commands, buttons, events, interactions)."""

    path = "/api/v1/chat"
    tags = ["chat"]
    # Slack and Discord sign their calls; the warroom service checks the signatures.
    opt = role(PUBLIC, audit=False, own_errors=True)
    dependencies = {"mesh": Provide(upstream, sync_to_thread=False)}

    async def _slack(
        self, request: Request[Any, Any, Any], mesh: Upstream, kind: str
    ) -> Response[bytes]:
        body = (await request.body()).decode("utf-8", errors="replace")
        user_id = chat_user_id("slack", kind, body)
        slack = SlackRequest(
            kind=kind,  # type: ignore[arg-type]
            body=body,
            timestamp=request.headers.get("x-slack-request-timestamp", ""),
            signature=request.headers.get("x-slack-signature", ""),
            caller_role=await chat_caller_role(request, mesh, "slack", user_id),
        )
        return _chat_response(await mesh.ask(slack, ChatReply))

    @post("/slack/commands", summary="Slack slash commands (/incident, /oncall)")
    async def slack_commands(
        self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        return await self._slack(request, mesh, "command")

    @post("/slack/interactions", summary="Slack interactive buttons")
    async def slack_interactions(
        self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        return await self._slack(request, mesh, "interaction")

    @post("/slack/events", summary="Slack Events API (url_verification)")
    async def slack_events(
        self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        return await self._slack(request, mesh, "event")

    @post("/discord/interactions", summary="Discord interactions (Ed25519-signed)")
    async def discord(
        self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        body = (await request.body()).decode("utf-8", errors="replace")
        user_id = chat_user_id("discord", "interaction", body)
        interaction = DiscordRequest(
            body=body,
            timestamp=request.headers.get("x-signature-timestamp", ""),
            signature=request.headers.get("x-signature-ed25519", ""),
            caller_role=await chat_caller_role(request, mesh, "discord", user_id),
        )
        return _chat_response(await mesh.ask(interaction, ChatReply))


WARROOM_ROUTES = [
    DocumentController,
    IncidentDocumentController,
    TemplateController,
    ExporterController,
    RunbookController,
    ChatController,
]
