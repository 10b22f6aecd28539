"""The public HTTP API: thin handlers that authenticate, validate and call a use case."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from imas_gateway.domain import (
    Principal,
    incident_detail_json,
    incident_json,
    parse_incident_create,
    token_from_header,
)
from imas_gateway.problems import Unauthorized
from imas_gateway.usecases import Authenticator, IncidentApi


async def authenticate(request: Request[Any, Any, Any]) -> Principal:
    """The caller's principal from ``Authorization: Token <t>`` or ``Bearer <t>``; else 401."""
    token = token_from_header(request.headers.get("authorization"))
    if token is None:
        raise Unauthorized.field(
            "Authorization", "send 'Authorization: Token <token>' or 'Bearer <token>'"
        )
    authenticator: Authenticator = request.app.state.authenticator
    principal = await authenticator.principal(token)
    if principal is None:
        raise Unauthorized.field("Authorization", "the token is unknown, revoked or expired")
    return principal


def incident_api(request: Request[Any, Any, Any]) -> IncidentApi:
    api: IncidentApi = request.app.state.incident_api
    return api


class IncidentController(Controller):
    path = "/api/v1/incidents"
    tags = ["incidents"]
    dependencies = {
        "principal": Provide(authenticate),
        "api": Provide(incident_api, sync_to_thread=False),
    }

    @post("/", status_code=201, summary="Create an incident, or attach to the open one")
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
        api: NamedDependency[IncidentApi],
        ref: str = Parameter(description="UUID, short id or INC-<short id>"),
    ) -> dict[str, object]:
        return incident_detail_json(await api.get(ref))


__all__ = ["IncidentController", "authenticate"]
