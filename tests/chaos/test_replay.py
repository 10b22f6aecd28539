"""Every stream replayed from the start into fresh consumers leaves the state as it was: each
consumer's inbox recognises the events it already handled, and nobody is paged again.

ALERTS is the exception by design: a work queue, it holds a raw payload only until ingest
handled it (its count and record are then in PostgreSQL), so once the load is handled there is
nothing of it left to replay; redeliveries of payloads not yet handled are what ingest's inbox
and storm marks guard against (tests/integration/test_redis_loss.py, the kill tests)."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
import pytest

from imas_testing import eventually
from tests.chaos.conftest import SCALE, SERVICES, START_TIMEOUT, ChaosMesh
from tests.chaos.scenario import new_scenario
from tests.chaos.verdict import STEADY, check

pytestmark = pytest.mark.chaos

# Every service but the gateway consumes streams (the gateway only publishes webhooks).
CONSUMING = tuple(s for s in SERVICES if s != "gateway")
# Bookkeeping that may legitimately change on a replay: the inbox of processed event ids and
# the outbox; liveness rows.
SKIPPED = ("inbox", "outbox", "alembic", "heartbeat")


async def consumers(mesh: ChaosMesh) -> dict[tuple[str, str], Any]:
    """(stream, durable) → consumer info, for every durable consumer of every stream."""
    nc = await nats.connect(mesh.nats.url)
    try:
        js = nc.jetstream()
        found = {}
        for stream in await js.streams_info():
            for info in await js.consumers_info(stream.config.name):
                found[(stream.config.name, info.name)] = info
        return found
    finally:
        await nc.close()


async def stored(mesh: ChaosMesh, stream: str) -> int:
    """Messages ``stream`` holds now."""
    nc = await nats.connect(mesh.nats.url)
    try:
        return int((await nc.jetstream().stream_info(stream)).state.messages)
    finally:
        await nc.close()


async def caught_up(mesh: ChaosMesh) -> None:
    pending = {
        key: (info.num_pending, info.num_ack_pending)
        for key, info in (await consumers(mesh)).items()
        if info.num_pending or info.num_ack_pending
    }
    assert pending == {}, f"consumers still working: {pending}"


async def snapshot(mesh: ChaosMesh) -> dict[str, Any]:
    """What a user could see: every incident with its count, status and timeline; every page;
    and the number of rows in every table of every service."""
    state: dict[str, Any] = {
        "incidents": [
            tuple(r)
            for r in await mesh.fetch(
                "incidents",
                "SELECT id::text, status, alert_count, lid_link, war_room_link FROM incidents"
                " ORDER BY id",
            )
        ],
        "timeline": [
            tuple(r)
            for r in await mesh.fetch(
                "incidents",
                "SELECT incident_id::text, type, count(*) FROM timeline_events"
                " GROUP BY 1, 2 ORDER BY 1, 2",
            )
        ],
        "pages": [
            tuple(r)
            for r in await mesh.fetch(
                "notifier",
                "SELECT incident_id::text, recipient, status, count(*) FROM deliveries"
                " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            )
        ],
    }
    for service in SERVICES:
        tables = await mesh.fetch(
            service,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        )
        for (table,) in tables:
            if not any(word in table for word in SKIPPED):
                rows = await mesh.fetch(service, f'SELECT count(*) FROM "{table}"')
                state[f"{service}.{table}"] = rows[0][0]
    return state


async def quiet_snapshot(mesh: ChaosMesh) -> dict[str, Any]:
    """A snapshot once every consumer has caught up and two reads a moment apart agree."""

    async def stable() -> dict[str, Any]:
        await caught_up(mesh)
        first = await snapshot(mesh)
        await asyncio.sleep(1)
        await caught_up(mesh)
        assert await snapshot(mesh) == first
        return first

    return await eventually(stable, timeout=90, interval=0.5)


async def test_replaying_every_stream_into_fresh_consumers_changes_nothing(
    mesh: ChaosMesh,
) -> None:
    scenario = await new_scenario(mesh, "replay")
    sent = await scenario.send(40, rate=SCALE.rate)
    await check(scenario, sent, duplicates=STEADY)
    before = await quiet_snapshot(mesh)
    assert before["incidents"], "nothing to replay"
    assert await stored(mesh, "ALERTS") == 0, "ALERTS keeps payloads ingest already handled"
    pages_before = len(mesh.sink.arrivals)

    for service in CONSUMING:
        mesh.processes[service].kill()
    nc = await nats.connect(mesh.nats.url)
    try:
        js = nc.jetstream()
        durables = list(await consumers(mesh))
        for stream, durable in durables:
            await js.delete_consumer(stream, durable)
    finally:
        await nc.close()
    assert await consumers(mesh) == {}
    for service in CONSUMING:
        mesh.processes[service].start()
    await asyncio.gather(*(mesh.processes[s].wait_ready(timeout=START_TIMEOUT) for s in CONSUMING))

    # The services recreated their consumers, which delivered every stream from its start.
    assert set(await consumers(mesh)) == set(durables)
    after = await quiet_snapshot(mesh)
    assert after == before
    # Nobody was paged again.
    ours = {rows[0]["id"] for rows in (await scenario.incidents()).values()}
    assert [a for a in mesh.sink.arrivals[pages_before:] if a.incident_id in ours] == []
