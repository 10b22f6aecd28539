"""What the webhook routes share: credentials checks through ingest (cached briefly), rate
limits per integration, and the durable hand-off of raw payloads to JetStream."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from litestar import Request

from imas_contracts import new_event_id, utcnow
from imas_contracts.ingest import (
    AlertReceived,
    AuthenticateWebhook,
    Integration,
    IntegrationReply,
    raw_alert_subject,
)
from imas_gateway.ratelimit import Limit, RateLimiter, Verdict
from imas_gateway.settings import GatewaySettings
from imas_runtime.bus import Bus
from imas_runtime.errors import RequestFailed, ServiceError

MAX_WEBHOOK_BYTES = 512 * 1024
PD_PATHS = ["/v2/enqueue", "/api/v1/webhooks/pagerduty/"]


class TooLarge(ServiceError):
    code = "too_large"


class Webhooks:
    """Credentials checks (cached), rate limits and the durable hand-off to JetStream."""

    def __init__(self, bus: Bus, settings: GatewaySettings, limiter: RateLimiter) -> None:
        self.bus = bus
        self.settings = settings
        self.limiter = limiter
        self.limit = Limit(capacity=int(settings.webhook_burst), per_second=settings.webhook_rate)
        self._auth: dict[str, tuple[float, IntegrationReply | RequestFailed]] = {}

    async def request(self, message: Any, reply_type: type[Any]) -> Any:
        return await self.bus.request(message, reply_type, timeout=self.settings.upstream_timeout)

    async def authenticate(self, check: AuthenticateWebhook) -> IntegrationReply:
        """Ask ingest; token verdicts are cached (signed bodies are checked every time)."""
        cache_key = ""
        if check.token:
            cache_key = hashlib.sha256(f"{check.source}\x1f{check.token}".encode()).hexdigest()
            cached = self._auth.get(cache_key)
            if cached is not None and cached[0] > time.monotonic():
                if isinstance(cached[1], RequestFailed):
                    raise cached[1]
                return cached[1]
        try:
            verdict: IntegrationReply | RequestFailed = await self.request(check, IntegrationReply)
        except RequestFailed as exc:
            if exc.code != "unauthorized":
                raise
            verdict = exc
        if cache_key:
            if len(self._auth) > 10_000:
                self._auth.clear()
            expires = time.monotonic() + self.settings.webhook_auth_cache_seconds
            self._auth[cache_key] = (expires, verdict)
        if isinstance(verdict, RequestFailed):
            raise verdict
        return verdict

    def forget(self, integration_id: str) -> None:
        """Drop the cached verdicts of an integration that was just changed or deleted, so
        that its new limit (or its removal) applies to the next webhook."""
        for key, (_, verdict) in list(self._auth.items()):
            if isinstance(verdict, IntegrationReply) and verdict.integration.id == integration_id:
                del self._auth[key]

    def limit_of(self, integration: Integration) -> Limit:
        """The integration's own limit when it has one, else the gateway's default. It comes
        with the (cached) credentials check: no extra request per webhook."""
        if integration.rate_limit is None:
            return self.limit
        burst = integration.rate_burst or max(1, math.ceil(integration.rate_limit))
        return Limit(capacity=burst, per_second=integration.rate_limit)

    async def allow(self, integration: Integration) -> Verdict:
        """Spend one event of the integration's bucket (shared by every gateway, in Redis)."""
        return await self.limiter.hit(f"integration:{integration.id}", self.limit_of(integration))

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


def webhooks(request: Request[Any, Any, Any]) -> Webhooks:
    found: Webhooks = request.app.state.webhooks
    return found
