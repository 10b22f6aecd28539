"""What alert webhooks go through, whichever way they came in (the lean ASGI path of
:mod:`imas_gateway.inbound.lean`, or the Litestar routes of :mod:`imas_gateway.inbound.webhooks`):
credentials checks through ingest (remembered, and forgotten on every gateway when an
integration changes), rate limits per integration (in memory, see
:mod:`imas_gateway.auth.shared_buckets`), shedding past capacity (see
:mod:`imas_gateway.inbound.overload`), and the durable hand-off of raw payloads to JetStream.

Each call is answered with an :class:`Answer`, errors included, so that both ways in answer
the same bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from nats.aio.msg import Msg

from imas_contracts import alert_payloads, new_event_id, utcnow
from imas_contracts.gateway import CredentialsChanged
from imas_contracts.ingest import (
    SOURCES,
    AlertReceived,
    AuthenticateWebhook,
    Integration,
    IntegrationReply,
    raw_alert_subject,
)
from imas_gateway.auth.ratelimit import Limit, Verdict
from imas_gateway.auth.shared_buckets import SharedBuckets
from imas_gateway.http.input_guard import nested_deeper_than
from imas_gateway.http.problems import STATUS_BY_CODE, problem_body
from imas_gateway.http.upstream import Upstream
from imas_gateway.inbound.overload import Overload
from imas_gateway.settings import GatewaySettings
from imas_runtime.bus import Bus, encode
from imas_runtime.errors import Invalid, RequestFailed, ServiceError
from imas_runtime.logs import get_logger

log = get_logger(__name__)

MAX_WEBHOOK_BYTES = 512 * 1024
PD_PATHS = ["/v2/enqueue", "/api/v1/webhooks/pagerduty/"]
# Sources of /api/v1/webhooks/<source>/ (PagerDuty and heartbeats have routes of their own).
ALERT_SOURCES = tuple(s for s in SOURCES if s not in ("pagerduty", "heartbeat"))
# PagerDuty's integration keys: 32 letters and digits (IMAS makes 32 hex characters).
ROUTING_KEY_LENGTH = 32
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
_encode = msgspec.json.Encoder().encode


class TooLarge(ServiceError):
    code = "too_large"


class Shed(ServiceError):
    """Past capacity: nothing was stored; try again after ``retry_after`` seconds."""

    code = "unavailable"
    retry_after = 1


@dataclass(frozen=True, slots=True)
class Call:
    """A webhook call: its body, its query parameters and its headers (names in lower case)."""

    body: bytes
    query: Mapping[str, str]
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a webhook call is answered: status, JSON body, media type, extra headers."""

    status: int
    body: bytes
    media_type: str = JSON
    headers: Mapping[str, str] = field(default_factory=dict)


