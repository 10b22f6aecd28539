"""``/api/v1/escalation/check/``: what would keep a page from reaching someone (the escalation
service answers)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency

from imas_contracts.escalation import CheckConfig, ConfigReport
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import reply_json
from imas_gateway.http.params import TEAM_FILTER
from imas_gateway.http.upstream import Upstream


class EscalationCheckController(Controller):
    path = "/api/v1/escalation"
    tags = ["on-call"]
    opt = role(Role.VIEWER)

    @get(
        "/check/",
        summary="What the configuration would not deliver, for every team",
        dependencies=TEAM_FILTER,
        opt={"answer": ConfigReport},
    )
    async def check(
        self, mesh: NamedDependency[Upstream], team_id: NamedDependency[str | None]
    ) -> Any:
        return reply_json(await mesh.ask(CheckConfig(team_id=team_id), ConfigReport))
