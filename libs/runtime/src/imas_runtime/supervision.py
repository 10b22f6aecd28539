"""What is wrong right now, and the background tasks that must never die silently.

:class:`Health` holds the problems each component reports (a consumer whose dead letters
cannot be published, a task that is down, work that waits too long); ``/readyz`` shows them by
name and fails while any is present. :class:`Supervisor` runs every background loop of a
service (consumers, the outbox relay, flushers, schedulers, watchdogs) and restarts one that
returns or raises, with backoff, logging it and showing it down in the meantime.
:class:`LoopWatch` notices a blocked event loop from a thread and says where it stood.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from imas_runtime.logs import get_logger
from imas_runtime.metrics import LOOP_LAG, LOOP_STALLS, TASK_RESTARTS

log = get_logger(__name__)

Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]

OK = "ok"


class Health:
    """Problems by component name (``consumer notifier--INCIDENTS``, ``outbox relay``…).

    A component may have several problems at once, each under its own kind (``down``,
    ``dead letters``…); a problem reported with ``ttl`` lapses unless reported again.
    """

    def __init__(self) -> None:
        self._names: dict[str, None] = {}
        self._problems: dict[str, dict[str, tuple[str, float | None]]] = {}

    def watch(self, name: str) -> None:
        """List ``name`` in readiness (``ok`` while it has no problem)."""
        self._names.setdefault(name, None)

    def report(self, name: str, kind: str, problem: str, *, ttl: float | None = None) -> None:
        self.watch(name)
        expires = time.monotonic() + ttl if ttl is not None else None
        self._problems.setdefault(name, {})[kind] = (problem, expires)

    def clear(self, name: str, kind: str) -> None:
        problems = self._problems.get(name)
        if problems is not None:
            problems.pop(kind, None)

    def problem(self, name: str, kind: str) -> str | None:
        found = self._problems.get(name, {}).get(kind)
        if found is None or (found[1] is not None and found[1] < time.monotonic()):
            return None
        return found[0]

    def status(self) -> dict[str, str]:
        """Every watched name: ``ok``, or its problems joined."""
        now = time.monotonic()
        out: dict[str, str] = {}
        for name in self._names:
            current = [
                text
                for text, expires in self._problems.get(name, {}).values()
                if expires is None or expires >= now
            ]
            out[name] = "; ".join(current) if current else OK
        return out


class Supervisor:
    """Runs named loops until ``stopping``; one that returns early or raises is restarted.

    Restarts back off (``backoff`` seconds, the last repeated); a loop that then runs for
    ``steady_after`` seconds starts the backoff over. While a loop is down, and until it has
    run ``up_after`` seconds again, :class:`Health` shows it ``down`` with the reason.
    """

    def __init__(
        self,
        health: Health,
        stopping: asyncio.Event,
        *,
        backoff: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
        steady_after: float = 60.0,
        up_after: float = 1.0,
    ) -> None:
        self.health = health
        self.stopping = stopping
        self.backoff = backoff
        self.steady_after = steady_after
        self.up_after = up_after
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, loop: Loop, *, stopping: asyncio.Event | None = None) -> None:
        """Run ``loop(stopping)`` (the supervisor's event unless another is given) until
        that event is set, restarting it whenever it returns or raises before."""
        self.health.watch(name)
        self._tasks[name] = asyncio.create_task(
            self._keep(name, loop, stopping or self.stopping), name=name
        )

    def names(self) -> list[str]:
        return list(self._tasks)

    async def wait(self, names: list[str], timeout: float) -> None:
        """Wait up to ``timeout`` for the named loops to return (their event is set), then
        cancel those still running."""
        tasks = [self._tasks.pop(n) for n in names if n in self._tasks]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=max(timeout, 0.0))
        for task in pending:
            log.warning("background task did not stop in time, cancelled", task=task.get_name())
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1.0)

    async def _keep(self, name: str, loop: Loop, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            started = time.monotonic()
            up = asyncio.get_running_loop().call_later(
                self.up_after, self.health.clear, name, "down"
            )
            try:
                await loop(stopping)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # we are being stopped
                reason = "cancelled"
            except Exception as exc:
                if stopping.is_set():
                    log.warning("background task failed while stopping", task=name, error=repr(exc))
                    return
                reason = repr(exc)
                log.exception("background task crashed, restarting it", task=name)
            else:
                if stopping.is_set():
                    return
                reason = "returned while the service runs"
                log.error("background task stopped, restarting it", task=name)
            finally:
                up.cancel()
            TASK_RESTARTS.labels(name).inc()
            if time.monotonic() - started >= self.steady_after:
                failures = 0
            delay = self.backoff[min(failures, len(self.backoff) - 1)]
            failures += 1
            self.health.report(name, "down", f"down: {reason[:300]} (restart in {delay:g}s)")
            try:
                await asyncio.wait_for(stopping.wait(), timeout=delay)
            except TimeoutError:
                pass


class LoopWatch:
    """Notices a blocked event loop, which stalls every request and message of the process.

    The loop must run a heartbeat every ``beat`` seconds; a thread checks it. When the loop
    has not beaten for ``limit`` seconds the thread logs where the loop stands (the stack of
    the code holding it: the running task), once per stall, and ``/readyz`` fails for
    ``hold`` seconds after the loop is back, naming how long and where it was blocked.
    """

    name = "event loop"

    def __init__(
        self, health: Health, *, limit: float = 2.0, beat: float = 0.2, hold: float = 30.0
    ) -> None:
        self.health = health
        self.limit = limit
        self.beat = beat
        self.hold = hold
        self.last_stall: tuple[float, str] | None = None  # (seconds, stack) of the last one
        self._last_beat = time.monotonic()
        self._where = ""
        self._handle: asyncio.TimerHandle | None = None
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start beating in the running loop and watching from a thread."""
        self.health.watch(self.name)
        loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()
        self._last_beat = time.monotonic()
        self._done.clear()
        self._handle = loop.call_later(self.beat, self._beat, loop)
        self._thread = threading.Thread(
            target=self._watch, args=(loop_thread,), name="event loop watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _beat(self, loop: asyncio.AbstractEventLoop) -> None:
        now = time.monotonic()
        gap = now - self._last_beat - self.beat
        self._last_beat = now
        LOOP_LAG.set(max(gap, 0.0))
        if gap > self.limit:
            LOOP_STALLS.inc()
            self.health.report(
                self.name,
                "blocked",
                f"blocked for {gap:.1f}s (limit {self.limit:g}s) at {self._where or 'unknown'}",
                ttl=self.hold,
            )
        if not self._done.is_set():
            self._handle = loop.call_later(self.beat, self._beat, loop)

    def _watch(self, loop_thread: int) -> None:
        reported = 0.0  # the beat of the stall already logged
        while not self._done.wait(self.beat):
            last = self._last_beat
            lag = time.monotonic() - last - self.beat
            if lag <= self.limit:
                continue
            LOOP_LAG.set(lag)
            if reported == last:
                continue
            reported = last
            frame = sys._current_frames().get(loop_thread)
            stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
            if frame is not None:
                code = frame.f_code
                self._where = f"{code.co_filename}:{frame.f_lineno} in {code.co_name}"
            self.last_stall = (lag, stack)
            log.error(
                "event loop blocked: every request and message of this process waits",
                blocked_for=round(lag, 1),
                where=self._where,
                stack=stack,
            )
