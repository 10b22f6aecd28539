"""Incident pages: the live list (filters, CSV), the detail with its actions, the create form.

Every page asks the mesh through the same bus requests as the API; actions post a form (with
its CSRF token) and redirect back, so they work with or without JavaScript.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.incidents import (
    SEVERITIES,
    STATUSES,
    AddComment,
    CommentView,
    IncidentPage,
    IncidentView,
    TransitionIncident,
    UpdateIncident,
)
from imas_contracts.ingest import SubmitAlertReply
from imas_contracts.warroom import RunbookProgress, RunStep
from imas_gateway.domain import parse_incident_create, spreadsheet_safe, submission
from imas_gateway.http import parsing as params
from imas_gateway.http.request import Request
from imas_gateway.ui.auth_pages import current, posted
from imas_gateway.ui.incident_view import act, detail, optional, refuse
from imas_gateway.ui.render import render
from imas_runtime.errors import NotFound, ServiceError

ACTIONS = ("acknowledge", "mitigate", "resolve", "reopen")
FILTERS = ("status", "severity", "service", "team", "tag", "q", "ordering")


def _multi(request: Request) -> dict[str, list[str]]:
    return {k: [v for v in request.query_params.getall(k) if v] for k in request.query_params}


async def _page(request: Request) -> tuple[Any, IncidentPage]:
    plain = {k: v for k, v in request.query_params.items() if v}
    query = params.list_query(plain, _multi(request))
    return query, await request.gateway.mesh.ask(query, IncidentPage)


@get("/incidents", include_in_schema=False)
async def incident_list(request: Request) -> Response[str]:
    """The list; with ``?rows=1`` only its rows (what the page re-reads on a live change)."""
    current(request)
    query, page = await _page(request)
    number = query.offset // query.limit + 1
    kept = [(k, v) for k in FILTERS for v in _multi(request).get(k, [])]
    following, preceding = params.page_links(str(request.url), number, query.limit, page.count)
    context = {
        "page": page,
        "number": number,
        "following": following,
        "preceding": preceding,
        "kept": kept,
        "filters": request.query_params,
        "statuses": STATUSES,
        "severities": SEVERITIES,
    }
    template = "_incident_rows.html" if request.query_params.get("rows") else "incidents.html"
    return render(request, template, **context)


@get("/incidents.csv", include_in_schema=False)
async def incident_csv(request: Request) -> Response[str]:
    """The current filters' incidents (up to 500 per page) as CSV."""
    current(request)
    _, page = await _page(request)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["short_id", "title", "status", "severity", "service", "team", "alert_count"]
    writer.writerow([*columns, "created_at", "acknowledged_at", "resolved_at"])
    for i in page.results:
        cells = [
            *(i.short_id, i.title, i.status, i.severity, i.service.name),
            *(i.team.name if i.team else "", i.alert_count, i.created_at.isoformat()),
            i.acknowledged_at.isoformat() if i.acknowledged_at else "",
            i.resolved_at.isoformat() if i.resolved_at else "",
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    headers = {"Content-Disposition": 'attachment; filename="incidents.csv"'}
    return Response(out.getvalue(), media_type="text/csv", headers=headers)


@get("/incidents/{ref:str}", include_in_schema=False)
async def incident_detail(request: Request, ref: FromPath[str]) -> Response[str]:
    """The incident; ``?part=`` one of its live parts alone (see ``incident_view``)."""
    return await detail(request, ref)


@post("/incidents/{ref:str}/do/{action:str}", include_in_schema=False, status_code=303)
async def incident_action(request: Request, ref: FromPath[str], action: FromPath[str]) -> Any:
    """Acknowledge, mitigate, resolve or reopen, with the optional note of the form."""
    session, form = await posted(request)
    if action not in ACTIONS:
        raise NotFound(f"no such action '{action}'")
    refuse(session.role, action)
    note = form.get("note", "").strip()
    command = TransitionIncident(
        id=ref,
        action=action,  # type: ignore[arg-type]  # checked against ACTIONS above
        note=note,
        actor=session.username,
        actor_id=session.principal().actor_id,
        source="ui",
    )
    return await act(request, ref, command, IncidentView)


@post("/incidents/{ref:str}/comment", include_in_schema=False, status_code=303)
async def incident_comment(request: Request, ref: FromPath[str]) -> Any:
    session, form = await posted(request)
    refuse(session.role, "comment")
    command = AddComment(
        id=ref,
        body=form.get("body", ""),
        actor=session.username,
        actor_id=session.principal().actor_id,
        source="ui",
    )
    return await act(request, ref, command, CommentView)


@post("/incidents/{ref:str}/tags", include_in_schema=False, status_code=303)
async def incident_tags(request: Request, ref: FromPath[str]) -> Any:
    session, form = await posted(request)
    refuse(session.role, "tag")
    tags = [t.strip() for t in form.get("tags", "").split(",") if t.strip()]
    command = UpdateIncident(
        id=ref,
        add_tags=tags,
        actor=session.username,
        actor_id=session.principal().actor_id,
        source="ui",
    )
    return await act(request, ref, command, IncidentView)


@post("/incidents/{ref:str}/runbook/{step:int}", include_in_schema=False, status_code=303)
async def incident_runbook_step(request: Request, ref: FromPath[str], step: FromPath[int]) -> Any:
    """Start, finish or skip a runbook step; critical steps need the confirmation box."""
    session, form = await posted(request)
    refuse(session.role, "runbook")
    command = RunStep(
        incident=ref,
        step=step,
        action=form.get("action", "done"),  # type: ignore[arg-type]  # form text: the war room refuses other actions
        actor=session.username,
        note=form.get("note", ""),
        confirm=form.get("confirm") == "on",
    )
    return await act(request, ref, command, RunbookProgress)


async def _services(request: Request) -> list[str]:
    entries = await optional(request.gateway.mesh, ListCatalog(kind="service"), CatalogEntries)
    return [s.name for s in entries.services] if entries else []


@get("/incidents/new", include_in_schema=False)
async def incident_new(request: Request) -> Response[str]:
    current(request)
    return render(
        request, "new.html", services=await _services(request), severities=SEVERITIES, form={}
    )


@post("/incidents/new", include_in_schema=False, status_code=303)
async def incident_create(request: Request) -> Any:
    """Validated like the API; each refused field is shown next to its input."""
    session, form = await posted(request)
    refuse(session.role, "create")
    body = {
        "title": form.get("title", ""),
        "service_name": form.get("service_name", ""),
        "severity": form.get("severity", ""),
        "description": form.get("description", ""),
        "tags": [t.strip() for t in form.get("tags", "").split(",") if t.strip()],
    }
    try:
        payload = parse_incident_create(msgspec.json.encode(body))
        submitted = submission(payload, session.principal())
        reply = await request.gateway.mesh.ask(submitted, SubmitAlertReply)
    except ServiceError as exc:
        errors = {e.field: e.message for e in exc.errors} or {"": exc.message}
        return render(
            request,
            "new.html",
            status_code=400,
            services=await _services(request),
            severities=SEVERITIES,
            form=form,
            errors=errors,
        )
    return Redirect(f"/incidents/{reply.incident.short_id}", status_code=303)


INCIDENT_ROUTES = [
    incident_list,
    incident_csv,
    incident_new,
    incident_create,
    incident_detail,
    incident_action,
    incident_comment,
    incident_tags,
    incident_runbook_step,
]