def problem_answer(exc: ServiceError) -> Answer:
    """A refusal as the API answers it (problem details naming the field)."""
    status = STATUS_BY_CODE.get(exc.code, 500)
    headers: dict[str, str] = dict(getattr(exc, "headers", None) or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Token realm="imas"'
    if status == 503:
        headers["Retry-After"] = str(getattr(exc, "retry_after", 1))
    return Answer(status, problem_body(status, exc.message, exc.errors), PROBLEM_JSON, headers)


def too_large(length: int) -> ServiceError | None:
    """The 413 of a body of ``length`` bytes, when it is over the webhook limit."""
    if length > MAX_WEBHOOK_BYTES:
        return TooLarge.field("body", f"must be at most {MAX_WEBHOOK_BYTES} bytes")
    return None


def webhook_token(query: Mapping[str, str], headers: Mapping[str, str]) -> str:
    """The integration's token as webhooks send it: ``?token=``, ``X-IMAS-Token:``, or
    ``Authorization: Token …`` (or ``Bearer``)."""
    token = query.get("token") or headers.get("x-imas-token") or ""
    if not token:
        scheme, _, value = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() in ("token", "bearer"):
            token = value.strip()
    return token


def _check(source: str, call: Call) -> AuthenticateWebhook:
    integration = call.query.get("integration", "")
    signature = timestamp = ""
    if source == "sentry":
        signature = call.headers.get("sentry-hook-signature", "")
        timestamp = call.headers.get("sentry-hook-timestamp", "")
    elif source == "custom":
        signature = call.headers.get("x-imas-signature", "")
    if signature and integration:
        return AuthenticateWebhook(
            source=source,
            integration_id=integration,
            signature=signature,
            timestamp=timestamp,
            body=call.body,
        )
    return AuthenticateWebhook(source=source, token=webhook_token(call.query, call.headers))


def pd_answer(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> Answer:
    return Answer(status, _encode(body), JSON, headers or {})


def pd_invalid(errors: list[str]) -> Answer:
    """PagerDuty's answer to an event it refuses (a wrong routing key included): 400."""
    body = {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
    return pd_answer(400, body)


def routing_key_errors(routing_key: object) -> list[str]:
    """PagerDuty's words for a routing key that cannot be one (32 letters and digits)."""
    if not isinstance(routing_key, str) or not routing_key.strip():
        return ["'routing_key' is missing or blank"]
    errors = []
    if len(routing_key) != ROUTING_KEY_LENGTH:
        errors.append(
            f"Length of 'routing_key' is incorrect (should be {ROUTING_KEY_LENGTH} characters)"
        )
    if not (routing_key.isascii() and routing_key.isalnum()):
        errors.append("'routing_key' cannot contain non-alphanumeric characters.")
    return errors


class Intake:
    """Credentials checks (remembered), rate limits, shedding and the durable hand-off."""

    def __init__(
        self,
        mesh: Upstream,
        bus: Bus,
        settings: GatewaySettings,
        buckets: SharedBuckets,
        overload: Overload,
    ) -> None:
        self.mesh = mesh
        self.bus = bus
        self.settings = settings
        self.buckets = buckets
        self.overload = overload
        self.limit = Limit(capacity=int(settings.webhook_burst), per_second=settings.webhook_rate)
        self._auth: dict[str, tuple[float, IntegrationReply | RequestFailed]] = {}
        self._asking: dict[str, asyncio.Future[IntegrationReply | RequestFailed]] = {}

    # -- credentials --------------------------------------------------------------------------

    async def authenticate(self, check: AuthenticateWebhook) -> IntegrationReply:
        """Ask ingest; token verdicts are remembered (signed bodies are checked every time),
        and the calls that come while ingest is asked share its answer."""
        if not check.token:
            return await self.mesh.ask(check, IntegrationReply)
        key = hashlib.sha256(f"{check.source}\x1f{check.token}".encode()).hexdigest()
        loop = asyncio.get_running_loop()
        cached = self._auth.get(key)
        if cached is not None and cached[0] > loop.time():
            verdict = cached[1]
        elif key in self._asking:
            verdict = await asyncio.shield(self._asking[key])
        else:
            asking = self._asking[key] = loop.create_future()
            try:
                verdict = await self._ask(check)
                asking.set_result(verdict)
            except BaseException as exc:
                asking.set_exception(exc)
                asking.exception()  # retrieved: those who share it re-raise it themselves
                raise
            finally:
                del self._asking[key]
            if len(self._auth) > 10_000:
                self._auth.clear()
            expires = loop.time() + self.settings.webhook_auth_cache_seconds
            self._auth[key] = (expires, verdict)
        if isinstance(verdict, RequestFailed):
            raise verdict
        return verdict

    async def _ask(self, check: AuthenticateWebhook) -> IntegrationReply | RequestFailed:
        try:
            return await self.mesh.ask(check, IntegrationReply)
        except RequestFailed as exc:
            if exc.code != "unauthorized":
                raise
            return exc

    def forget(self, *integration_ids: str) -> None:
        """Drop the remembered verdicts of integrations that were changed or deleted, so that
        a new limit (or the removal) applies to the next webhook."""
        ids = set(integration_ids)
        for key, (_, verdict) in list(self._auth.items()):
            if isinstance(verdict, IntegrationReply) and verdict.integration.id in ids:
                del self._auth[key]

    async def changed(self, integration_id: str) -> None:
        """An integration was changed or deleted: forget it here, and tell the other gateways."""
        self.forget(integration_id)
        change = CredentialsChanged(
            event_id=new_event_id(), occurred_at=utcnow(), integration_ids=[integration_id]
        )
        try:
            await self.bus.nc.publish(CredentialsChanged.type_name(), encode(change))
        except Exception:
            # The others still forget within their cache lifetime; say so, go on.
            log.warning("integration change not broadcast", exc_info=True)

    async def listen(self) -> None:
        """Forget the integrations the other gateways say changed (core NATS, resubscribed by
        the client after a reconnection)."""
        decoder = msgspec.json.Decoder(CredentialsChanged)

        async def heard(msg: Msg) -> None:
            try:
                change = decoder.decode(msg.data)
            except msgspec.DecodeError:
                return
            if change.integration_ids:
                self.forget(*change.integration_ids)

        await self.bus.nc.subscribe(CredentialsChanged.type_name(), cb=heard)

    # -- limits -------------------------------------------------------------------------------

    def limit_of(self, integration: Integration) -> Limit:
        """The integration's own limit when it has one, else the gateway's default. It comes
        with the (remembered) credentials check: no extra request per webhook."""
        if integration.rate_limit is None:
            return self.limit
        burst = integration.rate_burst or max(1, math.ceil(integration.rate_limit))
        return Limit(capacity=burst, per_second=integration.rate_limit)

    def allow(self, integration: Integration) -> Verdict:
        """Spend one event of the integration's bucket (in memory, shared by the gateways)."""
        return self.buckets.hit(f"integration:{integration.id}", self.limit_of(integration))

    # -- the hand-off -------------------------------------------------------------------------

    async def accept(
        self, source: str, integration_id: str, body: bytes, dedup_key: str = ""
    ) -> str:
        """Write the raw payload to JetStream; return once it is stored."""
        event = AlertReceived(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            source=source,
            integration_id=integration_id,
            payload=body,
            dedup_key=dedup_key,
        )
        await self.bus.publish(event, subject=raw_alert_subject(source))
        return event.event_id

    # -- the webhooks -------------------------------------------------------------------------

    async def alert(self, source: str, call: Call) -> Answer:
        """``/api/v1/webhooks/<source>/``: 202 once the payload is durably queued; 401 without
        valid credentials (nothing is queued), 400 naming the field for an invalid body, 413
        above 512 KB, 429 past the integration's limit, 503 with Retry-After past capacity or
        when JetStream did not store it."""
        return await self._answering(self._alert(source, call))

    async def _alert(self, source: str, call: Call) -> Answer:
        if source not in ALERT_SOURCES:
            raise Invalid.field("source", f"must be one of {', '.join(SOURCES)}")
        self._check_body(call.body)
        self._admit(call.body, duplicate=False)
        integration = (await self.authenticate(_check(source, call))).integration
        try:
            alert_payloads.decode(source, call.body)
        except alert_payloads.PayloadError as exc:
            raise Invalid.field(exc.field, exc.message) from None
        seen = self._admit(call.body, duplicate=True, integration=integration.id)
        verdict = self.allow(integration)
        if not verdict.allowed:
            return self._rate_limited(verdict, "too many events for this integration")
        event_id = await self.accept(source, integration.id, call.body)
        seen()
        body = {"status": "accepted", "event_id": event_id, "integration": integration.id}
        return Answer(202, _encode(body), JSON, verdict.headers())

    async def pagerduty(self, call: Call) -> Answer:
        """PagerDuty's Events API v2: 202 with the dedup key, 400 ``invalid event`` (an
        unknown routing key included), 429; 503 with Retry-After past capacity."""
        return await self._answering(self._pagerduty(call))

    async def _pagerduty(self, call: Call) -> Answer:
        self._check_body(call.body)
        self._admit(call.body, duplicate=False)
        received = await self.pd_event(call, _alert_event)
        if isinstance(received, Answer):
            return received
        integration, event = received
        seen = self._admit(call.body, duplicate=True, integration=integration.id)
        throttled = self.pd_throttled(integration)
        if isinstance(throttled, Answer):
            return throttled
        dedup_key = event.dedup_key or new_event_id()
        await self.accept("pagerduty", integration.id, call.body, dedup_key=dedup_key)
        seen()
        body = {"status": "success", "message": "Event processed", "dedup_key": dedup_key}
        return pd_answer(202, body, throttled.headers())

    async def pd_event(
        self, call: Call, decode: Callable[[object], Any]
    ) -> tuple[Integration, Any] | Answer:
        """The integration and the event (``decode``d) of a PagerDuty call, or PagerDuty's
        400 answer naming what is wrong: a key no integration has is an "Invalid routing
        key", as PagerDuty says. The body's size and depth are checked already."""
        try:
            data = msgspec.json.decode(call.body)
        except msgspec.DecodeError:
            return pd_invalid(["body: must be valid JSON"])
        routing_key = data.get("routing_key") if isinstance(data, dict) else None
        errors = routing_key_errors(routing_key)
        if errors:
            return pd_invalid(errors)
        check = AuthenticateWebhook(source="pagerduty", token=str(routing_key))
        try:
            integration = (await self.authenticate(check)).integration
        except RequestFailed as exc:
            if exc.code != "unauthorized":
                raise
            return pd_invalid(["Invalid routing key"])
        try:
            return integration, decode(data)
        except alert_payloads.PayloadError as exc:
            return pd_invalid([f"{exc.field}: {exc.message}"])

    def pd_throttled(self, integration: Integration) -> Verdict | Answer:
        """PagerDuty's 429 when the integration spent its events, else the verdict (one event
        spent)."""
        verdict = self.allow(integration)
        if verdict.allowed:
            return verdict
        body = {"status": "throttle event", "message": "Requests for this service are throttled"}
        return pd_answer(429, body, verdict.headers())

    # -- shared steps -------------------------------------------------------------------------

    def _check_body(self, body: bytes) -> None:
        refused = too_large(len(body))
        if refused is not None:
            raise refused
        limit = self.settings.max_json_depth
        if nested_deeper_than(body, limit):
            raise Invalid.field("body", f"must not nest arrays and objects over {limit} deep")

    def _admit(self, body: bytes, *, duplicate: bool, integration: str = "") -> Callable[[], None]:
        """Refuse the call (503) when the gateway is past capacity: any call past the hard
        mark, a repeat of a payload accepted moments ago past the soft one. Answers what to
        call once the payload is stored (it is then one to repeat)."""
        if not duplicate:
            if self.overload.refuses(duplicate=False):
                raise Shed("the gateway is past capacity: nothing was stored, try again")
            return _nothing
        fingerprint = self.overload.fingerprint(integration, body)
        if self.overload.refuses(duplicate=self.overload.seen(fingerprint)):
            raise Shed(
                "the gateway is past capacity and this payload repeats one it just stored: "
                "nothing was stored, try again"
            )
        return lambda: self.overload.remember(fingerprint)

    @staticmethod
    def _rate_limited(verdict: Verdict, message: str) -> Answer:
        return Answer(429, problem_body(429, message, []), PROBLEM_JSON, verdict.headers())

    async def _answering(self, work: Awaitable[Answer]) -> Answer:
        """The answer of ``work``, its refusals as problem details; never raises."""
        with self.overload.in_hand():
            try:
                answer = await work
                if answer.status < 300:
                    self.overload.taken()
                return answer
            except ServiceError as exc:
                return problem_answer(exc)
            except Exception:
                log.exception("webhook failed")
                return Answer(500, problem_body(500, "internal error", []), PROBLEM_JSON)


def _nothing() -> None:
    return None


def _alert_event(data: object) -> alert_payloads.PagerDutyEvent:
    event = alert_payloads.decode("pagerduty", data)
    assert isinstance(event, alert_payloads.PagerDutyEvent)
    return event


__all__ = [
    "ALERT_SOURCES",
    "MAX_WEBHOOK_BYTES",
    "PD_PATHS",
    "Answer",
    "Call",
    "Intake",
    "Shed",
    "TooLarge",
    "pd_invalid",
    "problem_answer",
    "too_large",
    "webhook_token",
]
