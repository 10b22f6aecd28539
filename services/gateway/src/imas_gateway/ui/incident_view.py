"""The incident page and its parts: what each shows and reads, the page drawn again with the
reason when an action is refused, and the role each action needs.

The page is cut in parts (summary, details, deliveries, war room, LID, timeline) that
``static/live.js`` re-reads one by one when a live change reaches them, each from the services
that own it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect

from imas_contracts.catalog import CatalogEntries, ListCatalog, PersonEntry, ServiceEntry
from imas_contracts.incidents import CommentList, GetIncident, IncidentView, ListComments
from imas_contracts.notifier import DeliveryList, ListDeliveries
from imas_contracts.warroom import (
    DocumentView,
    ExporterList,
    GetDocument,
    GetIncidentRoles,
    GetProgress,
    IncidentRoles,
    IncidentSubscribers,
    ListExporters,
    ListSubscribers,
    RunbookProgress,
)
from imas_gateway.api.deliveries import ledger
from imas_gateway.auth.sessions import Session
from imas_gateway.http.problems import Forbidden
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_gateway.ui.auth_pages import current
from imas_gateway.ui.render import can, render
from imas_runtime.errors import ServiceError
from imas_runtime.windows import in_maintenance

# The page's parts: what each shows (its template) and what it needs besides the incident.
PARTS = {
    "timeline": ("_timeline.html", ()),
    "summary": ("_incident_summary.html", ("catalog",)),
    "details": ("_incident_details.html", ("catalog",)),
    "deliveries": ("_incident_deliveries.html", ("deliveries",)),
    "lid": ("_incident_lid.html", ("document",)),
    "war-room": ("_incident_war_room.html", ("catalog",)),
    "roles": ("_incident_roles.html", ("catalog", "roles")),
}
WHOLE_PAGE = ("comments", "runbook", "catalog", "deliveries", "document", "roles")


async def optional(mesh: Upstream, request: Any, reply_type: type[Any]) -> Any:
    """A reply from a service that may not run here (escalation, warroom): None when silent."""
    try:
        return await mesh.ask(request, reply_type)
    except ServiceError:
        return None


async def page_context(
    request: Request, session: Session, view: IncidentView, needs: tuple[str, ...]
) -> dict[str, Any]:
    """What the incident page (or one of its parts) shows besides the incident: each of
    ``needs`` read in parallel, from the services that own it."""
    mesh = request.gateway.mesh
    incident = view.incident
    role = session.role
    loads: dict[str, Any] = {}
    if "comments" in needs:
        loads["comments"] = mesh.ask(ListComments(id=incident.id), CommentList)
    if "runbook" in needs:
        loads["runbook"] = optional(mesh, GetProgress(incident=incident.id), RunbookProgress)
    if "deliveries" in needs:
        query = ListDeliveries(incident_id=incident.id, limit=500)
        loads["deliveries"] = optional(mesh, query, DeliveryList)
    if "document" in needs:
        loads["document"] = optional(mesh, GetDocument(incident=incident.id), DocumentView)
        if can(role, "lid"):
            loads["exporters"] = optional(mesh, ListExporters(), ExporterList)
    if "catalog" in needs:
        own = ListCatalog(kind="service", id=incident.service.id)
        loads["service"] = optional(mesh, own, CatalogEntries)
    if "roles" in needs:
        loads["roles"] = optional(mesh, GetIncidentRoles(incident=incident.id), IncidentRoles)
        query_subscribers = ListSubscribers(incident=incident.id)
        loads["subscribers"] = optional(mesh, query_subscribers, IncidentSubscribers)
        loads["me"] = signed_in_person(request, session)
    if "catalog" in needs and (can(role, "edit") or can(role, "escalate")):
        for kind in ("person", "team", "scope"):
            loads[kind] = optional(mesh, ListCatalog(kind=kind), CatalogEntries)
    found = dict(zip(loads, await asyncio.gather(*loads.values()), strict=True))
    deliveries = found.get("deliveries")
    return {
        "comments": found["comments"].results if "comments" in found else [],
        "runbook": found.get("runbook"),
        "deliveries": ledger(deliveries, session.principal())["results"] if deliveries else None,
        "document": found.get("document"),
        "exporters": found["exporters"].exporters if found.get("exporters") else [],
        "people": found["person"].people if found.get("person") else [],
        "teams": found["team"].teams if found.get("team") else [],
        "scopes": found["scope"].scopes if found.get("scope") else [],
        "service": _in_maintenance(found.get("service")),
        "roles": found.get("roles"),
        "subscribers": found.get("subscribers"),
        "me": found.get("me"),
    }


def _in_maintenance(entries: CatalogEntries | None) -> ServiceEntry | None:
    """The incident's service when it is in maintenance now (None otherwise)."""
    service = entries.services[0] if entries and entries.services else None
    if service is None:
        return None
    now = datetime.now(UTC)
    held = in_maintenance(service.maintenance_since, service.maintenance_until, now)
    return service if held else None


async def signed_in_person(request: Request, session: Session) -> PersonEntry | None:
    """The catalog person the signed-in user is: the one with the user's e-mail, when it is
    verified (an admin set it, or the single sign-on provider checked it)."""
    try:
        user = await request.gateway.users.get(session.user_id)
    except (ServiceError, HTTPException):
        return None
    email = str(user.get("email") or "").strip().lower()
    if not email or not user.get("email_verified"):
        return None
    people = await optional(request.gateway.mesh, ListCatalog(kind="person"), CatalogEntries)
    found = [p for p in people.people if p.email.strip().lower() == email] if people else []
    return found[0] if found else None


async def detail(
    request: Request, ref: str, *, error: str = "", status_code: int = 200
) -> Response[str]:
    """The incident page; ``?part=`` one of :data:`PARTS` alone (what a live change re-reads).
    ``error`` is a refusal to show at the top of the page."""
    session = current(request)
    view = await request.gateway.mesh.incident(GetIncident(id=ref, timeline_order="desc"))
    template, needs = PARTS.get(request.query_params.get("part", ""), ("incident.html", WHOLE_PAGE))
    context = await page_context(request, session, view, needs)
    return render(
        request,
        template,
        status_code=status_code,
        incident=view.incident,
        timeline=view.timeline,
        error=error,
        **context,
    )


def refuse(role: str, action: str) -> None:
    """403 naming the role unless it may do ``action`` (see ``render.NEEDS``)."""
    if not can(role, action):
        raise Forbidden.field("role", f"your role ({role}) may not {action}")


async def act(
    request: Request, ref: str, command: Any, reply: type[Any], *, anchor: str = ""
) -> Any:
    """Sends the command and goes back to the incident (at ``anchor``); a refusal shows the
    page again with the reason."""
    try:
        await request.gateway.mesh.ask(command, reply)
    except ServiceError as exc:
        return await refused(request, ref, exc)
    return Redirect(f"/incidents/{ref}" + (f"#{anchor}" if anchor else ""), status_code=303)


async def refused(request: Request, ref: str, exc: ServiceError) -> Response[str]:
    status = {"conflict": 409, "not_found": 404, "forbidden": 403}.get(exc.code, 400)
    if exc.code in ("unavailable", "internal"):
        status = 503
    return await detail(request, ref, error=exc.message, status_code=status)
