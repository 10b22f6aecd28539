"""``/api/v1/teams/``: the catalog's teams (see ``api.catalog``), and who is on call for one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from imas_contracts.catalog import TeamEntry, TeamFields
from imas_contracts.escalation import OnCallReply, WhoIsOnCall
from imas_gateway.api.catalog import CatalogController, kind_types
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import reply_json
from imas_gateway.http.params import INSTANT
from imas_gateway.http.upstream import Upstream


class TeamController(CatalogController):
    path = "/api/v1/teams"
    tags = ["catalog"]
    kind = "team"
    opt = role(Role.VIEWER, answer=TeamEntry)
    signature_namespace = kind_types(TeamFields)


class TeamOnCallController(Controller):
    """Who is on call for a team (the escalation service answers)."""

    path = "/api/v1/teams"
    tags = ["on-call"]
    opt = role(Role.VIEWER)

    @get(
        "/{team_id:str}/oncall/",
        summary="Who is on call for a team, per level, now or ?at=",
        dependencies=INSTANT,
        opt={"answer": OnCallReply},
    )
    async def team_on_call(
        self,
        mesh: NamedDependency[Upstream],
        team_id: FromPath[str],
        moment: NamedDependency[datetime | None],
    ) -> Any:
        query = WhoIsOnCall(team_id=team_id, at=moment)
        return reply_json(await mesh.ask(query, OnCallReply))
