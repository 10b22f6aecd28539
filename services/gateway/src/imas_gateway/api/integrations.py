"""``/api/v1/integrations/``: where alerts come from (a type, a service, a secret and a rate
limit each); viewers read, admins write. The secret is shown once, on creation, with the URL
the monitoring tool posts to. Ingest answers."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.ingest import (
    CreateIntegration,
    DeleteIntegration,
    Integration,
    IntegrationList,
    IntegrationReply,
    ListIntegrations,
    UpdateIntegration,
)
from imas_gateway.api.docs import PAGED
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, whole_page
from imas_gateway.http.upstream import Upstream
from imas_gateway.inbound.intake import Intake
from imas_gateway.settings import GatewaySettings
from imas_runtime.errors import NotFound

# An integration's own webhook limit: alerts per second, and how many may come at once.
Rate = Annotated[float, msgspec.Meta(gt=0, le=1_000_000)]
Burst = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]


# A heartbeat's longest time between two pings, and the slack allowed past it (seconds).
Interval = Annotated[float, msgspec.Meta(ge=1, le=366 * 24 * 3600)]
Grace = Annotated[float, msgspec.Meta(ge=0, le=366 * 24 * 3600)]


class IntegrationCreate(msgspec.Struct, frozen=True, kw_only=True):
    """``secret`` only for Sentry: the Client Secret Sentry shows, which signs its webhooks
    (without it IMAS makes a secret, as for every other type). ``interval`` (required) and
    ``grace`` only for a heartbeat: its job pings at least every ``interval`` seconds, and
    ``grace`` seconds more are allowed before its miss opens an incident."""

    name: str
    type: str
    service: str = ""
    rate_limit: Rate | None = None
    rate_burst: Burst | None = None
    secret: str = ""
    interval: Interval | None = None
    grace: Grace | None = None


class IntegrationPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Any of these; ``"rate_limit": null`` goes back to the gateway's default limit;
    ``secret`` (Sentry only) replaces the secret by the Client Secret Sentry shows;
    ``interval`` and ``grace`` (heartbeats only) move its deadline at once."""

    name: str | None = None
    service: str | None = None
    rate_limit: Rate | msgspec.UnsetType | None = msgspec.UNSET
    rate_burst: Burst | msgspec.UnsetType | None = msgspec.UNSET
    secret: str | None = None
    interval: Interval | None = None
    grace: Grace | None = None

    def update(self, integration_id: str) -> UpdateIntegration:
        set_limit = self.rate_limit is not msgspec.UNSET or self.rate_burst is not msgspec.UNSET
        return UpdateIntegration(
            id=integration_id,
            name=self.name,
            service=self.service,
            set_rate_limit=set_limit,
            rate_limit=_given(self.rate_limit),
            rate_burst=_given(self.rate_burst),
            secret=self.secret,
            interval=self.interval,
            grace=self.grace,
        )


def _given(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


class IntegrationJson(Integration, frozen=True, kw_only=True):
    """An integration as the API shows it; on creation only, its secret and where to send
    alerts (``routing_key`` for PagerDuty)."""

    routing_key: str | None = None
    webhook_url: str | None = None


def integration_json(reply: IntegrationReply, base: str) -> dict[str, Any]:
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
    opt = role(Role.VIEWER, answer=IntegrationJson)

    @post(
        "/",
        status_code=201,
        summary="Create an integration (its secret is shown once)",
        opt=role(Role.ADMIN),
    )
    async def create(
        self,
        data: JSONBody[IntegrationCreate],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        settings: NamedDependency[GatewaySettings],
    ) -> dict[str, Any]:
        create = CreateIntegration(
            name=data.name,
            kind=data.type,
            service=data.service,
            rate_limit=data.rate_limit,
            rate_burst=data.rate_burst,
            secret=data.secret,
            interval=data.interval,
            grace=data.grace,
        )
        reply = await mesh.ask(create, IntegrationReply)
        return integration_json(reply, settings.public_url.rstrip("/"))

    @patch(
        "/{id:str}/",
        summary=(
            "Rename an integration, change its service, its rate limit, its Sentry secret or "
            "its heartbeat's interval and grace"
        ),
        opt=role(Role.ADMIN),
    )
    async def update(
        self,
        id: FromPath[str],
        data: JSONBody[IntegrationPatch],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        intake: NamedDependency[Intake],
    ) -> dict[str, Any]:
        """``rate_limit`` alerts per second (``rate_burst`` at once, one second's worth by
        default) replaces the gateway's default limit for this integration's webhooks; this
        gateway applies it at once, the others within seconds."""
        reply = await mesh.ask(data.update(id), IntegrationReply)
        await intake.changed(id)
        return integration_json(reply, "")

    @get("/", summary="Integrations", opt=PAGED)
    async def list_all(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        reply: IntegrationList = await mesh.ask(ListIntegrations(), IntegrationList)
        results = [
            integration_json(IntegrationReply(integration=i), "") for i in reply.integrations
        ]
        return whole_page(results)

    @get("/{id:str}/", summary="One integration (never its secret)")
    async def detail(
        self,
        id: FromPath[str],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        reply = await mesh.ask(ListIntegrations(), IntegrationList)
        for found in reply.integrations:
            if found.id == id:
                return integration_json(IntegrationReply(integration=found), "")
        raise NotFound(f"no integration {id}")

    @delete("/{id:str}/", status_code=204, summary="Delete an integration", opt=role(Role.ADMIN))
    async def remove(
        self,
        id: FromPath[str],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        intake: NamedDependency[Intake],
    ) -> None:
        await mesh.ask(DeleteIntegration(id=id), IntegrationReply)
        await intake.changed(id)
