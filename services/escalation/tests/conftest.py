from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.escalation import PolicySpec, PolicyStep, StepTarget
from imas_contracts.incidents import (
    IncidentAcknowledged,
    IncidentReopened,
    IncidentResolved,
    IncidentSnapshot,
    IncidentTriggered,
    Ref,
)
from imas_escalation.app import MIGRATIONS
from imas_escalation.config.usecases import ConfigUseCases
from imas_escalation.timers.firing import Firer
from imas_escalation.timers.scheduler import ManualClock, Scheduler
from imas_escalation.usecases import RunUseCases
from imas_runtime.db import ensure_database, make_engine, with_database
from imas_runtime.migrations import upgrade_async
from imas_testing import discard_database, factories
from imas_testing.factories import lifecycle

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TEAM = Ref(id="team-1", name="SRE Core")


def incident(created_at: datetime = T0, team: Ref | None = TEAM) -> IncidentSnapshot:
    return factories.incident(at=created_at, team=team)


def triggered(snapshot: IncidentSnapshot) -> IncidentTriggered:
    return lifecycle(IncidentTriggered, snapshot, at=T0)


def acknowledged(snapshot: IncidentSnapshot, at: datetime = T0) -> IncidentAcknowledged:
    return lifecycle(IncidentAcknowledged, snapshot, at=at)


def resolved(snapshot: IncidentSnapshot, at: datetime = T0) -> IncidentResolved:
    return lifecycle(IncidentResolved, snapshot, at=at)


def reopened(snapshot: IncidentSnapshot, at: datetime) -> IncidentReopened:
    return lifecycle(IncidentReopened, snapshot, at=at)


def two_step_policy(team_id: str = TEAM.id, **extra: object) -> PolicySpec:
    """Slack to the team at once, SMS to Alice 5 minutes later."""
    return PolicySpec(
        team_id=team_id,
        name="Two steps",
        steps=[
            PolicyStep(delay_minutes=0, targets=[StepTarget(kind="team")], channels=["slack"]),
            PolicyStep(
                delay_minutes=5, targets=[StepTarget(kind="person", id="alice")], channels=["sms"]
            ),
        ],
        **extra,  # type: ignore[arg-type]
    )


@dataclass
class Harness:
    """The escalation use cases and one scheduler on a real database, with a manual clock."""

    engine: AsyncEngine
    url: str
    clock: ManualClock
    runs: RunUseCases
    config: ConfigUseCases
    firer: Firer
    scheduler: Scheduler

    async def scalar(self, sql: str, **params: object) -> object:
        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def pages(self, incident_id: str | None = None) -> int:
        """NotificationRequested events written by escalation (for one incident, or all)."""
        sql = "SELECT count(*) FROM outbox WHERE subject = 'notifications.requested.v1'"
        if incident_id is None:
            return int(await self.scalar(sql))  # type: ignore[arg-type]
        sql += " AND convert_from(payload, 'UTF8')::jsonb->>'incident_id' = :i"
        return int(await self.scalar(sql, i=incident_id))  # type: ignore[arg-type]

    async def reset(self) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                text(
                    "TRUNCATE runs, timers, tombstones, outbox, inbox, policies, schedules, "
                    "heartbeats"
                )
            )
        self.clock.set(T0)


@pytest.fixture(scope="module")
async def harness(postgres_url: str, test_run_id: str) -> AsyncIterator[Harness]:
    name = f"t_{test_run_id}_esc_{uuid.uuid4().hex[:6]}"
    await ensure_database(postgres_url, name)
    url = with_database(postgres_url, name)
    await upgrade_async(MIGRATIONS, url)
    engine = make_engine(url)
    clock = ManualClock(T0)
    firer = Firer(engine, public_url="http://imas.test")
    scheduler = Scheduler(engine, firer, clock=clock, poll=0.005, replica="test")
    yield Harness(
        engine=engine,
        url=url,
        clock=clock,
        runs=RunUseCases(engine, clock=clock, on_timer=scheduler.timer_committed),
        config=ConfigUseCases(engine, clock=clock),
        firer=firer,
        scheduler=scheduler,
    )
    await engine.dispose()
    discard_database(postgres_url, name)


@pytest.fixture
async def h(harness: Harness) -> Harness:
    await harness.reset()
    return harness
