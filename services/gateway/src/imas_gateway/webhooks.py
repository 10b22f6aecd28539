"""Alert webhooks (PagerDuty Events API v2, Alertmanager, Grafana, Datadog, Sentry, custom),
integrations, alert rules, silences and alert outcomes over HTTP.

A webhook is authenticated (ingest checks the integration's secret; answers are cached a few
seconds), its body checked against the source's schema, then written to JetStream
(``alerts.raw.<source>``) and answered 202 once JetStream acknowledged it: durable before
acknowledged. Ingest processes it asynchronously.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency, Provide

from imas_contracts import alert_payloads, new_event_id
from imas_contracts.ingest import (
    SOURCES,
    AuthenticateWebhook,
)
from imas_gateway.alert_config_routes import (
    AlertController,
    AlertRuleController,
    IntegrationController,
    SilenceController,
)
from imas_gateway.auth import PUBLIC, RATE_VERDICT, role
from imas_gateway.problems import RateLimited
from imas_gateway.webhook_core import (
    MAX_WEBHOOK_BYTES,
    PD_PATHS,
    TooLarge,
    Webhooks,
    webhooks,
)
from imas_runtime.errors import Invalid, ServiceError

# Alert sources prove themselves with the integration's secret or signature; each alert is
# recorded by ingest, so webhooks stay out of the audit log.
WEBHOOK_OPT = role(PUBLIC, audit=False)
# PagerDuty's own answers for invalid and throttled events.
PAGERDUTY_OPT = role(PUBLIC, audit=False, own_errors=True)


async def _body(request: Request[Any, Any, Any]) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_WEBHOOK_BYTES:
        raise TooLarge.field("body", f"must be at most {MAX_WEBHOOK_BYTES} bytes")
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise TooLarge.field("body", f"must be at most {MAX_WEBHOOK_BYTES} bytes")
    return body


def _token(request: Request[Any, Any, Any]) -> str:
    token = request.query_params.get("token") or request.headers.get("x-imas-token") or ""
    if not token:
        auth = request.headers.get("authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() in ("token", "bearer"):
            token = value.strip()
    return token


def _check(source: str, request: Request[Any, Any, Any], body: bytes) -> AuthenticateWebhook:
    integration = request.query_params.get("integration", "")
    signature = ""
    timestamp = ""
    if source == "sentry":
        signature = request.headers.get("sentry-hook-signature", "")
        timestamp = request.headers.get("sentry-hook-timestamp", "")
    elif source == "custom":
        signature = request.headers.get("x-imas-signature", "")
    token = _token(request)
    if signature and integration:
        return AuthenticateWebhook(
            source=source,
            integration_id=integration,
            signature=signature,
            timestamp=timestamp,
            body=body,
        )
    return AuthenticateWebhook(source=source, token=token)


def _invalid(exc: alert_payloads.PayloadError) -> ServiceError:
    return Invalid.field(exc.field, exc.message)


@post(
    "/api/v1/webhooks/{source:str}/",
    status_code=202,
    summary="Receive an alert webhook (alertmanager, grafana, datadog, sentry, custom)",
    tags=["webhooks"],
    dependencies={"hooks": Provide(webhooks, sync_to_thread=False)},
    opt=WEBHOOK_OPT,
)
async def receive_webhook(
    request: Request[Any, Any, Any], source: str, hooks: NamedDependency[Webhooks]
) -> dict[str, object]:
    """202 once the payload is durably queued; 401 without valid credentials (nothing is
    queued), 400 naming the field for an invalid body, 413 above 512 KB."""
    if source not in SOURCES or source == "pagerduty":
        raise Invalid.field("source", f"must be one of {', '.join(SOURCES)}")
    body = await _body(request)
    integration = (await hooks.authenticate(_check(source, request, body))).integration
    try:
        alert_payloads.decode(source, body)
    except alert_payloads.PayloadError as exc:
        raise _invalid(exc) from None
    verdict = await hooks.allow(integration)
    request.scope[RATE_VERDICT] = verdict  # type: ignore[literal-required]
    if not verdict.allowed:
        raise RateLimited("too many events for this integration", verdict.headers())
    event_id = await hooks.accept(source, integration.id, body)
    return {"status": "accepted", "event_id": event_id, "integration": integration.id}


def _pd_invalid(message: str, errors: list[str], status: int = 400) -> Response[Any]:
    return Response(
        {"status": "invalid event", "message": message, "errors": errors}, status_code=status
    )


@post(
    PD_PATHS,
    status_code=202,
    summary="PagerDuty Events API v2: trigger, acknowledge or resolve",
    tags=["webhooks"],
    dependencies={"hooks": Provide(webhooks, sync_to_thread=False)},
    opt=PAGERDUTY_OPT,
)
async def pagerduty_enqueue(
    request: Request[Any, Any, Any], hooks: NamedDependency[Webhooks]
) -> Response[Any]:
    """PagerDuty's answers: 202 with the dedup key, 400 ``invalid event``, 429, 401."""
    body = await _body(request)
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return _pd_invalid("Event object is invalid", ["body: must be valid JSON"])
    routing_key = data.get("routing_key") if isinstance(data, dict) else None
    if not isinstance(routing_key, str) or not routing_key:
        return _pd_invalid("Event object is invalid", ["'routing_key' is missing or blank"])
    integration = (
        await hooks.authenticate(AuthenticateWebhook(source="pagerduty", token=routing_key))
    ).integration
    try:
        event = alert_payloads.decode("pagerduty", data)
    except alert_payloads.PayloadError as exc:
        return _pd_invalid("Event object is invalid", [f"{exc.field}: {exc.message}"])
    assert isinstance(event, alert_payloads.PagerDutyEvent)
    verdict = await hooks.allow(integration)
    request.scope[RATE_VERDICT] = verdict  # type: ignore[literal-required]
    if not verdict.allowed:
        return Response(
            {"status": "throttle event", "message": "Requests for this service are throttled"},
            status_code=429,
            headers=verdict.headers(),
        )
    dedup_key = event.dedup_key or new_event_id()
    await hooks.accept("pagerduty", integration.id, body, dedup_key=dedup_key)
    return Response(
        {"status": "success", "message": "Event processed", "dedup_key": dedup_key},
        status_code=202,
    )


WEBHOOK_ROUTES: list[Any] = [
    pagerduty_enqueue,
    receive_webhook,
    IntegrationController,
    AlertRuleController,
    SilenceController,
    AlertController,
]

__all__ = ["WEBHOOK_ROUTES", "Webhooks"]
