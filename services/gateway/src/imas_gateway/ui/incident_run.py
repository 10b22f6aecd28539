"""Running an incident from its page: severity, lead and impacted scopes, the LID's sections
and its export, escalating by hand, adding a responder to the war room, its roles, status
updates to its subscribers and following it.

Each action is the request the REST API sends for the same change, under the same role, and
posts a form (CSRF token included) that redirects back to the incident: it works without
JavaScript. A refusal shows the page again with the reason.
"""

from __future__ import annotations

from typing import Any

from litestar import post
from litestar.params import FromPath

from imas_contracts.incidents import IncidentView, UpdateIncident
from imas_contracts.warroom import (
    ActionItem,
    AddResponder,
    AssignRole,
    DocumentExported,
    DocumentView,
    EditDocument,
    EscalateIncident,
    EscalationSent,
    ExportDocument,
    IncidentRoles,
    IncidentSubscribers,
    PostStatusUpdate,
    RoomResponders,
    StatusUpdateSent,
    Subscribe,
    SubscriberKind,
    Unsubscribe,
)
from imas_gateway.http.request import Request
from imas_gateway.ui.auth_pages import posted
from imas_gateway.ui.incident_view import act, refuse, refused, signed_in_person
from imas_runtime.errors import Invalid


@post("/incidents/{ref:str}/edit", include_in_schema=False, status_code=303)
async def incident_edit(request: Request, ref: FromPath[str]) -> Any:
    """Severity, lead and impacted scopes, as ``PATCH /api/v1/incidents/{id}/`` changes them
    (responders and above). Only the fields the form carries change."""
    session, form = await posted(request)
    refuse(session.role, "edit")
    scopes = None
    if form.get("scopes_shown"):
        scopes = [s for s in (await request.form()).getall("scopes", []) if s]
    command = UpdateIncident(
        id=ref,
        severity=form.get("severity") or None,  # type: ignore[arg-type]  # checked by incidents
        lead=form["lead"].strip() if "lead" in form else None,
        impacted_scopes=scopes,
        actor=session.username,
        actor_id=session.principal().actor_id,
        source="ui",
    )
    return await act(request, ref, command, IncidentView, anchor="details")


@post("/incidents/{ref:str}/escalate", include_in_schema=False, status_code=303)
async def incident_escalate(request: Request, ref: FromPath[str]) -> Any:
    """Page now (operators and above, as ``POST .../escalate/``): the next level of the team's
    policy (``to=next``), or the person or team chosen (``to=person:<id>``, ``team:<id>``)."""
    session, form = await posted(request)
    refuse(session.role, "escalate")
    kind, _, chosen = form.get("to", "next").partition(":")
    command = EscalateIncident(
        incident=ref,
        person=chosen if kind == "person" else "",
        team=chosen if kind == "team" else "",
        actor=session.username,
        source="ui",
    )
    return await act(request, ref, command, EscalationSent)


@post("/incidents/{ref:str}/responders", include_in_schema=False, status_code=303)
async def incident_add_responder(request: Request, ref: FromPath[str]) -> Any:
    """Invite someone to the war room (responders and above, as ``POST .../responders/``)."""
    session, form = await posted(request)
    refuse(session.role, "responders")
    command = AddResponder(incident=ref, person=form.get("person", ""), actor=session.username)
    return await act(request, ref, command, RoomResponders, anchor="war-room")


@post("/incidents/{ref:str}/document", include_in_schema=False, status_code=303)
async def incident_lid_edit(request: Request, ref: FromPath[str]) -> Any:
    """One section of the LID (root cause, resolution or action items), as ``PATCH
    /api/v1/incidents/{id}/lid/`` writes it (responders and above)."""
    session, form = await posted(request)
    refuse(session.role, "lid")
    section = form.get("section", "")
    command = EditDocument(
        incident=ref,
        root_cause=form.get("root_cause") if section == "root_cause" else None,
        resolution=form.get("resolution") if section == "resolution" else None,
        action_items=(_action_items(await request.form()) if section == "action_items" else None),
        actor=session.username,
    )
    return await act(request, ref, command, DocumentView, anchor="lid")


