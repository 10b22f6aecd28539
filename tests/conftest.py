"""Fixtures for cross-service tests: the mesh in one process, traced into memory."""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from imas_cli.demo import DEMO_CATALOG, DEMO_PROVIDER
from imas_contracts.incidents import CatalogApplied
from imas_contracts.notifier import ProviderView
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
from imas_runtime.db import ensure_database
from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK, discard_database
from imas_testing.fake_chat import Channel, FakeSlack
from imas_warroom.app import create_runtime as create_warroom
from imas_warroom.settings import WarroomSettings


@dataclass
class Intake:
    """Gateway, ingest and incidents in this process: the path of webhooks and API alerts."""

    client: httpx.AsyncClient
    token: str
    incidents: ServiceRuntime
    ingest: ServiceRuntime
    gateway: Litestar

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    async def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``path`` as the admin; the created resource (a 201 is asserted)."""
        answer = await self.client.post(path, headers=self.auth, json=body)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    async def call(self, method: str, url: str, **kwargs: Any) -> Any:
        """An API call as the admin: its JSON answer (None when empty), asserting it is not
        an error."""
        answer = await self.client.request(method, url, headers=self.auth, **kwargs)
        assert answer.status_code < 400, answer.text
        return answer.json() if answer.content else None


@dataclass
class Mesh(Intake):
    """The intake plus the notifier, and what a test needs to reach them."""

    notifier: ServiceRuntime
    nats_url: str


@contextlib.asynccontextmanager
async def running_mesh(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Mesh]:
    """Gateway, ingest, incidents and notifier on ``nats_url``, each on a database that
    ``database(label)`` makes, with the demo catalog, an admin token and the demo's ``log``
    provider."""
    common = {"nats_url": nats_url, "database_url": postgres_url, "redis_url": redis_url}
    incidents = create_incidents(
        IncidentsSettings(service="incidents", database=await database("inc"), **common)
    )
    ingest = create_ingest(
        IngestSettings(service="ingest", database=await database("ing"), **common)
    )
    notifier = create_notifier(
        NotifierSettings(
            service="notifier",
            database=await database("ntf"),
            retry_interval=0.2,
            outbound_allow=LOOPBACK,
            **common,
        )
    )
    token = secrets.token_urlsafe(32)
    gateway = create_gateway(
        GatewaySettings(
            service="gateway",
            database=await database("gw"),
            bootstrap_admin_token=token,
            **common,
        )
    )
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (incidents, ingest, notifier, gateway.state.runtime):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        await incidents.bus.request(DEMO_CATALOG, CatalogApplied)
        await notifier.bus.request(DEMO_PROVIDER, ProviderView)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://imas")
        )
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
async def mesh(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    spans: InMemorySpanExporter,
) -> AsyncIterator[Mesh]:
    """Gateway, ingest, incidents and notifier on real NATS, PostgreSQL and Redis, with the
    demo catalog loaded, an admin token, and the demo's ``log`` provider (pages are printed,
    and ``sent``, as with ``make run``; a test of what happens without providers deletes it)."""
    # A NATS of its own: consumers created here replay their streams from the start.
    async with running_mesh(fresh_nats_url, postgres_url, redis_url, fresh_database) as started:
        spans.clear()
        yield started


@contextlib.asynccontextmanager
async def intake(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    *,
    label: str,
    common: dict[str, Any] | None = None,
    **ingest: Any,
) -> AsyncIterator[Intake]:
    """Start an :class:`Intake` (settings of all three from ``common``, ingest's own from
    ``ingest``) with the demo catalog, on databases of its own, dropped afterwards."""
    common = {
        "nats_url": nats_url,
        "database_url": postgres_url,
        "redis_url": redis_url,
        **(common or {}),
    }
    run = uuid.uuid4().hex[:6]
    names = {k: f"t_{label}_{run}_{k}" for k in ("inc", "ing", "gw")}
    for name in names.values():
        await ensure_database(postgres_url, name)
    token = secrets.token_urlsafe(32)
    incidents = create_incidents(
        IncidentsSettings(service="incidents", database=names["inc"], **common)
    )
    ingest_runtime = create_ingest(
        IngestSettings(service="ingest", database=names["ing"], **common, **ingest)
    )
    gateway = create_gateway(
        GatewaySettings(
            service="gateway", database=names["gw"], bootstrap_admin_token=token, **common
        )
    )
    try:
        async with contextlib.AsyncExitStack() as stack:
            for runtime in (incidents, ingest_runtime, gateway.state.runtime):
                await runtime.start()
                stack.push_async_callback(runtime.stop)
            await incidents.bus.request(DEMO_CATALOG, CatalogApplied)
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=gateway), base_url="http://imas"
                )
            )
            yield Intake(client, token, incidents, ingest_runtime, gateway)
    finally:
        for name in names.values():
            discard_database(postgres_url, name)


@contextlib.asynccontextmanager
async def escalation_beside(
    mesh: Mesh, postgres_url: str, redis_url: str, database: str, **settings: Any
) -> AsyncIterator[ServiceRuntime]:
    """A started escalation service beside the mesh (``settings`` as ``EscalationSettings``)."""
    runtime = create_escalation(
        EscalationSettings(
            service="escalation",
            nats_url=mesh.nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=database,
            **settings,
        )
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


@pytest.fixture
async def escalation(
    request: pytest.FixtureRequest,
    mesh: Mesh,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    """The escalation service beside the mesh, for tests of on-call and escalation; a test
    parametrizes it (``indirect``) with settings of its own."""
    database = await fresh_database("esc")
    settings = getattr(request, "param", {})
    async with escalation_beside(mesh, postgres_url, redis_url, database, **settings) as runtime:
        yield runtime


@contextlib.asynccontextmanager
async def warroom_beside(
    mesh: Mesh, postgres_url: str, redis_url: str, database: str, **settings: Any
) -> AsyncIterator[ServiceRuntime]:
    """A started warroom service beside the mesh (``settings`` as ``WarroomSettings``)."""
    runtime = create_warroom(
        WarroomSettings(
            service="warroom",
            nats_url=mesh.nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=database,
            **settings,
        )
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


@pytest.fixture
async def warroom(
    mesh: Mesh,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    """The war room beside the mesh: LIDs and runbooks, rooms printed (``chat=log``, the
    demo's choice)."""
    database = await fresh_database("wr")
    async with warroom_beside(mesh, postgres_url, redis_url, database, chat="log") as runtime:
        yield runtime


@pytest.fixture
async def slack(mesh: Mesh) -> AsyncIterator[FakeSlack]:
    """The mesh paging through a local Slack (a server implementing Slack's Web API) only:
    the demo's ``log`` provider is deleted. The demo's SRE Core team is #sre-core."""
    async with FakeSlack(token="xoxb-mesh") as server:
        server.channels["C0SRE"] = Channel(id="C0SRE", name="sre-core")
        await mesh.call("DELETE", "/api/v1/notification-providers/log/")
        await mesh.call(
            "POST",
            "/api/v1/notification-providers/",
            json={"name": "slack", "kind": "slack", "config": {"base_url": server.url},
                  "secrets": {"bot_token": "xoxb-mesh"}},
        )  # fmt: skip
        yield server  # type: ignore[misc]
