"""Use cases of orchestrations: each event about a new incident's automatic actions fills in
what they came to; once all have reported, or at the deadline, the incident's timeline gets
its ``ORCHESTRATION_COMPLETE`` line (the brief's workflow C, step 6)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_incidents import store
from imas_incidents.orchestration import domain as orchestration
from imas_incidents.orchestration import store as store_orchestration
from imas_runtime.logs import get_logger
from imas_runtime.loops import run_woken

log = get_logger(__name__)

COMPLETE = "ORCHESTRATION_COMPLETE"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OrchestrationUseCases:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        deadline: float,
        on_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.deadline = deadline
        self._on_commit = on_commit
        self.clock = clock

    async def observe(
        self, conn: AsyncConnection, incident_id: str, event: orchestration.Observed
    ) -> None:
        """Fold ``event`` into the incident's orchestration, in the caller's transaction (the
        one that claims the event: a replay changes nothing); write the summary once every
        action announced has an outcome."""
        row = await store_orchestration.lock_open(conn, incident_id)
        if row is None:
            return  # complete already, or an incident from before orchestrations
        state = orchestration.observe(orchestration.load(row.state), event)
        if not orchestration.settled(state):
            await store_orchestration.save(conn, row.incident_id, orchestration.dump(state))
            return
        await self._complete(conn, row.incident_id, state, None)

    async def _complete(
        self,
        conn: AsyncConnection,
        incident_id: uuid.UUID,
        state: orchestration.Orchestration,
        deadline: float | None,
    ) -> None:
        now = self.clock()
        await store.add_timeline(
            conn,
            str(incident_id),
            type=COMPLETE,
            message=orchestration.summary(state, deadline),
            source="system",
            at=now,
        )
        await store_orchestration.save(conn, incident_id, orchestration.dump(state), now)

    async def close_overdue(self) -> int:
        """Write the summary of every orchestration past its deadline, what has not reported
        written down as not done. Replicas share the work (``SKIP LOCKED``); answers how many
        were closed."""
        async with self.engine.begin() as conn:
            rows = await store_orchestration.lock_overdue(conn, self.clock())
            for row in rows:
                state = orchestration.load(row.state)
                await self._complete(conn, row.incident_id, state, self.deadline)
        if rows:
            log.info("orchestrations closed at their deadline", count=len(rows))
        return len(rows)

    async def run(self, stopping: asyncio.Event, interval: float) -> None:
        """Background loop: orchestrations past their deadline, every ``interval`` seconds."""
        await run_woken(
            self.close_overdue, asyncio.Event(), stopping, interval, what="orchestrations"
        )
