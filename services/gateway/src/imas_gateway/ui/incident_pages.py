"""Incident pages: the live list (filters, CSV), the detail with its actions, the create form.

Every page asks the mesh through the same bus requests as the API; actions post a form (with
its CSRF token) and redirect back, so they work with or without JavaScript.
"""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Redirect

from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.incidents import (
    SEVERITIES,
    STATUSES,
    AddComment,
    CommentList,
    CommentView,
    GetIncident,
    IncidentPage,
    IncidentView,
    ListComments,
    TransitionIncident,
    UpdateIncident,
)
from imas_contracts.warroom import GetProgress, RunbookProgress, RunStep
from imas_gateway import api_params as params
from imas_gateway.domain import parse_incident_create
from imas_gateway.problems import Forbidden
from imas_gateway.ui.auth_pages import current, posted
from imas_gateway.ui.render import can, render
from imas_gateway.upstream import Upstream, upstream
from imas_gateway.usecases import IncidentApi
from imas_runtime.errors import NotFound, ServiceError

ACTIONS = ("acknowledge", "mitigate", "resolve", "reopen")
FILTERS = ("status", "severity", "service", "team", "tag", "q", "ordering")


async def optional(mesh: Upstream, request: Any, reply_type: type[Any]) -> Any:
    """A reply from a service that may not run here (escalation, warroom): None when silent."""
    try:
        return await mesh.ask(request, reply_type)
    except ServiceError:
        return None


