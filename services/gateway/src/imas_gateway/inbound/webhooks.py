"""Alert webhooks (``/api/v1/webhooks/<source>/`` for Alertmanager, Grafana, Datadog, Sentry
and custom tools; PagerDuty's Events API v2 at ``/v2/enqueue``) and PagerDuty change events
(``/v2/change/enqueue``).

A webhook is authenticated (ingest checks the integration's secret; answers are remembered),
its body checked against the source's schema, then written to JetStream
(``alerts.raw.<source>``) and answered 202 once JetStream acknowledged it: durable before
acknowledged. Ingest processes it asynchronously. Past capacity, 503 with Retry-After at once
(see :mod:`imas_gateway.inbound.overload`).

Alert webhooks are served by the lean ASGI path (:mod:`imas_gateway.inbound.lean`) in front
of Litestar; the routes here answer the same (both call :class:`Intake`) and are what the
OpenAPI document shows.

A change event is answered 202 once the incidents service has committed it (it is listed with
its service and written on the timeline of the service's unresolved incidents); 400 as
PagerDuty answers an invalid event or routing key; 429 when the integration's limit is spent;
503 when the incidents service does not answer (PagerDuty clients retry 5xx).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from imas_contracts import alert_payloads, new_event_id, utcnow
from imas_contracts.changes import ChangeLink, ChangeView, RecordChange
from imas_gateway.auth.guard import PUBLIC, role
from imas_gateway.http.problems import RateLimited
from imas_gateway.http.request import Request, set_rate_verdict
from imas_gateway.http.upstream import Upstream
from imas_gateway.inbound.intake import (
    PD_PATHS,
    Answer,
    Call,
    Intake,
    pd_invalid,
    problem_answer,
    too_large,
    webhook_token,
)

# Alert sources prove themselves with the integration's secret or signature; each alert is
# recorded by ingest, so webhooks stay out of the audit log.
WEBHOOK_OPT = role(PUBLIC, audit=False)
# PagerDuty's own answers for invalid and throttled events.
PAGERDUTY_OPT = role(PUBLIC, audit=False, own_errors=True)

__all__ = ["WEBHOOK_OPT", "spend_one", "token_of"]


class WebhookAccepted(msgspec.Struct, kw_only=True):
    """The payload is stored in JetStream (``status`` is ``accepted``); ingest handles it
    next. ``event_id`` names it in the alerts it becomes."""

    status: str
    event_id: str
    integration: str


async def call_of(request: Request) -> Call | Answer:
    """The call as :class:`Intake` takes it, or the 413 of a body over the webhook limit.

    The body stays raw: a typed ``data`` would re-encode it, but a source's signature (Sentry,
    custom tools) is checked over these exact bytes and they go to JetStream untouched, for
    ingest to normalise (durable before acknowledged)."""
    length = request.headers.get("content-length")
    refused = too_large(int(length)) if length and length.isdigit() else None
    if refused is None:
        body = await request.body()
        refused = too_large(len(body))
    if refused is not None:
        return problem_answer(refused)
    return Call(body=body, query=dict(request.query_params), headers=dict(request.headers))


def response_of(answer: Answer) -> Response[Any]:
    return Response(
        answer.body,
        status_code=answer.status,
        media_type=answer.media_type,
        headers=dict(answer.headers),
    )


def token_of(request: Request) -> str:
    """The integration's token as webhooks send it (see :func:`webhook_token`)."""
    return webhook_token(request.query_params, request.headers)


def spend_one(request: Request, intake: Intake, integration: Any, refusal: str) -> None:
    """Spend one event of the integration's rate limit, or refuse the request (429 with
    ``refusal``); the verdict's headers go on the answer either way."""
    verdict = intake.allow(integration)
    set_rate_verdict(request.scope, verdict)
    if not verdict.allowed:
        raise RateLimited(refusal, verdict.headers())


@post(
    "/api/v1/webhooks/{source:str}/",
    status_code=202,
    summary="Receive an alert webhook (alertmanager, grafana, datadog, sentry, custom)",
    tags=["webhooks"],
    opt=role(PUBLIC, audit=False, answer=WebhookAccepted),
)
async def receive_webhook(
    request: Request, source: FromPath[str], intake: NamedDependency[Intake]
) -> Response[Any]:
    """202 once the payload is durably queued; 401 without valid credentials (nothing is
    queued), 400 naming the field for an invalid body, 413 above 512 KB, 429 past the
    integration's limit, 503 with Retry-After past capacity."""
    call = await call_of(request)
    return response_of(call if isinstance(call, Answer) else await intake.alert(source, call))


@post(
    PD_PATHS,
    status_code=202,
    summary="PagerDuty Events API v2: trigger, acknowledge or resolve",
    tags=["webhooks"],
    opt=PAGERDUTY_OPT,
)
async def pagerduty_enqueue(request: Request, intake: NamedDependency[Intake]) -> Response[Any]:
    """PagerDuty's answers: 202 with the dedup key, 400 ``invalid event`` (an unknown
    routing key included), 429."""
    call = await call_of(request)
    return response_of(call if isinstance(call, Answer) else await intake.pagerduty(call))


def _service_of(integration_service: str, event: alert_payloads.PagerDutyChangeEvent) -> str:
    """The integration's service, else ``payload.custom_details.service``: PagerDuty routes a
    change by its key alone, and an integration without a service has nowhere else to go."""
    if integration_service:
        return integration_service
    details = (event.payload.custom_details if event.payload else None) or {}
    named = details.get("service")
    return named.strip() if isinstance(named, str) else ""


@post(
    "/v2/change/enqueue",
    status_code=202,
    summary="PagerDuty Events API v2: a change event (a deploy, a configuration push)",
    tags=["webhooks"],
    opt=PAGERDUTY_OPT,
)
async def pagerduty_change(
    request: Request, intake: NamedDependency[Intake], mesh: NamedDependency[Upstream]
) -> Response[Any]:
    """PagerDuty's answers: 202 once recorded, 400 ``invalid event`` (an unknown routing key
    included), 429."""
    call = await call_of(request)
    if isinstance(call, Answer):
        return response_of(call)
    received = await intake.pd_event(call, alert_payloads.decode_change)
    if isinstance(received, Answer):
        return response_of(received)
    integration, event = received
    assert event.payload is not None
    service = _service_of(integration.service, event)
    if not service:
        missing = "payload.custom_details.service: is required, the integration has no service"
        return response_of(pd_invalid([missing]))
    throttled = intake.pd_throttled(integration)
    if isinstance(throttled, Answer):
        return response_of(throttled)
    occurred = alert_payloads.parse_time(event.payload.timestamp, "payload.timestamp")
    record = RecordChange(
        id=new_event_id(),
        service_name=service,
        summary=event.payload.summary,
        source=event.payload.source,
        occurred_at=occurred or utcnow(),
        links=[ChangeLink(href=link.href, text=link.text) for link in event.links],
        custom_details=event.payload.custom_details or {},
        integration_id=integration.id,
    )
    await mesh.ask(record, ChangeView)
    set_rate_verdict(request.scope, throttled)
    return Response({"status": "success", "message": "Change event processed"}, status_code=202)
