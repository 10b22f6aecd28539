"""The heartbeat watch: a heartbeat whose deadline passed without a ping goes ``down`` and raises
its alert.

Deadlines live in PostgreSQL (table ``heartbeats``), so a restart of ingest, or of anything
else, forgets none: an overdue heartbeat is claimed at the first pass that reaches the
database. Each pass claims the overdue heartbeats with ``FOR UPDATE SKIP LOCKED``, marks them
``down`` and writes their alert (``alerts.raw.heartbeat``) to the outbox in the same
transaction: any number of replicas raise each miss once, a replica killed mid-pass rolls back
and another takes the deadline over. The alert then takes the path of every webhook alert
(rules, silences and maintenance windows, one incident per dedup key ``heartbeat:<id>``); the
next ping writes the ``resolved`` alert that closes the incident.

The loop sleeps until the earliest deadline (woken at once when a ping in this process commits
an earlier one) and looks at least every ``poll`` seconds for deadlines set by other replicas.
How late each miss is raised is ``imas_heartbeat_lateness_seconds``: from the deadline
(last ping + interval + grace) to the commit of the transaction that wrote the alert.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import msgspec
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.alert_payloads import CustomAlert
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_ingest import domain, store
from imas_ingest.models import outbox
from imas_runtime.logs import get_logger
from imas_runtime.outbox import emit

log = get_logger(__name__)

LATENESS = Histogram(
    "imas_heartbeat_lateness_seconds",
    "How long after a heartbeat's deadline (last ping + interval + grace) its miss was raised",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 30.0),
)
MISSED = Counter("imas_heartbeats_missed_total", "Heartbeats that went down (a missed deadline)")

Clock = Callable[[], datetime]
# Told, after each commit, the heartbeats it marked down (integration id, deadline) and when.
OnMissed = Callable[[list[tuple[str, datetime]], datetime], None]


SOURCE = "heartbeat"


def raw_alert(integration_id: str, alert: CustomAlert, at: datetime) -> AlertReceived:
    """A heartbeat's alert as ingest receives every webhook's (``alerts.raw.heartbeat``)."""
    return AlertReceived(
        event_id=new_event_id(),
        occurred_at=at,
        source=SOURCE,
        integration_id=integration_id,
        payload=msgspec.json.encode([alert]),
    )


async def emit_alerts(conn: AsyncConnection, alerts: list[AlertReceived]) -> None:
    """Raw heartbeat alerts to the outbox, on the subject the alert pipeline consumes."""
    await emit(conn, outbox, alerts, [raw_alert_subject(SOURCE)] * len(alerts))


class HeartbeatWatch:
    """Raises each missed heartbeat once, whatever the number of ingest replicas."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock = utcnow,
        poll: float = 0.25,
        batch: int = 500,
        on_commit: Callable[[], None] = lambda: None,
        on_missed: OnMissed | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.poll = poll
        self.batch = batch
        self._on_commit = on_commit
        # The benchmark measures with it.
        self.on_missed = on_missed
        self._next_due: datetime | None = None
        self._wake = asyncio.Event()

    def deadline_committed(self, due_at: datetime) -> None:
        """A ping committed in this process: look again now if its deadline comes first."""
        if self._next_due is None or due_at < self._next_due:
            self._next_due = due_at
            self._wake.set()

    async def check(self) -> int:
        """Raise every heartbeat overdue now, batch after batch; answers how many."""
        total = 0
        while True:
            now = self.clock()
            async with self.engine.begin() as conn:
                rows = await store.claim_overdue(conn, now, self.batch)
                if rows:
                    alerts = [
                        raw_alert(
                            str(r.integration_id),
                            domain.missed_heartbeat(
                                r.name, r.integration_id, r.due_at, r.last_ping_at
                            ),
                            now,
                        )
                        for r in rows
                    ]
                    await emit_alerts(conn, alerts)
            if not rows:
                return total
            self._on_commit()
            raised_at = self.clock()
            due = [r.due_at for r in rows]
            for at in due:
                LATENESS.observe(max((raised_at - at).total_seconds(), 0.0))
            MISSED.inc(len(rows))
            log.warning("heartbeats missed", count=len(rows), first=str(rows[0].integration_id))
            if self.on_missed is not None:
                self.on_missed([(str(r.integration_id), r.due_at) for r in rows], raised_at)
            total += len(rows)
            if len(rows) < self.batch:
                return total

    async def run(self, stopping: asyncio.Event) -> None:
        """Until ``stopping``: check, then sleep until the next deadline (at most ``poll``)."""
        waker = asyncio.create_task(self._wake_when(stopping))
        try:
            while not stopping.is_set():
                # Cleared before looking: a ping committed while we look wakes the next wait.
                self._wake.clear()
                delay = self.poll
                try:
                    await self.check()
                    async with self.engine.connect() as conn:
                        self._next_due = await store.next_deadline(conn)
                    if self._next_due is not None:
                        until = (self._next_due - self.clock()).total_seconds()
                        delay = min(delay, max(until, 0.0))
                except Exception as exc:
                    log.warning("heartbeat check failed, will retry", error=repr(exc))
                    self._next_due = None
                # A floor: a deadline another replica's ping holds locked is not spun on.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=max(delay, 0.01))
        finally:
            waker.cancel()

    async def _wake_when(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        self._wake.set()
