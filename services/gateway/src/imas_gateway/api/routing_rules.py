"""``/api/v1/routing-rules/``: who gets paged over what, by team, severity and scope (the
notifier answers).

Viewers read; changing them needs the manager role. Teams, scopes and people may be named by
id or by name (a team's slug, a person's e-mail); rules store their ids.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.notifier import (
    DeleteRoutingRule,
    ListRoutingRules,
    PutRoutingRule,
    RoutingRuleList,
    RoutingRuleView,
    RoutingTarget,
)
from imas_gateway.api.catalog import catalog_id
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream

MANAGER = Role.MANAGER


class RoutingRuleBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A routing rule as written: ``team_id`` and ``scope_id`` take an id or a name,
    ``responder`` a person's id or e-mail; empty matches anything."""

    target: RoutingTarget
    team_id: str = ""
    severity: str = ""
    scope_id: str = ""
    channels: list[str] = []
    responder: str = ""


async def _put_rule(mesh: Upstream, rule: RoutingRuleBody, rule_id: str = "") -> dict[str, Any]:
    command = PutRoutingRule(
        id=rule_id,
        target=rule.target,
        team_id=await catalog_id(mesh, "team", rule.team_id, "team_id"),
        severity=rule.severity,
        scope_id=await catalog_id(mesh, "scope", rule.scope_id, "scope_id"),
        channels=rule.channels,
        responder=await catalog_id(mesh, "person", rule.responder, "responder"),
    )
    return message_json((await mesh.ask(command, RoutingRuleView)).rule)


class RoutingRuleController(Controller):
    path = "/api/v1/routing-rules"
    tags = ["notifications"]
    opt = role(Role.VIEWER)

    @get("/", summary="Routing rules: stored ones, then the built-in defaults")
    async def list_rules(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListRoutingRules(), RoutingRuleList)
        results = [message_json(r) for r in found.rules]
        return {"count": len(results), "results": results}

    @get("/{rule_id:str}/", summary="One routing rule (built-in ones are default-N)")
    async def read(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: FromPath[str],
    ) -> dict[str, Any]:
        found = await mesh.ask(ListRoutingRules(id=rule_id), RoutingRuleList)
        return message_json(found.rules[0])

    @post(
        "/",
        status_code=201,
        summary="Add a routing rule (409 when a stored rule has the same match)",
        opt=role(MANAGER),
    )
    async def create(
        self,
        data: JSONBody[RoutingRuleBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await _put_rule(mesh, data)

    @put("/{rule_id:str}/", summary="Replace a routing rule", opt=role(MANAGER))
    async def replace(
        self,
        data: JSONBody[RoutingRuleBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: FromPath[str],
    ) -> dict[str, Any]:
        return await _put_rule(mesh, data, rule_id)

    @delete(
        "/{rule_id:str}/",
        status_code=200,
        summary="Delete a routing rule (built-in ones can only be overridden)",
        opt=role(MANAGER),
    )
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: FromPath[str],
    ) -> dict[str, Any]:
        return message_json((await mesh.ask(DeleteRoutingRule(id=rule_id), RoutingRuleView)).rule)
