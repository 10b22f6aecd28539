"""``/api/v1/incident-roles/``: the roles every incident can have (commander, scribe,
communications... in order); viewers read, managers replace them (the war room service
answers). Who holds them on an incident: ``/api/v1/incidents/{id}/roles/``."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from imas_contracts.warroom import (
    GetRoleDefinitions,
    PutRoleDefinitions,
    RoleDefinition,
    RoleDefinitions,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream


class RolesBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The incident roles, in the order pages show them; none restores the default
    (``WARROOM_INCIDENT_ROLES``)."""

    roles: list[RoleDefinition]


class IncidentRoleController(Controller):
    path = "/api/v1/incident-roles"
    tags = ["war room"]
    opt = role(Role.VIEWER, answer=RoleDefinitions)

    @get("/", summary="The roles every incident can have")
    async def read(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        """In order; ``custom`` false when none was set here (the war room's setting)."""
        return message_json(await mesh.ask(GetRoleDefinitions(), RoleDefinitions))

    @put(
        "/",
        summary="Replace the incident roles (managers); none restores the default",
        opt=role(Role.MANAGER, answer=RoleDefinitions),
    )
    async def replace(
        self,
        data: JSONBody[RolesBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        """A role dropped here stays with the incidents that hold it. 400 naming
        ``roles[i].name`` for a name that is not one word, or given twice."""
        command = PutRoleDefinitions(roles=data.roles, actor=principal.name)
        return message_json(await mesh.ask(command, RoleDefinitions))
