"""Fixtures of the warroom tests: the service on real NATS / PostgreSQL / Redis, chat platforms
served by the local fakes, and a stand-in for the neighbours' directory (people, on-call)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from imas_contracts import Event, new_event_id
from imas_contracts.catalog import (
    CatalogEntries,
    ListCatalog,
    PersonEntry,
    Ref,
    ScopeEntry,
    TeamEntry,
)
from imas_contracts.escalation import OnCallLevel, OnCallReply, WhoIsOnCall
from imas_contracts.incidents import IncidentSnapshot, IncidentTriggered
from imas_runtime.bus import Bus
from imas_runtime.db import ensure_database
from imas_runtime.rpc import Endpoint, RpcServer
from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK, discard_database
from imas_warroom.app import create_runtime
from imas_warroom.settings import WarroomSettings

ALICE = PersonEntry(
    id="p-alice",
    name="Alice Martin",
    email="alice@example.com",
    chat_user_ids={"slack": "U0ALICE", "discord": "111"},
)
BOB = PersonEntry(
    id="p-bob", name="Bob Stone", email="bob@example.com", chat_user_ids={"slack": "U0BOB"}
)
CAROL = PersonEntry(
    id="p-carol",
    name="Carol Diaz",
    email="carol@example.com",
    chat_user_ids={"slack": "U0CAROL", "discord": "333"},
)
SRE = TeamEntry(id="t-sre", name="SRE Core", slug="sre-core")
# Legal's mandatory e-mail names Carol: she is invited when the scope is impacted.
LEGAL = ScopeEntry(id="sc-legal", name="Legal", mandatory_emails=["carol@example.com"])


class Clock:
    """The service's clock: real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Warroom:
    runtime: ServiceRuntime
    bus: Bus
    clock: Clock
    seen: dict[str, list[Any]] = field(default_factory=dict)

    async def publish(self, event: Event) -> None:
        await self.bus.publish(event)

    async def ask(self, request: Any, reply_type: Any) -> Any:
        return await self.bus.request(request, reply_type, timeout=10)


def incident(severity: str = "SEV1_CRITICAL", **changes: Any) -> IncidentSnapshot:
    key = uuid.uuid4()
    now = datetime.now(UTC)
    base = IncidentSnapshot(
        id=str(key),
        short_id=key.hex[:8].upper(),
        title="Redis Cluster Down",
        description="All nodes reporting connection timeout",
        service=Ref(id="s-redis", name="redis-prod"),
        team=Ref(id=SRE.id, name=SRE.name),
        severity=severity,  # type: ignore[arg-type]
        status="TRIGGERED",
        lead=ALICE.name,
        detected_at=now - timedelta(seconds=30),
        created_at=now,
        mttd_seconds=30.0,
    )
    return msgspec.structs.replace(base, **changes)


def triggered(snapshot: IncidentSnapshot) -> IncidentTriggered:
    return IncidentTriggered(
        event_id=new_event_id(), occurred_at=datetime.now(UTC), incident=snapshot
    )


async def _directory(bus: Bus) -> RpcServer:
    """Answers the two questions warroom asks its neighbours, as they would."""

    async def people(query: ListCatalog) -> CatalogEntries:
        if query.kind == "team":
            return CatalogEntries(
                kind="team", teams=[SRE] if query.id in (SRE.name, SRE.slug, SRE.id) else []
            )
        if query.kind == "scope":
            return CatalogEntries(kind="scope", scopes=[LEGAL] if query.id == LEGAL.id else [])
        return CatalogEntries(kind="person", people=[ALICE, BOB, CAROL])

    async def on_call(query: WhoIsOnCall) -> OnCallReply:
        level = OnCallLevel(step=0, delay_minutes=0, targets=[Ref(id=BOB.id, name=BOB.name)])
        return OnCallReply(at=datetime.now(UTC), team_id=query.team_id, levels=[level])

    server = RpcServer(bus, [Endpoint(ListCatalog, people), Endpoint(WhoIsOnCall, on_call)])
    await server.start("test-directory")
    return server


WarroomFactory = Callable[..., Awaitable[Warroom]]


@pytest.fixture(scope="module")
async def warroom_factory(
    nats_url: str, postgres_url: str, redis_url: str, test_run_id: str
) -> AsyncIterator[WarroomFactory]:
    """``await warroom_factory(chat="slack", slack_api_url=...)`` → a started service."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(*, directory: bool = True, **overrides: Any) -> Warroom:
            database = f"t_{test_run_id}_wr_{uuid.uuid4().hex[:6]}"
            await ensure_database(postgres_url, database)
            stack.callback(discard_database, postgres_url, database)
            settings = WarroomSettings(
                service="warroom",
                nats_url=nats_url,
                database_url=postgres_url,
                redis_url=redis_url,
                database=database,
                sync_interval=0.05,
                outbound_allow=LOOPBACK,
                public_url="http://imas.test",
                **overrides,
            )
            clock = Clock()
            runtime = create_runtime(settings, clock=clock)
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            bus = Bus("warroom-test", nats_url)
            await bus.connect()
            stack.push_async_callback(bus.close)
            if directory:
                server = await _directory(bus)
                stack.push_async_callback(server.stop)
            return Warroom(runtime=runtime, bus=bus, clock=clock)

        yield make
