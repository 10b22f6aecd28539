"""``/api/v1/alert-rules/``: rules ingest applies to every alert, in order (viewers read,
managers write)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.ingest import (
    AlertRule,
    AlertRuleList,
    AlertRuleReply,
    DeleteAlertRule,
    ListAlertRules,
    RuleTrial,
    SampleAlert,
    SaveAlertRule,
    TryAlertRule,
)
from imas_gateway.api.docs import PAGED
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json, reply_json, whole_page
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import NotFound


async def _save_rule(mesh: Upstream, rule: AlertRule, rule_id: str) -> dict[str, Any]:
    rule = msgspec.structs.replace(rule, id=rule_id)
    reply = await mesh.ask(SaveAlertRule(rule=rule), AlertRuleReply)
    return reply_json(reply.rule)


class RuleTrialBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A rule, saved or not, and the alert to try it on."""

    rule: AlertRule
    alert: SampleAlert


class AlertRuleController(Controller):
    path = "/api/v1/alert-rules"
    tags = ["alert rules"]
    opt = role(Role.VIEWER, answer=AlertRule)

    @post(
        "/",
        status_code=201,
        summary="Create an alert rule",
        opt=role(Role.MANAGER),
    )
    async def create(
        self,
        data: JSONBody[AlertRule],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await _save_rule(mesh, data, "")

    @put("/{id:str}/", summary="Replace an alert rule", opt=role(Role.MANAGER))
    async def replace(
        self,
        id: FromPath[str],
        data: JSONBody[AlertRule],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await _save_rule(mesh, data, id)

    @post(
        "/try/",
        status_code=200,
        summary="Try a rule (saved or not) on a sample alert, as if it were the only rule",
        # It reads and writes nothing, so it is no change to audit.
        opt=role(Role.VIEWER, audit=False, answer=RuleTrial),
    )
    async def try_rule(
        self,
        data: JSONBody[RuleTrialBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        reply = await mesh.ask(TryAlertRule(rule=data.rule, alert=data.alert), RuleTrial)
        return message_json(reply)

    @get("/", summary="Alert rules, in evaluation order", opt=PAGED)
    async def list_all(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        reply: AlertRuleList = await mesh.ask(ListAlertRules(), AlertRuleList)
        results = msgspec.to_builtins(reply.rules)
        return whole_page(results)

    @get("/{id:str}/", summary="One alert rule")
    async def detail(
        self,
        id: FromPath[str],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        reply = await mesh.ask(ListAlertRules(), AlertRuleList)
        for rule in reply.rules:
            if rule.id == id:
                return reply_json(rule)
        raise NotFound(f"no alert rule {id}")

    @delete("/{id:str}/", status_code=204, summary="Delete an alert rule", opt=role(Role.MANAGER))
    async def remove(
        self,
        id: FromPath[str],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> None:
        await mesh.ask(DeleteAlertRule(id=id), AlertRuleReply)
