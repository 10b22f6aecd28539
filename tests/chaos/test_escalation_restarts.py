"""Escalation timers through restarts: the escalation service killed (SIGKILL) and started
again; NATS killed and started again, PostgreSQL stopped and started again (both full suite
only). The steps of running escalations that fall due during or after
the outage each fire exactly once, no later than a few seconds after the recovery, and each of
their pages is delivered once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from imas_contracts.escalation import PolicySpec, PolicyStep, PolicyView, PutPolicy, StepTarget
from imas_contracts.incidents import ApplyCatalog, CatalogApplied, ServiceSpec, TeamSpec
from imas_runtime.bus import Bus
from imas_testing import eventually
from tests.chaos.conftest import FULL, START_TIMEOUT, ChaosMesh

pytestmark = pytest.mark.chaos

INCIDENTS = 50 if FULL else 10
# Seconds after each incident's creation its policy's steps are due: the first at once, the
# next during the outage, the others after it (or during a slow recovery).
STEP_SECONDS = (0, 4, 8, 12, 16)
DOWNTIME = 4.0  # seconds the server or the service stays down
# How long after its due time, or after the recovery when that is later, a step may fire.
LATE = timedelta(seconds=3)

Outage = Callable[[], Awaitable[None]]


async def own_team_and_policy(mesh: ChaosMesh) -> tuple[str, str]:
    """A team and a service no other test pages, and a policy paging the team's channel at
    each of ``STEP_SECONDS``: (service name, team id)."""
    suffix = uuid.uuid4().hex[:6]
    team, service = f"Escalation {suffix}", f"escalated-{suffix}"
    bus = Bus("chaos-escalation", mesh.nats.url)
    await bus.connect()
    try:
        await bus.request(
            ApplyCatalog(
                teams=[TeamSpec(name=team, slack_channel=f"#esc-{suffix}")],
                services=[ServiceSpec(name=service, team=team)],
            ),
            CatalogApplied,
        )
        rows = await mesh.fetch(
            "incidents", "SELECT id::text AS id FROM teams WHERE name = $1", team
        )
        team_id = rows[0]["id"]
        steps = [
            PolicyStep(delay_minutes=s / 60, targets=[StepTarget(kind="team")], channels=["slack"])
            for s in STEP_SECONDS
        ]
        policy = PolicySpec(team_id=team_id, name="Every few seconds", steps=steps)
        await bus.request(PutPolicy(policy=policy), PolicyView)
    finally:
        await bus.close()
    return service, team_id


async def open_incidents(mesh: ChaosMesh, service: str) -> list[str]:
    async with httpx.AsyncClient(base_url=mesh.gateway, headers=mesh.auth, timeout=30) as client:
        ids = []
        for i in range(INCIDENTS):
            response = await client.post(
                "/api/v1/incidents/",
                json={
                    "title": f"Queue stuck {i}",
                    "service_name": service,
                    "severity": "SEV2_HIGH",
                    "dedup_key": f"queue-{i}",
                },
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    return ids


async def timers_of(mesh: ChaosMesh, incident_ids: list[str]) -> list[asyncpg.Record]:
    return await mesh.fetch(
        "escalation",
        "SELECT r.id AS run_id, t.step, t.status, t.due_at, t.fired_at FROM timers t"
        " JOIN runs r ON r.id = t.run_id WHERE r.incident_id = ANY($1::uuid[])",
        incident_ids,
    )


async def steps_fire_once_through(mesh: ChaosMesh, outage: Outage) -> None:
    service, _ = await own_team_and_policy(mesh)
    ids = await open_incidents(mesh, service)
    expected = INCIDENTS * len(STEP_SECONDS)

    async def first_steps_fired() -> None:
        timers = await timers_of(mesh, ids)
        assert len(timers) == expected
        assert sum(t["status"] == "fired" for t in timers) >= INCIDENTS

    await eventually(first_steps_fired, timeout=30, interval=0.1)
    down_at = datetime.now(UTC)
    await outage()
    back_at = datetime.now(UTC)

    async def all_fired() -> list[asyncpg.Record]:
        timers = await timers_of(mesh, ids)
        assert [t for t in timers if t["status"] != "fired"] == []
        return timers

    timers = await eventually(all_fired, timeout=60, interval=0.2)
    assert len({(t["run_id"], t["step"]) for t in timers}) == expected
    assert any(down_at <= t["due_at"] <= back_at for t in timers), "no step fell in the outage"
    too_late = [
        (t["step"], t["due_at"], t["fired_at"])
        for t in timers
        if t["fired_at"] > max(t["due_at"], back_at) + LATE
    ]
    assert too_late == []

    # Exactly once: one step_fired event and one page per step, each page delivered once.
    events = await mesh.fetch(
        "escalation",
        "SELECT count(*) AS n, count(DISTINCT (p->>'run_id', p->>'step')) AS distinct_steps"
        " FROM (SELECT convert_from(payload, 'UTF8')::jsonb AS p FROM outbox"
        "       WHERE subject = 'escalation.step_fired.v1') s"
        " WHERE p->>'incident_id' = ANY($1::text[])",
        ids,
    )
    assert (events[0]["n"], events[0]["distinct_steps"]) == (expected, expected)
    pages = await mesh.fetch(
        "escalation",
        "SELECT count(*) AS n, count(DISTINCT p->>'idempotency_key') AS keys"
        " FROM (SELECT convert_from(payload, 'UTF8')::jsonb AS p FROM outbox"
        "       WHERE subject = 'notifications.requested.v1') s"
        " WHERE p->>'incident_id' = ANY($1::text[])",
        ids,
    )
    assert (pages[0]["n"], pages[0]["keys"]) == (expected, expected)

    async def each_page_delivered_once() -> None:
        rows = await mesh.fetch(
            "notifier",
            "SELECT idempotency_key, count(*) AS n FROM deliveries"
            " WHERE incident_id = ANY($1::uuid[]) AND idempotency_key LIKE 'esc:%'"
            " AND status = 'sent' GROUP BY idempotency_key",
            ids,
        )
        assert len(rows) == expected
        assert {r["n"] for r in rows} == {1}

    # The notifier may be waiting out its consumer's retry backoff after the outage.
    await eventually(each_page_delivered_once, timeout=90, interval=0.5)


@pytest.mark.skipif(
    not FULL,
    reason="full suite only (make chaos): the bounded form kills NATS under load with steps "
    "falling due (test_infrastructure_restarts), their pages counted at the pager",
)
async def test_escalation_steps_fire_once_through_a_nats_restart(mesh: ChaosMesh) -> None:
    async def restart_nats() -> None:
        mesh.nats.kill()  # SIGKILL: same port, same store directory when it comes back
        await asyncio.sleep(DOWNTIME)
        await asyncio.to_thread(mesh.nats.start)

    await steps_fire_once_through(mesh, restart_nats)


async def test_escalation_steps_fire_once_after_the_service_is_killed(mesh: ChaosMesh) -> None:
    async def kill_and_start_escalation() -> None:
        process = mesh.processes["escalation"]
        process.kill()  # SIGKILL
        await asyncio.sleep(DOWNTIME)
        process.start()
        await process.wait_ready(timeout=START_TIMEOUT)

    await steps_fire_once_through(mesh, kill_and_start_escalation)


@pytest.mark.skipif(
    not FULL,
    reason="full suite only (make chaos), as the mesh's other PostgreSQL restart: it sends "
    "every consumer of the shared mesh into its retry backoff",
)
async def test_escalation_steps_fire_once_through_a_postgres_restart(mesh: ChaosMesh) -> None:
    async def restart_postgres() -> None:
        await asyncio.to_thread(mesh.postgres.stop)
        await asyncio.sleep(DOWNTIME)
        await asyncio.to_thread(mesh.postgres.start)

    await steps_fire_once_through(mesh, restart_postgres)
