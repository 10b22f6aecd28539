"""Fixtures for cross-service tests: the mesh in one process, traced into memory."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from litestar import Litestar
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from imas_cli.demo import DEMO_CATALOG
from imas_contracts.incidents import CatalogApplied
from imas_escalation.app import create_runtime as create_escalation
from imas_escalation.settings import EscalationSettings
from imas_gateway.app import create_app as create_gateway
from imas_gateway.settings import GatewaySettings
from imas_incidents.app import create_runtime as create_incidents
from imas_incidents.settings import IncidentsSettings
from imas_ingest.app import create_runtime as create_ingest
from imas_ingest.settings import IngestSettings
from imas_notifier.app import create_runtime as create_notifier
from imas_notifier.settings import NotifierSettings
from imas_runtime.service import ServiceRuntime

_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every span finished in this process, kept in memory (cleared per test by callers)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    return _EXPORTER


@dataclass
class Mesh:
    client: httpx.AsyncClient
    token: str
    incidents: ServiceRuntime
    ingest: ServiceRuntime
    notifier: ServiceRuntime
    nats_url: str
    gateway: Litestar

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


@pytest.fixture
async def mesh(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    spans: InMemorySpanExporter,
) -> AsyncIterator[Mesh]:
    """Gateway, ingest, incidents and notifier on real NATS, PostgreSQL and Redis, with the
    demo catalog loaded and an admin token."""
    # A NATS of its own: consumers created here replay their streams from the start.
    nats_url = fresh_nats_url
    common = {"nats_url": nats_url, "database_url": postgres_url, "redis_url": redis_url}
    incidents = create_incidents(
        IncidentsSettings(service="incidents", database=await fresh_database("inc"), **common)
    )
    ingest = create_ingest(
        IngestSettings(service="ingest", database=await fresh_database("ing"), **common)
    )
    notifier = create_notifier(
        NotifierSettings(
            service="notifier", database=await fresh_database("ntf"), retry_interval=0.2, **common
        )
    )
    token = secrets.token_urlsafe(32)
    gateway = create_gateway(
        GatewaySettings(
            service="gateway",
            database=await fresh_database("gw"),
            bootstrap_admin_token=token,
            **common,
        )
    )
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (incidents, ingest, notifier, gateway.state.runtime):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        await incidents.bus.request(DEMO_CATALOG, CatalogApplied)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://imas")
        )
        spans.clear()
        yield Mesh(
            client=client,
            token=token,
            incidents=incidents,
            ingest=ingest,
            notifier=notifier,
            nats_url=nats_url,
            gateway=gateway,
        )


@pytest.fixture
async def escalation(
    mesh: Mesh,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    """The escalation service beside the mesh, for tests of on-call and escalation."""
    runtime = create_escalation(
        EscalationSettings(
            service="escalation",
            nats_url=mesh.nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=await fresh_database("esc"),
        )
    )
    await runtime.start()
    yield runtime
    await runtime.stop()