@post("/incidents/{ref:str}/document/export", include_in_schema=False, status_code=303)
async def incident_lid_export(request: Request, ref: FromPath[str]) -> Any:
    """Export the LID to the chosen exporter now (responders and above, as ``POST
    .../lid/export/``): created the first time, updated afterwards."""
    session, form = await posted(request)
    refuse(session.role, "lid")
    command = ExportDocument(
        incident=ref, exporter=form.get("exporter", ""), actor=session.username
    )
    return await act(request, ref, command, DocumentExported, anchor="lid")


@post("/incidents/{ref:str}/roles", include_in_schema=False, status_code=303)
async def incident_assign_role(request: Request, ref: FromPath[str]) -> Any:
    """Give a role to the person chosen, or take it back (no one chosen), as ``PUT`` /
    ``DELETE .../roles/{role}/`` do (responders and above)."""
    session, form = await posted(request)
    refuse(session.role, "roles")
    command = AssignRole(
        incident=ref,
        role=form.get("role", ""),
        person=form.get("person", ""),
        actor=session.username,
        source="ui",
    )
    return await act(request, ref, command, IncidentRoles, anchor="roles")


@post("/incidents/{ref:str}/updates", include_in_schema=False, status_code=303)
async def incident_post_update(request: Request, ref: FromPath[str]) -> Any:
    """Send a status update to the subscribers (responders and above, as ``POST
    .../updates/``)."""
    session, form = await posted(request)
    refuse(session.role, "updates")
    command = PostStatusUpdate(
        incident=ref, message=form.get("message", ""), actor=session.username, source="ui"
    )
    return await act(request, ref, command, StatusUpdateSent, anchor="roles")


SUBSCRIBER_KINDS: tuple[SubscriberKind, ...] = ("person", "team", "email", "slack")


@post("/incidents/{ref:str}/subscribers", include_in_schema=False, status_code=303)
async def incident_subscribers(request: Request, ref: FromPath[str]) -> Any:
    """Add a subscriber (``kind`` and ``ref``) or remove one (``remove``: its id), as
    ``.../subscribers/`` does (responders and above)."""
    session, form = await posted(request)
    refuse(session.role, "updates")
    command: Subscribe | Unsubscribe
    kind = form.get("kind", "")
    if form.get("remove"):
        command = Unsubscribe(incident=ref, id=form["remove"], actor=session.username)
    else:
        chosen: SubscriberKind = next((k for k in SUBSCRIBER_KINDS if k == kind), "person")
        command = Subscribe(
            incident=ref, kind=chosen, ref=form.get("ref", ""), actor=session.username
        )
    return await act(request, ref, command, IncidentSubscribers, anchor="roles")


NO_PERSON = "no person of the catalog has your verified e-mail, so you cannot follow incidents"


@post("/incidents/{ref:str}/follow", include_in_schema=False, status_code=303)
async def incident_follow(request: Request, ref: FromPath[str]) -> Any:
    """Follow the incident's status updates as the signed-in person (``action=unfollow``
    stops): any role, for themselves only, matched by their verified e-mail."""
    session, form = await posted(request)
    refuse(session.role, "follow")
    me = await signed_in_person(request, session)
    if me is None:
        return await refused(request, ref, Invalid.field("person", NO_PERSON))
    command: Subscribe | Unsubscribe
    if form.get("action") == "unfollow":
        command = Unsubscribe(incident=ref, person=me.id, actor=session.username)
    else:
        command = Subscribe(incident=ref, kind="person", ref=me.id, actor=session.username)
    return await act(request, ref, command, IncidentSubscribers, anchor="roles")


def _action_items(form: Any) -> list[ActionItem]:
    """The rows of the action items' table; rows without a title are dropped (the empty row
    adds one)."""
    titles, owners, dues = (form.getall(k, []) for k in ("item_title", "item_owner", "item_due"))
    done = set(form.getall("item_done", []))
    return [
        ActionItem(title=title.strip(), owner=owner.strip(), due=due.strip(), done=str(i) in done)
        for i, (title, owner, due) in enumerate(zip(titles, owners, dues, strict=False))
        if title.strip()
    ]


RUN_ROUTES = [
    incident_edit,
    incident_escalate,
    incident_add_responder,
    incident_lid_edit,
    incident_lid_export,
    incident_assign_role,
    incident_post_update,
    incident_subscribers,
    incident_follow,
]
