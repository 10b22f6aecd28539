"""``/api/v1/tag-rules/``: every new incident whose title matches a rule's pattern gets its
tag (viewers read, managers write; the incidents service keeps them)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.catalog import (
    DeleteTagRule,
    ListTagRules,
    SaveTagRule,
    TagRuleEntry,
    TagRuleList,
    TagRuleSpec,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, Results, message_json
from imas_gateway.http.upstream import Upstream

MANAGER = role(Role.MANAGER, answer=TagRuleEntry)


class TagRuleController(Controller):
    path = "/api/v1/tag-rules"
    tags = ["catalog"]
    opt = role(Role.VIEWER, answer=TagRuleEntry)

    @get("/", summary="Tag rules, by tag", opt={"answer": Results[TagRuleEntry]})
    async def list_rules(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListTagRules(), TagRuleList)
        rules = message_json(found)["rules"]
        return {"count": len(rules), "results": rules}

    @get("/{rule_id:str}/", summary="One tag rule (by id or tag)")
    async def read(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: FromPath[str],
    ) -> dict[str, Any]:
        found = await mesh.ask(ListTagRules(id=rule_id), TagRuleList)
        return message_json(found.rules[0])

    @post("/", status_code=201, summary="Add a tag rule (409 when its tag has one)", opt=MANAGER)
    async def create(
        self,
        data: JSONBody[TagRuleSpec],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        saved = await mesh.ask(SaveTagRule(rule=data, actor=principal.name), TagRuleList)
        return message_json(saved.rules[0])

    @put("/{rule_id:str}/", summary="Replace a tag rule", opt=MANAGER)
    async def replace(
        self,
        data: JSONBody[TagRuleSpec],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: FromPath[str],
    ) -> dict[str, Any]:
        command = SaveTagRule(id=rule_id, rule=data, actor=principal.name)
        return message_json((await mesh.ask(command, TagRuleList)).rules[0])

    @delete("/{rule_id:str}/", status_code=204, summary="Delete a tag rule", opt=role(Role.MANAGER))
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: FromPath[str],
    ) -> None:
        await mesh.ask(DeleteTagRule(id=rule_id, actor=principal.name), TagRuleList)
