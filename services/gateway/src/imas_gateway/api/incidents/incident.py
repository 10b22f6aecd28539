"""``/api/v1/incidents/``: the list, create, read and edit an incident, acknowledge, mitigate,
resolve or reopen it, its timeline, comments and tags (ingest and the incidents service
answer)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, delete, get, patch, post, route
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter

from imas_contracts.incidents import (
    AddComment,
    Comment,
    CommentList,
    CommentView,
    DeleteComment,
    EditComment,
    GetIncident,
    IncidentPage,
    ListComments,
    ListIncidents,
    Severity,
    TimelineEntry,
    TransitionIncident,
    UpdateIncident,
)
from imas_contracts.ingest import SubmitAlertReply
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import (
    IncidentCreate,
    IncidentCreatedJson,
    IncidentDetailJson,
    IncidentJson,
    Page,
    Principal,
    check_incident_create,
    created_incident_json,
    incident_detail_json,
    incident_json,
    reply_json,
    submission,
)
from imas_gateway.http.params import INCIDENT_FILTERS, PageRequest
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import NotFound

Ref = Parameter(description="UUID, short id or INC-<short id>")


class IncidentPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``PATCH /api/v1/incidents/{id}/``: any of these; ``lead: null`` unassigns."""

    title: str | None = None
    description: str | None = None
    severity: Severity | None = None
    lead: str | msgspec.UnsetType | None = msgspec.UNSET
    impacted_scopes: list[str] | None = None


class TransitionBody(msgspec.Struct, frozen=True, kw_only=True):
    """Acknowledge, mitigate, resolve or reopen: an optional note for the timeline."""

    note: str = ""


class CommentBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A comment's text and whether it is pinned."""

    body: str | None = None
    pinned: bool | None = None


class TagsBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Tags to add to an incident."""

    tags: list[str]


TRANSITION_ACTIONS = ("acknowledge", "mitigate", "resolve", "reopen")
RESPONDER = role(Role.RESPONDER, answer=IncidentDetailJson)


class IncidentController(Controller):
    path = "/api/v1/incidents"
    tags = ["incidents"]
    opt = role(Role.VIEWER, answer=IncidentDetailJson)

    @get(
        "/",
        summary="Incidents, filtered and paginated",
        dependencies=INCIDENT_FILTERS,
        opt=role(Role.VIEWER, answer=Page[IncidentJson]),
    )
    async def list_incidents(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        incident_query: NamedDependency[ListIncidents],
        paging: NamedDependency[PageRequest],
    ) -> dict[str, object]:
        """Newest first unless ``ordering`` says otherwise."""
        page = await mesh.ask(incident_query, IncidentPage)
        return paging.answer(str(request.url), page.count, [incident_json(i) for i in page.results])

    @post(
        "/",
        status_code=201,
        summary="Create an incident, or attach to the open one",
        opt=role(Role.RESPONDER, integration=True, answer=IncidentCreatedJson),
        responses={200: ResponseSpec(None, description="Attached to the open incident")},
    )
    async def create(
        self,
        data: JSONBody[IncidentCreate],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> Response[dict[str, object]]:
        """201 with a new incident, or 200 with the open incident of the same service (and
        dedup key) that this alert was attached to. A new incident of a service in
        maintenance is opened all the same, but its paging is held until the maintenance
        ends: ``paging_held_until`` and ``paging_held_by`` say so."""
        payload = check_incident_create(data)
        reply = await mesh.ask(submission(payload, principal), SubmitAlertReply)
        return Response(
            created_incident_json(reply.incident, reply.held_until, reply.held_by),
            status_code=201 if reply.created else 200,
            headers={"Location": f"/api/v1/incidents/{reply.incident.id}/"},
        )

    @get("/{ref:str}/", summary="An incident with its timeline")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
        timeline_order: str = Parameter(default="asc", pattern="^(asc|desc)$"),
    ) -> dict[str, object]:
        """``?timeline_order=desc`` lists the timeline newest first."""
        query = GetIncident(id=ref, timeline_order=timeline_order)  # type: ignore[arg-type]  # asc|desc: the pattern
        return incident_detail_json(await mesh.incident(query))

    @patch(
        "/{ref:str}/",
        summary="Edit title, description, severity, lead or scopes",
        opt=role(Role.RESPONDER, answer=IncidentDetailJson),
    )
    async def edit(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
        data: JSONBody[IncidentPatch] = IncidentPatch(),
    ) -> dict[str, object]:
        """Each change becomes a timeline event; ``"lead": null`` unassigns the lead."""
        lead = None if data.lead is msgspec.UNSET else (data.lead or "")
        command = UpdateIncident(
            id=ref,
            title=data.title,
            description=data.description,
            severity=data.severity,
            lead=lead,
            impacted_scopes=data.impacted_scopes,
            actor=principal.name,
            actor_id=principal.actor_id,
            source="api",
        )
        return incident_detail_json(await mesh.incident(command))

    @route(
        "/{ref:str}/acknowledge/",
        http_method=["PATCH", "POST"],
        status_code=200,
        summary="Acknowledge: TRIGGERED → ACKNOWLEDGED",
        opt=role(Role.OPERATOR, answer=IncidentDetailJson),
    )
    async def acknowledge(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
        data: JSONBody[TransitionBody] = TransitionBody(),
    ) -> dict[str, object]:
        """Operators and above; 409 from any other state. Body (optional): ``{"note": ...}``."""
        return await _transition(data, principal, mesh, ref, "acknowledge")

    @route(
        "/{ref:str}/{action:str}/",
        http_method=["PATCH", "POST"],
        status_code=200,
        summary="Mitigate, resolve or reopen",
        opt=role(Role.RESPONDER, answer=IncidentDetailJson),
    )
    async def transition(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        action: str = Parameter(description="mitigate, resolve or reopen"),
        ref: str = Ref,
        data: JSONBody[TransitionBody] = TransitionBody(),
    ) -> dict[str, object]:
        """mitigate: TRIGGERED/ACKNOWLEDGED → MITIGATED; resolve: any open state → RESOLVED;
        reopen: RESOLVED → TRIGGERED. Any other move is a 409 (reopen too while another
        incident is open for the same service and dedup key). Body (optional):
        ``{"note": "..."}``."""
        if action not in TRANSITION_ACTIONS:
            raise NotFound(f"no such action '{action}' (use {', '.join(TRANSITION_ACTIONS)})")
        return await _transition(data, principal, mesh, ref, action)

    @get(
        "/{ref:str}/timeline/",
        summary="An incident's timeline",
        opt={"answer": list[TimelineEntry]},
    )
    async def timeline(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
        order: str = Parameter(default="asc", pattern="^(asc|desc)$"),
    ) -> list[object]:
        """Oldest first, or newest first with ``?order=desc``."""
        view = await mesh.incident(GetIncident(id=ref, timeline_order=order))  # type: ignore[arg-type]  # the pattern
        timeline: list[object] = msgspec.to_builtins(view.timeline)
        return timeline

    @get("/{ref:str}/comments/", summary="Comments, pinned first", opt={"answer": list[Comment]})
    async def comments(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str = Ref
    ) -> list[object]:
        found = await mesh.ask(ListComments(id=ref), CommentList)
        comments: list[object] = msgspec.to_builtins(found.results)
        return comments

    @post(
        "/{ref:str}/comments/",
        status_code=201,
        summary="Comment on an incident",
        opt=role(Role.RESPONDER, answer=Comment),
    )
    async def add_comment(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
        data: JSONBody[CommentBody] = CommentBody(),
    ) -> dict[str, object]:
        """Body ``{"body": "..."}``; the comment is a NOTE in the timeline."""
        command = AddComment(
            id=ref, body=data.body or "", actor=principal.name, actor_id=principal.actor_id
        )
        return reply_json((await mesh.ask(command, CommentView)).comment)

    @patch(
        "/{ref:str}/comments/{comment_id:str}/",
        summary="Edit or pin a comment",
        opt=role(Role.RESPONDER, answer=Comment),
    )
    async def edit_comment(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        comment_id: FromPath[str],
        ref: str = Ref,
        data: JSONBody[CommentBody] = CommentBody(),
    ) -> dict[str, object]:
        """``{"body": ...}`` (your own comments only, else 403) and/or ``{"pinned": true}``."""
        command = EditComment(
            id=ref,
            comment_id=comment_id,
            body=data.body,
            pinned=data.pinned,
            actor=principal.name,
            actor_id=principal.actor_id,
        )
        return reply_json((await mesh.ask(command, CommentView)).comment)

    @delete(
        "/{ref:str}/comments/{comment_id:str}/", summary="Delete your own comment", opt=RESPONDER
    )
    async def delete_comment(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        comment_id: FromPath[str],
        ref: str = Ref,
    ) -> None:
        command = DeleteComment(
            id=ref, comment_id=comment_id, actor=principal.name, actor_id=principal.actor_id
        )
        await mesh.ask(command, CommentView)

    @post(
        "/{ref:str}/tags/",
        status_code=200,
        summary="Add tags",
        opt=role(Role.RESPONDER, answer=IncidentDetailJson),
    )
    async def add_tags(
        self,
        data: JSONBody[TagsBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
    ) -> dict[str, object]:
        """Body ``{"tags": ["database", "customer-facing"]}``; answers the incident."""
        command = UpdateIncident(
            id=ref, add_tags=data.tags, actor=principal.name, actor_id=principal.actor_id
        )
        return incident_detail_json(await mesh.incident(command))

    @delete("/{ref:str}/tags/{tag:str}/", status_code=200, summary="Remove a tag", opt=RESPONDER)
    async def remove_tag(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        tag: FromPath[str],
        ref: str = Ref,
    ) -> dict[str, object]:
        command = UpdateIncident(
            id=ref, remove_tags=[tag], actor=principal.name, actor_id=principal.actor_id
        )
        return incident_detail_json(await mesh.incident(command))


async def _transition(
    body: TransitionBody, principal: Principal, mesh: Upstream, ref: str, action: str
) -> dict[str, object]:
    command = TransitionIncident(
        id=ref,
        action=action,  # type: ignore[arg-type]  # a URL segment: incidents refuses others
        note=body.note,
        actor=principal.name,
        actor_id=principal.actor_id,
        source="api",
    )
    return incident_detail_json(await mesh.incident(command))


__all__ = ["IncidentController"]
