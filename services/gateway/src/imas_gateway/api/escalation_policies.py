"""``/api/v1/escalation-policies/``: escalation policies, ordered steps with delays, targets
and channels, and repeats (the escalation service answers)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.escalation import (
    Deleted,
    DeletePolicy,
    GetPolicy,
    ListPolicies,
    PolicyList,
    PolicySpec,
    PolicyView,
    PutPolicy,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import reply_json
from imas_gateway.http.params import TEAM_FILTER
from imas_gateway.http.upstream import Upstream

MANAGER = role(Role.MANAGER)


class PolicyController(Controller):
    """Escalation policies: ordered steps with delays, targets and channels, repeats."""

    path = "/api/v1/escalation-policies"
    tags = ["on-call"]
    opt = role(Role.VIEWER)

    @get("/", dependencies=TEAM_FILTER, opt={"answer": PolicyList})
    async def list_policies(
        self, mesh: NamedDependency[Upstream], team_id: NamedDependency[str | None]
    ) -> Any:
        return reply_json(await mesh.ask(ListPolicies(team_id=team_id), PolicyList))

    @post("/", status_code=201, opt=role(Role.MANAGER, answer=PolicyView))
    async def create(self, data: JSONBody[PolicySpec], mesh: NamedDependency[Upstream]) -> Any:
        spec = msgspec.structs.replace(data, id="")
        return reply_json(await mesh.ask(PutPolicy(policy=spec), PolicyView))

    @get("/{policy_id:str}/", opt={"answer": PolicyView})
    async def detail(self, mesh: NamedDependency[Upstream], policy_id: FromPath[str]) -> Any:
        return reply_json(await mesh.ask(GetPolicy(id=policy_id), PolicyView))

    @put("/{policy_id:str}/", opt=role(Role.MANAGER, answer=PolicyView))
    async def replace(
        self, data: JSONBody[PolicySpec], mesh: NamedDependency[Upstream], policy_id: FromPath[str]
    ) -> Any:
        spec = msgspec.structs.replace(data, id=policy_id)
        return reply_json(await mesh.ask(PutPolicy(policy=spec), PolicyView))

    @delete("/{policy_id:str}/", opt=MANAGER)
    async def remove(self, mesh: NamedDependency[Upstream], policy_id: FromPath[str]) -> None:
        await mesh.ask(DeletePolicy(id=policy_id), Deleted)
