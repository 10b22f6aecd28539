"""``/api/v1/incidents/{id}/escalation/``: an incident's escalation history (the escalation
service answers), and ``.../escalate/``: page now, by hand (the war room service answers)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.escalation import EscalationHistory, GetHistory
from imas_contracts.incidents import GetIncident
from imas_contracts.warroom import EscalateIncident, EscalationSent
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json, reply_json
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import Invalid


class EscalateBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Nothing: the next level of the team's policy; else ``person`` (id, e-mail or name) or
    ``team`` (id or name), paged now."""

    person: str = ""
    team: str = ""


class IncidentEscalationController(Controller):
    path = "/api/v1/incidents"
    tags = ["on-call"]
    opt = role(Role.VIEWER)

    @get(
        "/{ref:str}/escalation/",
        summary="An incident's escalation history",
        opt={"answer": EscalationHistory},
    )
    async def history(self, mesh: NamedDependency[Upstream], ref: FromPath[str]) -> Any:
        incident = (await mesh.incident(GetIncident(id=ref))).incident
        return reply_json(await mesh.ask(GetHistory(incident_id=incident.id), EscalationHistory))

    @post(
        "/{ref:str}/escalate/",
        status_code=200,
        summary="Escalate now: the next level, or a chosen person or team",
        opt=role(Role.OPERATOR, answer=EscalationSent),
    )
    async def escalate(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        data: JSONBody[EscalateBody] = EscalateBody(),
    ) -> dict[str, Any]:
        """Pages at once (operators and above): ``{}`` the next level of the team's
        escalation policy, ``{"person": ...}`` or ``{"team": ...}`` someone chosen. 409 for a
        resolved incident or past the last level; each call pages again."""
        if data.person and data.team:
            raise Invalid.field("team", "give a person or a team, not both")
        command = EscalateIncident(
            incident=ref, person=data.person, team=data.team, actor=principal.name
        )
        return message_json(await mesh.ask(command, EscalationSent))
