"""An incident's document (LID): ``/incidents/{id}/lid`` as a page and ``lid.md`` as a
Markdown file, ``/api/v1/incidents/{id}/lid/`` as JSON with its editable sections, and its
export (the war room service answers). Viewers read; responders edit and export.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.warroom import (
    ActionItem,
    DocumentExported,
    DocumentView,
    EditDocument,
    ExportDocument,
    GetDocument,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_gateway.ui.render import render

RESPONDER = role(Role.RESPONDER)
MANAGER = role(Role.MANAGER)
ADMIN = role(Role.ADMIN)


class DocumentEdit(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The LID's editable sections: any of these."""

    root_cause: str | None = None
    resolution: str | None = None
    action_items: list[ActionItem] | None = None


class ExportBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where to export the LID: an exporter's name or id."""

    exporter: str


class DocumentController(Controller):
    """``/incidents/{id}/lid``: the LID as a page, and as a Markdown file."""

    path = "/incidents"
    tags = ["incident document"]
    opt = role(Role.VIEWER)

    @get("/{ref:str}/lid", media_type="text/html", summary="The incident document (HTML)")
    async def page(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> Response[str]:
        """In the dashboard for a signed-in browser; a page of its own for a token."""
        doc = await mesh.ask(GetDocument(incident=ref, html=True), DocumentView)
        if request.signed_in is not None:
            return render(request, "lid.html", document=doc)
        return Response(doc.html, media_type="text/html; charset=utf-8")

    @get("/{ref:str}/lid.md", summary="The incident document (Markdown download)")
    async def markdown(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
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
    opt = role(Role.VIEWER)

    @get("/{ref:str}/lid/", summary="The incident document, rendered now")
    async def document(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(GetDocument(incident=ref), DocumentView))

    @patch("/{ref:str}/lid/", summary="Edit root cause, resolution, action items", opt=RESPONDER)
    async def edit(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        data: JSONBody[DocumentEdit] = DocumentEdit(),
    ) -> dict[str, Any]:
        edit = EditDocument(incident=ref, actor=principal.name, **msgspec.structs.asdict(data))
        return message_json(await mesh.ask(edit, DocumentView))

    @post(
        "/{ref:str}/lid/export/",
        summary="Export the LID to Confluence or Google Docs (create, then update)",
        opt=RESPONDER,
    )
    async def export(
        self,
        data: JSONBody[ExportBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> Response[dict[str, Any]]:
        """``{"exporter": "<name or id>"}``: 201 when the page was created, 200 when updated."""
        export = ExportDocument(incident=ref, exporter=data.exporter, actor=principal.name)
        done = await mesh.ask(export, DocumentExported)
        return Response(message_json(done), status_code=201 if done.created else 200)
