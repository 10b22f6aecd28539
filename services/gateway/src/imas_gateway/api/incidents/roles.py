"""``/api/v1/incidents/{id}/roles/``: who is the incident's commander, scribe,
communications... (the roles are configured in the war room service, which answers; each
holder is invited to the war room)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.warroom import AssignRole, GetIncidentRoles, IncidentRoles
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream


class RoleBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who gets the role: a person's id, e-mail or name."""

    person: str


class IncidentRolesController(Controller):
    path = "/api/v1/incidents"
    tags = ["war room"]
    opt = role(Role.VIEWER, answer=IncidentRoles)

    @get("/{ref:str}/roles/", summary="The incident's roles and who holds them")
    async def roles(self, mesh: NamedDependency[Upstream], ref: FromPath[str]) -> dict[str, Any]:
        """Every role an incident can have, in the configured order (``/api/v1/incident-roles/``),
        each with its holder (empty ``person_id`` and ``name``: nobody)."""
        return message_json(await mesh.ask(GetIncidentRoles(incident=ref), IncidentRoles))

    @put(
        "/{ref:str}/roles/{name:str}/",
        summary="Give a role to someone",
        opt=role(Role.RESPONDER, answer=IncidentRoles),
    )
    async def assign(
        self,
        data: JSONBody[RoleBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        name: FromPath[str],
    ) -> dict[str, Any]:
        """Responders and above. The person is invited to the war room when the incident has
        one; the timeline and the LID say who gave the role to whom. 400 naming ``role`` for a
        role that is not configured, ``person`` for someone the catalog does not know. Giving
        a role to its holder again changes nothing."""
        command = AssignRole(incident=ref, role=name, person=data.person, actor=principal.name)
        return message_json(await mesh.ask(command, IncidentRoles))

    @delete(
        "/{ref:str}/roles/{name:str}/",
        status_code=200,
        summary="Take a role back",
        opt=role(Role.RESPONDER, answer=IncidentRoles),
    )
    async def unassign(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        name: FromPath[str],
    ) -> dict[str, Any]:
        """Responders and above: nobody holds the role any more (said in the timeline and
        the LID). Answers the roles; taking back a role nobody holds changes nothing."""
        command = AssignRole(incident=ref, role=name, person="", actor=principal.name)
        return message_json(await mesh.ask(command, IncidentRoles))
