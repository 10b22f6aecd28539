"""The demo catalog: a few teams, services and impact scopes to try IMAS with."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from imas_contracts import Message, Request
from imas_contracts.incidents import (
    ApplyCatalog,
    CatalogApplied,
    ScopeSpec,
    ServiceSpec,
    TeamSpec,
)
from imas_runtime.bus import Bus
from imas_runtime.errors import RequestFailed, Unavailable

DEMO_CATALOG = ApplyCatalog(
    teams=[
        TeamSpec(name="SRE Core", slack_channel="#sre-core", email="sre@example.com"),
        TeamSpec(name="Backend Payment", slack_channel="#backend-payment"),
        TeamSpec(name="Platform"),
    ],
    services=[
        ServiceSpec(name="redis-prod", team="SRE Core", description="Production Redis cluster"),
        ServiceSpec(name="checkout-api", team="Backend Payment", description="Checkout API"),
        ServiceSpec(
            name="postgres-prod", team="SRE Core", description="Production PostgreSQL cluster"
        ),
        ServiceSpec(name="api-gateway", team="Platform", description="Public API gateway"),
        # Alerts naming a service the catalog does not know land here (INGEST_TRIAGE_SERVICE).
        ServiceSpec(name="triage", team="SRE Core", description="Alerts to sort out"),
    ],
    scopes=[
        ScopeSpec(name="Security", mandatory_emails=["ciso@example.com", "security@example.com"]),
        ScopeSpec(name="Legal", mandatory_emails=["dpo@example.com"]),
    ],
)

R = TypeVar("R", bound=Message)

# Refusals worth retrying: the incidents service is up but not ready to answer yet.
_RETRYABLE_CODES = frozenset({"unavailable"})


async def load_demo(
    nats_url: str,
    *,
    deadline: float = 60.0,
    catalog: ApplyCatalog = DEMO_CATALOG,
) -> CatalogApplied:
    """Apply the demo catalog (see :func:`send_catalog`)."""
    return await send_catalog(nats_url, catalog, deadline=deadline)


async def send_catalog(
    nats_url: str, catalog: ApplyCatalog, *, deadline: float = 60.0
) -> CatalogApplied:
    """Apply ``catalog`` through the incidents service, retrying until it answers.

    Applying is idempotent: entities are matched by name, so loading twice changes nothing.
    Raises :class:`TimeoutError` when the service has not answered within ``deadline`` seconds,
    and :class:`RequestFailed` when it refuses the catalog.
    """
    return await send(
        nats_url,
        catalog,
        CatalogApplied,
        deadline=deadline,
        service="incidents",
        what="the catalog",
    )


async def send(
    nats_url: str,
    request: Request,
    reply_type: type[R],
    *,
    deadline: float,
    service: str,
    what: str,
) -> R:
    """Send ``request`` over NATS request/reply, retrying until ``service`` answers (see
    :func:`send_catalog`); ``what`` names the request in the timeout message."""
    loop = asyncio.get_running_loop()
    until = loop.time() + deadline
    bus = Bus("cli", nats_url)
    try:
        # The client retries an unreachable server forever: bound the whole connection attempt.
        await asyncio.wait_for(bus.connect(connect_timeout=deadline), deadline)
    except (TimeoutError, OSError) as exc:
        raise TimeoutError(f"NATS at {nats_url} did not answer within {deadline:.0f}s") from exc
    try:
        last_error = "no answer"
        while True:
            remaining = until - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"the {service} service did not accept {what} within {deadline:.0f}s "
                    f"({last_error})"
                )
            try:
                return await bus.request(request, reply_type, timeout=min(5.0, remaining))
            except Unavailable as exc:
                last_error = exc.message
            except RequestFailed as exc:
                if exc.code not in _RETRYABLE_CODES:
                    raise
                last_error = exc.message
            await asyncio.sleep(min(1.0, max(0.0, until - loop.time())))
    finally:
        await bus.close()
