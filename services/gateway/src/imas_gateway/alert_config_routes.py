"""Integrations, alert rules, silences and alert outcomes over HTTP (API tokens; writes need
the admin role for integrations, manager for alert rules; responders set silences)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from imas_contracts import alert_payloads
from imas_contracts.ingest import (
    AlertPage,
    AlertRecord,
    AlertRule,
    AlertRuleList,
    AlertRuleReply,
    CreateIntegration,
    CreateSilence,
    DeleteAlertRule,
    DeleteIntegration,
    DeleteSilence,
    Integration,
    IntegrationList,
    IntegrationReply,
    ListAlertRules,
    ListAlerts,
    ListIntegrations,
    ListSilences,
    SaveAlertRule,
    Silence,
    SilenceList,
    SilenceReply,
    UpdateIntegration,
)
from imas_gateway.auth import authenticate, role
from imas_gateway.docs_routes import PAGED
from imas_gateway.domain import Page, Principal
from imas_gateway.query_params import PAGING, PageRequest
from imas_gateway.webhook_core import Webhooks, webhooks
from imas_runtime.errors import Invalid

# -- configuration and queries (API tokens) --------------------------------------------------


def _dependencies() -> dict[str, Provide]:
    return {
        "principal": Provide(authenticate),
        "hooks": Provide(webhooks, sync_to_thread=False),
    }


def _decode(body: bytes, type_: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as exc:
        error = alert_payloads.field_error(exc)
        raise Invalid.field(error.field, error.message) from None
    except msgspec.DecodeError:
        raise Invalid.field("body", "must be a JSON object") from None


# An integration's own webhook limit: alerts per second, and how many may come at once.
Rate = Annotated[float, msgspec.Meta(gt=0, le=1_000_000)]
Burst = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]


class IntegrationCreate(msgspec.Struct, kw_only=True):
    name: str
    type: str
    service: str = ""
    rate_limit: Rate | None = None
    rate_burst: Burst | None = None


class IntegrationPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Any of these; ``"rate_limit": null`` goes back to the gateway's default limit."""

    name: str | None = None
    service: str | None = None
    rate_limit: Rate | msgspec.UnsetType | None = msgspec.UNSET
    rate_burst: Burst | msgspec.UnsetType | None = msgspec.UNSET

    def update(self, integration_id: str) -> UpdateIntegration:
        set_limit = self.rate_limit is not msgspec.UNSET or self.rate_burst is not msgspec.UNSET
        return UpdateIntegration(
            id=integration_id,
            name=self.name,
            service=self.service,
            set_rate_limit=set_limit,
            rate_limit=_given(self.rate_limit),
            rate_burst=_given(self.rate_burst),
        )