def _multi(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    return {k: [v for v in request.query_params.getall(k) if v] for k in request.query_params}


async def _page(request: Request[Any, Any, Any]) -> tuple[Any, IncidentPage]:
    plain = {k: v for k, v in request.query_params.items() if v}
    query = params.list_query(plain, _multi(request))
    return query, await upstream(request).ask(query, IncidentPage)


@get("/incidents", include_in_schema=False)
async def incident_list(request: Request[Any, Any, Any]) -> Response[str]:
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
async def incident_csv(request: Request[Any, Any, Any]) -> Response[str]:
    """The current filters' incidents (up to 500 per page) as CSV."""
    current(request)
    _, page = await _page(request)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["short_id", "title", "status", "severity", "service", "team", "alert_count"]
    writer.writerow([*columns, "created_at", "acknowledged_at", "resolved_at"])
    for i in page.results:
        writer.writerow(
            [
                *(i.short_id, i.title, i.status, i.severity, i.service.name),
                *(i.team.name if i.team else "", i.alert_count, i.created_at.isoformat()),
                i.acknowledged_at.isoformat() if i.acknowledged_at else "",
                i.resolved_at.isoformat() if i.resolved_at else "",
            ]
        )
    headers = {"Content-Disposition": 'attachment; filename="incidents.csv"'}
    return Response(out.getvalue(), media_type="text/csv", headers=headers)


async def _detail(
    request: Request[Any, Any, Any], ref: str, *, error: str = "", status_code: int = 200
) -> Response[str]:
    mesh = upstream(request)
    if request.query_params.get("part") == "timeline":
        # What a live change re-reads: the timeline alone needs the incident alone.
        view = await mesh.incident(GetIncident(id=ref, timeline_order="desc"))
        return render(request, "_timeline.html", incident=view.incident, timeline=view.timeline)
    view, comments, runbook = await asyncio.gather(
        mesh.incident(GetIncident(id=ref, timeline_order="desc")),
        mesh.ask(ListComments(id=ref), CommentList),
        optional(mesh, GetProgress(incident=ref), RunbookProgress),
    )
    deliveries = [e for e in view.timeline if e.type in ("ALERT_SENT", "ALERT_FAILED")]
    return render(
        request,
        "incident.html",
        status_code=status_code,
        incident=view.incident,
        timeline=view.timeline,
        comments=comments.results,
        runbook=runbook,
        deliveries=deliveries,
        error=error,
    )


@get("/incidents/{ref:str}", include_in_schema=False)
async def incident_detail(request: Request[Any, Any, Any], ref: str) -> Response[str]:
    """The incident; ``?part=timeline`` is the live timeline alone."""
    current(request)
    return await _detail(request, ref)


def _refuse(role: str, action: str) -> None:
    if not can(role, action):
        raise Forbidden.field("role", f"your role ({role}) may not {action}")


async def _act(request: Request[Any, Any, Any], ref: str, command: Any, reply: type[Any]) -> Any:
    """Sends the command; a refusal shows the detail page again with the reason."""
    try:
        await upstream(request).ask(command, reply)
    except ServiceError as exc:
        status = 409 if exc.code == "conflict" else 400
        return await _detail(request, ref, error=exc.message, status_code=status)
    return Redirect(f"/incidents/{ref}", status_code=303)


@post("/incidents/{ref:str}/do/{action:str}", include_in_schema=False, status_code=303)
async def incident_action(request: Request[Any, Any, Any], ref: str, action: str) -> Any:
    """Acknowledge, mitigate, resolve or reopen, with the optional note of the form."""
    session, form = await posted(request)
    if action not in ACTIONS:
        raise NotFound(f"no such action '{action}'")
    _refuse(session.role, action)
    note = form.get("note", "").strip()
    command = TransitionIncident(
        id=ref,
        action=action,  # type: ignore[arg-type]  # checked against ACTIONS above
        note=note,
        actor=session.username,
        source="ui",
    )
    return await _act(request, ref, command, IncidentView)


@post("/incidents/{ref:str}/comment", include_in_schema=False, status_code=303)
async def incident_comment(request: Request[Any, Any, Any], ref: str) -> Any:
    session, form = await posted(request)
    _refuse(session.role, "comment")
    command = AddComment(id=ref, body=form.get("body", ""), actor=session.username)
    return await _act(request, ref, command, CommentView)


@post("/incidents/{ref:str}/tags", include_in_schema=False, status_code=303)
async def incident_tags(request: Request[Any, Any, Any], ref: str) -> Any:
    session, form = await posted(request)
    _refuse(session.role, "tag")
    tags = [t.strip() for t in form.get("tags", "").split(",") if t.strip()]
    command = UpdateIncident(id=ref, add_tags=tags, actor=session.username, source="ui")
    return await _act(request, ref, command, IncidentView)


@post("/incidents/{ref:str}/runbook/{step:int}", include_in_schema=False, status_code=303)
async def incident_runbook_step(request: Request[Any, Any, Any], ref: str, step: int) -> Any:
    """Start, finish or skip a runbook step; critical steps need the confirmation box."""
    session, form = await posted(request)
    _refuse(session.role, "runbook")
    command = RunStep(
        incident=ref,
        step=step,
        action=form.get("action", "done"),  # type: ignore[arg-type]
        actor=session.username,
        note=form.get("note", ""),
        confirm=form.get("confirm") == "on",
    )
    return await _act(request, ref, command, RunbookProgress)


async def _services(request: Request[Any, Any, Any]) -> list[str]:
    entries = await optional(upstream(request), ListCatalog(kind="service"), CatalogEntries)
    return [s.name for s in entries.services] if entries else []


@get("/incidents/new", include_in_schema=False)
async def incident_new(request: Request[Any, Any, Any]) -> Response[str]:
    current(request)
    return render(
        request, "new.html", services=await _services(request), severities=SEVERITIES, form={}
    )


@post("/incidents/new", include_in_schema=False, status_code=303)
async def incident_create(request: Request[Any, Any, Any]) -> Any:
    """Validated like the API; each refused field is shown next to its input."""
    session, form = await posted(request)
    _refuse(session.role, "create")
    body = {
        "title": form.get("title", ""),
        "service_name": form.get("service_name", ""),
        "severity": form.get("severity", ""),
        "description": form.get("description", ""),
        "tags": [t.strip() for t in form.get("tags", "").split(",") if t.strip()],
    }
    api: IncidentApi = request.app.state.incident_api
    try:
        payload = parse_incident_create(msgspec.json.encode(body))
        reply = await api.create(payload, session.principal())
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
