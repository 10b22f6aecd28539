"""The public HTTP API: thin handlers that authenticate, validate and call a use case."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, route
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

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
    TimelineEntry,
    TransitionIncident,
    UpdateIncident,
)
from imas_gateway import api_params as params
from imas_gateway.auth import authenticate, role
from imas_gateway.domain import (
    IncidentCreate,
    IncidentDetailJson,
    IncidentJson,
    Page,
    Principal,
    incident_detail_json,
    incident_json,
    parse_incident_create,
)
from imas_gateway.query_params import INCIDENT_FILTERS, PageRequest
from imas_gateway.upstream import Upstream, upstream
from imas_gateway.usecases import IncidentApi
from imas_runtime.errors import NotFound

Ref = Parameter(description="UUID, short id or INC-<short id>")
TRANSITION_ACTIONS = ("acknowledge", "mitigate", "resolve", "reopen")
RESPONDER = role("responder", answer=IncidentDetailJson)


def incident_api(request: Request[Any, Any, Any]) -> IncidentApi:
    api: IncidentApi = request.app.state.incident_api
    return api


class IncidentController(Controller):
    path = "/api/v1/incidents"
    tags = ["incidents"]
    opt = role("viewer", answer=IncidentDetailJson)
    dependencies = {
        "principal": Provide(authenticate),
        "api": Provide(incident_api, sync_to_thread=False),
        "mesh": Provide(upstream, sync_to_thread=False),
    }

    @get(
        "/",
        summary="Incidents, filtered and paginated",
        dependencies=INCIDENT_FILTERS,
        opt=role("viewer", answer=Page[IncidentJson]),
    )
    async def list_incidents(
        self,
        request: Request[Any, Any, Any],
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
        opt=role("responder", integration=True, body=IncidentCreate, answer=IncidentJson),
        responses={200: ResponseSpec(None, description="Attached to the open incident")},
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        api: NamedDependency[IncidentApi],
    ) -> Response[dict[str, object]]:
        """201 with a new incident, or 200 with the open incident of the same service (and
        dedup key) that this alert was attached to."""
        payload = parse_incident_create(await request.body())
        reply = await api.create(payload, principal)
        return Response(
            incident_json(reply.incident),
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
        query = GetIncident(id=ref, timeline_order=timeline_order)  # type: ignore[arg-type]
        return incident_detail_json(await mesh.incident(query))

    @patch(
        "/{ref:str}/",
        summary="Edit title, description, severity, lead or scopes",
        opt=role("responder", body=params.IncidentPatch, answer=IncidentDetailJson),
    )
    async def edit(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
    ) -> dict[str, object]:
        """Each change becomes a timeline event; ``"lead": null`` unassigns the lead."""
        body = params.parse_patch(await request.body())
        lead = None if body.lead is msgspec.UNSET else (body.lead or "")
        command = UpdateIncident(
            id=ref,
            title=body.title,
            description=body.description,
            severity=body.severity,  # type: ignore[arg-type]
            lead=lead,
            impacted_scopes=body.impacted_scopes,
            actor=principal.name,
            source="api",
        )
        return incident_detail_json(await mesh.incident(command))

    @route(
        "/{ref:str}/acknowledge/",
        http_method=["PATCH", "POST"],
        status_code=200,
        summary="Acknowledge: TRIGGERED → ACKNOWLEDGED",
        opt=role("operator", body=params.TransitionBody, answer=IncidentDetailJson),
    )
    async def acknowledge(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
    ) -> dict[str, object]:
        """Operators and above; 409 from any other state. Body (optional): ``{"note": ...}``."""
        return await _transition(request, principal, mesh, ref, "acknowledge")

    @route(
        "/{ref:str}/{action:str}/",
        http_method=["PATCH", "POST"],
        status_code=200,
        summary="Mitigate, resolve or reopen",
        opt=role("responder", body=params.TransitionBody, answer=IncidentDetailJson),
    )
    async def transition(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        action: str = Parameter(description="mitigate, resolve or reopen"),
        ref: str = Ref,
    ) -> dict[str, object]:
        """mitigate: TRIGGERED/ACKNOWLEDGED → MITIGATED; resolve: any open state → RESOLVED;
        reopen: RESOLVED → TRIGGERED. Any other move is a 409 (reopen too while another
        incident is open for the same service and dedup key). Body (optional):
        ``{"note": "..."}``."""
        if action not in TRANSITION_ACTIONS:
            raise NotFound(f"no such action '{action}' (use {', '.join(TRANSITION_ACTIONS)})")
        return await _transition(request, principal, mesh, ref, action)

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
        view = await mesh.incident(GetIncident(id=ref, timeline_order=order))  # type: ignore[arg-type]
        return msgspec.to_builtins(view.timeline)  # type: ignore[no-any-return]

    @get("/{ref:str}/comments/", summary="Comments, pinned first", opt={"answer": list[Comment]})
    async def comments(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], ref: str = Ref
    ) -> list[object]:
        found = await mesh.ask(ListComments(id=ref), CommentList)
        return msgspec.to_builtins(found.results)  # type: ignore[no-any-return]

    @post(
        "/{ref:str}/comments/",
        status_code=201,
        summary="Comment on an incident",
        opt=role("responder", body=params.CommentBody, answer=Comment),
    )
    async def add_comment(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
    ) -> dict[str, object]:
        """Body ``{"body": "..."}``; the comment is a NOTE in the timeline."""
        body = params.decode_body(await request.body(), params.CommentBody)
        command = AddComment(id=ref, body=body.body or "", actor=principal.name)
        return msgspec.to_builtins((await mesh.ask(command, CommentView)).comment)  # type: ignore[no-any-return]

    @patch(
        "/{ref:str}/comments/{comment_id:str}/",
        summary="Edit or pin a comment",
        opt=role("responder", body=params.CommentBody, answer=Comment),
    )
    async def edit_comment(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        comment_id: str,
        ref: str = Ref,
    ) -> dict[str, object]:
        """``{"body": ...}`` (your own comments only, else 403) and/or ``{"pinned": true}``."""
        body = params.decode_body(await request.body(), params.CommentBody)
        command = EditComment(
            id=ref, comment_id=comment_id, body=body.body, pinned=body.pinned, actor=principal.name
        )
        return msgspec.to_builtins((await mesh.ask(command, CommentView)).comment)  # type: ignore[no-any-return]

    @delete(
        "/{ref:str}/comments/{comment_id:str}/", summary="Delete your own comment", opt=RESPONDER
    )
    async def delete_comment(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        comment_id: str,
        ref: str = Ref,
    ) -> None:
        await mesh.ask(
            DeleteComment(id=ref, comment_id=comment_id, actor=principal.name), CommentView
        )

    @post(
        "/{ref:str}/tags/",
        status_code=200,
        summary="Add tags",
        opt=role("responder", body=params.TagsBody, answer=IncidentDetailJson),
    )
    async def add_tags(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: str = Ref,
    ) -> dict[str, object]:
        """Body ``{"tags": ["database", "customer-facing"]}``; answers the incident."""
        body = params.decode_body(await request.body(), params.TagsBody)
        command = UpdateIncident(id=ref, add_tags=body.tags, actor=principal.name)
        return incident_detail_json(await mesh.incident(command))

    @delete("/{ref:str}/tags/{tag:str}/", status_code=200, summary="Remove a tag", opt=RESPONDER)
    async def remove_tag(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        tag: str,
        ref: str = Ref,
    ) -> dict[str, object]:
        command = UpdateIncident(id=ref, remove_tags=[tag], actor=principal.name)
        return incident_detail_json(await mesh.incident(command))


async def _transition(
    request: Request[Any, Any, Any], principal: Principal, mesh: Upstream, ref: str, action: str
) -> dict[str, object]:
    body = params.decode_body(await request.body(), params.TransitionBody)
    command = TransitionIncident(
        id=ref,
        action=action,  # type: ignore[arg-type]
        note=body.note,
        actor=principal.name,
        source="api",
    )
    return incident_detail_json(await mesh.incident(command))


__all__ = ["IncidentController", "authenticate"]