def _given(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


class IntegrationJson(Integration, frozen=True, kw_only=True):
    """An integration as the API shows it; on creation only, its secret and where to send
    alerts (``routing_key`` for PagerDuty)."""

    routing_key: str | None = None
    webhook_url: str | None = None


def _integration_json(reply: IntegrationReply, base: str) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(reply.integration)
    if reply.integration.secret is None:
        data.pop("secret", None)
    else:
        secret = reply.integration.secret
        if reply.integration.type == "pagerduty":
            data["routing_key"] = secret
            data["webhook_url"] = f"{base}/v2/enqueue"
        elif reply.integration.type == "sentry":
            data["webhook_url"] = (
                f"{base}/api/v1/webhooks/sentry/?integration={reply.integration.id}"
            )
        else:
            data["webhook_url"] = f"{base}{reply.integration.webhook_path}?token={secret}"
    return data


class IntegrationController(Controller):
    path = "/api/v1/integrations"
    tags = ["integrations"]
    opt = role("viewer", answer=IntegrationJson)
    dependencies = _dependencies()

    @post(
        "/",
        status_code=201,
        summary="Create an integration (its secret is shown once)",
        opt=role("admin", body=IntegrationCreate),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
    ) -> dict[str, Any]:
        body: IntegrationCreate = _decode(await request.body(), IntegrationCreate)
        create = CreateIntegration(
            name=body.name,
            kind=body.type,
            service=body.service,
            rate_limit=body.rate_limit,
            rate_burst=body.rate_burst,
        )
        reply = await hooks.request(create, IntegrationReply)
        return _integration_json(reply, hooks.settings.public_url.rstrip("/"))

    @patch(
        "/{id:str}/",
        summary="Rename an integration, change its service or its rate limit",
        opt=role("admin", body=IntegrationPatch),
    )
    async def update(
        self,
        id: str,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
    ) -> dict[str, Any]:
        """``rate_limit`` alerts per second (``rate_burst`` at once, one second's worth by
        default) replaces the gateway's default limit for this integration's webhooks; this
        gateway applies it at once, the others within seconds."""
        body: IntegrationPatch = _decode(await request.body(), IntegrationPatch)
        reply = await hooks.request(body.update(id), IntegrationReply)
        hooks.forget(id)
        return _integration_json(reply, "")

    @get("/", summary="Integrations", opt=PAGED)
    async def list_all(
        self, principal: NamedDependency[Principal], hooks: NamedDependency[Webhooks]
    ) -> dict[str, Any]:
        reply: IntegrationList = await hooks.request(ListIntegrations(), IntegrationList)
        results = [
            _integration_json(IntegrationReply(integration=i), "") for i in reply.integrations
        ]
        return _listing(results)

    @delete("/{id:str}/", status_code=204, summary="Delete an integration", opt=role("admin"))
    async def remove(
        self, id: str, principal: NamedDependency[Principal], hooks: NamedDependency[Webhooks]
    ) -> None:
        await hooks.request(DeleteIntegration(id=id), IntegrationReply)
        hooks.forget(id)


async def _save_rule(
    request: Request[Any, Any, Any], principal: Principal, hooks: Webhooks, rule_id: str
) -> dict[str, Any]:
    rule = msgspec.structs.replace(_decode(await request.body(), AlertRule), id=rule_id)
    reply = await hooks.request(SaveAlertRule(rule=rule), AlertRuleReply)
    return msgspec.to_builtins(reply.rule)  # type: ignore[no-any-return]


def _listing(results: list[Any]) -> dict[str, Any]:
    return {"count": len(results), "next": None, "previous": None, "results": results}


class AlertRuleController(Controller):
    path = "/api/v1/alert-rules"
    tags = ["alert rules"]
    opt = role("viewer", answer=AlertRule)
    dependencies = _dependencies()

    @post(
        "/",
        status_code=201,
        summary="Create an alert rule",
        opt=role("manager", body=AlertRule),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
    ) -> dict[str, Any]:
        return await _save_rule(request, principal, hooks, "")

    @put("/{id:str}/", summary="Replace an alert rule", opt=role("manager", body=AlertRule))
    async def replace(
        self,
        id: str,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
    ) -> dict[str, Any]:
        return await _save_rule(request, principal, hooks, id)

    @get("/", summary="Alert rules, in evaluation order", opt=PAGED)
    async def list_all(
        self, principal: NamedDependency[Principal], hooks: NamedDependency[Webhooks]
    ) -> dict[str, Any]:
        reply: AlertRuleList = await hooks.request(ListAlertRules(), AlertRuleList)
        results = msgspec.to_builtins(reply.rules)
        return _listing(results)

    @delete("/{id:str}/", status_code=204, summary="Delete an alert rule", opt=role("manager"))
    async def remove(
        self, id: str, principal: NamedDependency[Principal], hooks: NamedDependency[Webhooks]
    ) -> None:
        await hooks.request(DeleteAlertRule(id=id), AlertRuleReply)


class SilenceController(Controller):
    path = "/api/v1/silences"
    tags = ["silences"]
    opt = role("viewer", answer=Silence)
    dependencies = _dependencies()

    @post(
        "/",
        status_code=201,
        summary="Create a silence (maintenance window)",
        opt=role("responder", body=Silence),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
    ) -> dict[str, Any]:
        silence: Silence = _decode(await request.body(), Silence)
        silence = msgspec.structs.replace(silence, id="", created_by=principal.name)
        reply = await hooks.request(CreateSilence(silence=silence), SilenceReply)
        return msgspec.to_builtins(reply.silence)  # type: ignore[no-any-return]

    @get("/", summary="Silences that have not ended", opt=PAGED)
    async def list_all(
        self,
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
        include_expired: bool = Parameter(default=False, description="Ended ones too"),
    ) -> dict[str, Any]:
        reply: SilenceList = await hooks.request(
            ListSilences(include_expired=include_expired), SilenceList
        )
        results = msgspec.to_builtins(reply.silences)
        return _listing(results)

    @delete("/{id:str}/", status_code=204, summary="End a silence now", opt=role("responder"))
    async def remove(
        self, id: str, principal: NamedDependency[Principal], hooks: NamedDependency[Webhooks]
    ) -> None:
        await hooks.request(DeleteSilence(id=id), SilenceReply)


class AlertController(Controller):
    path = "/api/v1/alerts"
    tags = ["alerts"]
    opt = role("viewer")
    dependencies = _dependencies()

    @get(
        "/",
        summary="Alerts received and what became of each",
        dependencies=PAGING,
        opt={"answer": Page[AlertRecord]},
    )
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        hooks: NamedDependency[Webhooks],
        paging: NamedDependency[PageRequest],
        integration: str = Parameter(default="", description="Only this integration's (its id)"),
        status: str = Parameter(default="", description="Only this outcome"),
        fingerprint: str = Parameter(default="", description="Only alerts with this fingerprint"),
    ) -> dict[str, Any]:
        query = ListAlerts(
            integration=integration,
            status=status,
            fingerprint=fingerprint,
            limit=paging.size,
            offset=paging.offset,
        )
        reply: AlertPage = await hooks.request(query, AlertPage)
        results = msgspec.to_builtins(reply.results)
        return paging.answer(str(request.url), reply.count, results)
