"""The scheduler loop: sleeps until the earliest due timer, then fires what is due.

It wakes early when this process commits an earlier timer (:meth:`Scheduler.timer_committed`)
and looks at least every ``poll`` seconds for timers committed by other replicas, so a step
fires well within a second of its due time. Each tick records a heartbeat; the dead-man's
switch (:class:`Watchdog`) raises an internal alert when no replica ticks any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id
from imas_contracts.escalation import SchedulerStalled
from imas_escalation import store
from imas_escalation.metrics import LATENESS, TICKS
from imas_escalation.models import outbox
from imas_escalation.timers.firing import Firer
from imas_runtime.logs import get_logger
from imas_runtime.outbox import emit

log = get_logger(__name__)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told (tests and what-if computations)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current

    def set(self, at: datetime) -> None:
        self.current = at


OnFired = Callable[[list[datetime], datetime], None]


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    """Fires due timers on time; any number of replicas may run it against one database."""

    def __init__(
        self,
        engine: AsyncEngine,
        firer: Firer,
        *,
        clock: Clock | None = None,
        poll: float = 0.25,
        batch: int = 500,
        replica: str | None = None,
        heartbeat_every: float = 1.0,
        on_fired: OnFired | None = None,
    ) -> None:
        self.engine = engine
        self.firer = firer
        self.clock: Clock = clock or SystemClock()
        self.poll = poll
        self.batch = batch
        self.replica = replica or replica_name()
        self.heartbeat_every = heartbeat_every
        self.on_fired = on_fired
        self.last_tick: datetime | None = None
        self._last_beat: datetime | None = None
        self._next_due: datetime | None = None
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def timer_committed(self, due_at: datetime) -> None:
        """A timer was committed in this process: wake now if it is due before the next one."""
        if self._next_due is None or due_at < self._next_due:
            self._next_due = due_at
            self._wake.set()

    async def tick(self) -> int:
        """Fire everything due now, batch after batch; return how many fired."""
        total = 0
        while True:
            due = await self.firer.fire_due(self.clock.now(), self.batch)
            if due:
                fired_at = self.clock.now()
                for at in due:
                    LATENESS.observe(max((fired_at - at).total_seconds(), 0.0))
                if self.on_fired is not None:
                    self.on_fired(due, fired_at)
            total += len(due)
            # A long catch-up still shows this replica alive to the dead-man's switch.
            await self._beat()
            if len(due) < self.batch:
                return total

    async def _beat(self) -> None:
        now = self.clock.now()
        self.last_tick = now
        TICKS.inc()
        if (
            self._last_beat is None
            or (now - self._last_beat).total_seconds() >= self.heartbeat_every
        ):
            async with self.engine.begin() as conn:
                await store.beat(conn, self.replica, now)
            self._last_beat = now

    async def run(self, stopping: asyncio.Event) -> None:
        """Until ``stopping``: tick, then sleep until the next due time (at most ``poll``)."""
        stop_waker = asyncio.create_task(self._wake_when(stopping))
        try:
            await self._loop(stopping)
        finally:
            stop_waker.cancel()

    async def _wake_when(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        self._wake.set()

    async def _loop(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            # Clear before looking: a timer committed while we look wakes the next wait.
            self._wake.clear()
            delay = self.poll
            try:
                await self.tick()
                async with self.engine.connect() as conn:
                    self._next_due = await store.next_due(conn)
                # Steps held for an answer from incidents are due already: they are asked
                # about again after ``poll``, not in a busy loop.
                if self._next_due is not None and not self.firer.held:
                    until = (self._next_due - self.clock.now()).total_seconds()
                    delay = min(delay, max(until, 0.0))
            except Exception as exc:
                log.warning("scheduler tick failed, will retry", error=repr(exc))
                self._next_due = None
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
            else:
                await asyncio.sleep(0)  # let others run between back-to-back ticks

    async def oldest_due_age(self) -> float:
        """Seconds since the oldest timer still pending fell due (0 when none is due yet)."""
        async with self.engine.connect() as conn:
            due = await store.next_due(conn)
        return max((self.clock.now() - due).total_seconds(), 0.0) if due else 0.0

    def stalled(self, after: float) -> bool:
        """True when this process's scheduler has not ticked for ``after`` seconds."""
        if self.last_tick is None:
            return False
        return (self.clock.now() - self.last_tick).total_seconds() > after


class Watchdog:
    """The dead-man's switch: when no replica has ticked for ``stall_after`` seconds, log an
    error and publish ``escalation.scheduler_stalled.v1`` once per stall."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock,
        stall_after: float,
        replica: str,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.stall_after = stall_after
        self.replica = replica
        self._on_commit = on_commit
        self.alerted = False

    async def check(self) -> bool:
        """Look at the newest heartbeat; alert on a new stall. Returns True when stalled."""
        async with self.engine.begin() as conn:
            last = await store.last_beat(conn)
            if last is None:
                return False
            silent = (self.clock.now() - last).total_seconds()
            if silent <= self.stall_after:
                self.alerted = False
                return False
            if not self.alerted:
                log.error(
                    "escalation scheduler stalled", last_tick_at=last.isoformat(), silent=silent
                )
                alert = SchedulerStalled(
                    event_id=new_event_id(),
                    occurred_at=self.clock.now(),
                    last_tick_at=last,
                    silent_seconds=silent,
                    replica=self.replica,
                )
                await emit(conn, outbox, [alert])
                self.alerted = True
        self._on_commit()
        return True

    async def run(self, stopping: asyncio.Event, interval: float = 1.0) -> None:
        while not stopping.is_set():
            try:
                await self.check()
            except Exception as exc:
                log.warning("watchdog check failed", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=interval)
