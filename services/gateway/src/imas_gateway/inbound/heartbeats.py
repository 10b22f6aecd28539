"""Heartbeat pings (``GET`` or ``POST /api/v1/webhooks/heartbeat/``): a monitored job reports
in, with its heartbeat integration's token as every webhook takes it (``?token=``,
``X-IMAS-Token:`` or ``Authorization: Token …``).

The answer comes once ingest has committed the ping (the deadline moved; a heartbeat that was
down is up again and its incident resolving): 200 with the next deadline; 401 without a valid
heartbeat token; 429 past the integration's rate; 503 when ingest does not answer (the job's
next ping, or its retry, counts all the same). A body, if any, is not read.
"""

from __future__ import annotations

from litestar import route
from litestar.di import NamedDependency

from imas_contracts.ingest import AuthenticateWebhook, IntegrationReply, PingHeartbeat
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_gateway.inbound.intake import Intake
from imas_gateway.inbound.webhooks import WEBHOOK_OPT, spend_one, token_of

HEARTBEAT_PATH = "/api/v1/webhooks/heartbeat/"


@route(
    HEARTBEAT_PATH,
    http_method=["GET", "POST"],
    status_code=200,
    summary="A heartbeat's ping: its job reports in (GET or POST)",
    tags=["webhooks"],
    opt=WEBHOOK_OPT,
)
async def heartbeat_ping(
    request: Request, intake: NamedDependency[Intake], mesh: NamedDependency[Upstream]
) -> dict[str, object]:
    """200 once the ping is recorded, with when the next one is due (``next_ping_due_at``,
    grace included)."""
    check = AuthenticateWebhook(source="heartbeat", token=token_of(request))
    integration = (await intake.authenticate(check)).integration
    spend_one(request, intake, integration, "too many pings for this heartbeat")
    reply = await mesh.ask(PingHeartbeat(integration_id=integration.id), IntegrationReply)
    beat = reply.integration.heartbeat
    return {
        "status": "ok",
        "heartbeat": integration.id,
        "next_ping_due_at": beat.due_at.isoformat() if beat and beat.due_at else None,
    }
