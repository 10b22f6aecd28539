"""The transactional outbox and inbox against real PostgreSQL and JetStream."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
import pytest
from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.warroom import WARROOM_STREAM, DocumentCreated
from imas_runtime.bus import Bus
from imas_runtime.db import make_engine, with_database
from imas_runtime.outbox import OutboxRelay, claim, emit, inbox_table, outbox_table
from imas_testing import eventually

pytestmark = pytest.mark.integration


class Crash(Exception):
    pass


@pytest.fixture
async def tables(
    postgres_url: str, fresh_database: Callable[[str], Awaitable[str]]
) -> AsyncIterator[tuple[AsyncEngine, Table, Table]]:
    metadata = MetaData()
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    engine = make_engine(with_database(postgres_url, await fresh_database("outbox")))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine, outbox, inbox
    await engine.dispose()


@pytest.fixture
async def bus(nats_url: str) -> AsyncIterator[Bus]:
    bus = Bus("test", nats_url)
    await bus.connect()
    await bus.provision([WARROOM_STREAM])
    yield bus
    await bus.close()


def documents(incident_id: str, n: int) -> list[DocumentCreated]:
    return [
        DocumentCreated(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            incident_id=incident_id,
            document_id=str(i),
            title=f"INC-{i}",
            link=f"http://imas/lid/{i}",
        )
        for i in range(n)
    ]


async def stored_for(bus: Bus, incident_id: str) -> list[DocumentCreated]:
    """Every DocumentCreated in the stream for this incident, read from the start."""
    sub = await bus.js.subscribe(DocumentCreated.type_name(), ordered_consumer=True)
    found = []
    try:
        while True:
            msg = await sub.next_msg(timeout=0.5)
            event = msgspec.json.decode(msg.data, type=DocumentCreated)
            if event.incident_id == incident_id:
                found.append(event)
    except Exception:
        pass
    finally:
        await sub.unsubscribe()
    return found


async def pending(engine: AsyncEngine, outbox: Table) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(outbox.c.published_at.is_(None))
        return int((await conn.execute(query)).scalar_one())


async def test_relay_publishes_committed_events_in_order(
    tables: tuple[AsyncEngine, Table, Table], bus: Bus
) -> None:
    engine, outbox, _ = tables
    incident_id = str(uuid.uuid4())
    events = documents(incident_id, 50)
    async with engine.begin() as conn:
        await emit(conn, outbox, events)
    relay = OutboxRelay(engine, outbox, bus)
    assert await relay.relay_once() == 50
    assert await pending(engine, outbox) == 0
    assert [e.event_id for e in await stored_for(bus, incident_id)] == [e.event_id for e in events]


async def test_rolled_back_change_publishes_nothing(
    tables: tuple[AsyncEngine, Table, Table], bus: Bus
) -> None:
    engine, outbox, _ = tables
    incident_id = str(uuid.uuid4())
    with pytest.raises(Crash):
        async with engine.begin() as conn:
            await emit(conn, outbox, documents(incident_id, 3))
            raise Crash
    assert await OutboxRelay(engine, outbox, bus).relay_once() == 0
    assert await stored_for(bus, incident_id) == []


async def test_relay_crash_between_publish_and_mark_still_publishes_exactly_once(
    tables: tuple[AsyncEngine, Table, Table], bus: Bus
) -> None:
    engine, outbox, _ = tables
    incident_id = str(uuid.uuid4())
    events = documents(incident_id, 10)
    async with engine.begin() as conn:
        await emit(conn, outbox, events)

    async def crash(point: str) -> None:
        raise Crash(point)

    with pytest.raises(Crash):
        await OutboxRelay(engine, outbox, bus, failpoint=crash).relay_once()
    # The events reached JetStream but were never marked: all still pending.
    assert await pending(engine, outbox) == 10
    assert await OutboxRelay(engine, outbox, bus).relay_once() == 10
    assert await pending(engine, outbox) == 0
    stored = await stored_for(bus, incident_id)
    assert sorted(e.event_id for e in stored) == sorted(e.event_id for e in events)


async def test_running_relay_publishes_soon_after_being_woken(
    tables: tuple[AsyncEngine, Table, Table], bus: Bus
) -> None:
    engine, outbox, _ = tables
    relay = OutboxRelay(engine, outbox, bus, poll_interval=30)
    relay.start()
    try:
        incident_id = str(uuid.uuid4())
        async with engine.begin() as conn:
            await emit(conn, outbox, documents(incident_id, 1))
        relay.wake()

        async def published() -> None:
            assert len(await stored_for(bus, incident_id)) == 1

        await eventually(published, timeout=5)
    finally:
        await relay.stop()


async def test_inbox_claims_each_event_once_per_consumer(
    tables: tuple[AsyncEngine, Table, Table],
) -> None:
    engine, _, inbox = tables
    event_id = new_event_id()
    async with engine.begin() as conn:
        assert await claim(conn, inbox, "notifier--INCIDENTS", event_id)
        assert not await claim(conn, inbox, "notifier--INCIDENTS", event_id)
        assert await claim(conn, inbox, "warroom--INCIDENTS", event_id)
