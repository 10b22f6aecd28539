"""How old a service's pending work is: the oldest unacknowledged message of each consumer,
the oldest event its outbox has not published, the oldest timer due but not fired.

:class:`Backlog` samples each every few seconds into a gauge (``/metrics``) and, past its
limit, into :class:`Health` under the name of what is behind, so ``/readyz`` fails naming it.
Work that waits is what a dead task, a stuck dependency or a poison message looks like from
outside, whatever the cause.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client import Gauge

from imas_runtime.logs import get_logger
from imas_runtime.supervision import Health

log = get_logger(__name__)

CONSUMER_AGE = Gauge(
    "imas_consumer_oldest_unacked_seconds",
    "Age of the oldest message a consumer has not acknowledged (0 when none)",
    ["consumer"],
)
CONSUMER_PENDING = Gauge(
    "imas_consumer_pending_messages",
    "Messages a consumer has not acknowledged yet (waiting or in hand)",
    ["consumer"],
)
OUTBOX_LAG = Gauge(
    "imas_outbox_lag_seconds", "Age of the oldest committed event not yet published (0 when none)"
)

Sample = Callable[[], Awaitable[float]]


@dataclass(frozen=True)
class Watched:
    name: str  # as readiness shows it, e.g. "consumer notifier--INCIDENTS"
    what: str  # what the age is of, e.g. "oldest unacknowledged message"
    sample: Sample
    gauge: Gauge
    limit: float


class Backlog:
    """Samples the age of each watched kind of work every ``interval`` seconds."""

    def __init__(self, health: Health, *, interval: float = 5.0, timeout: float = 5.0) -> None:
        self.health = health
        self.interval = interval
        self.timeout = timeout
        self.watched: list[Watched] = []

    def watch(self, name: str, what: str, sample: Sample, gauge: Gauge, limit: float) -> None:
        """Sample ``sample()`` (seconds) into ``gauge``; past ``limit`` readiness fails."""
        self.watched.append(Watched(name, what, sample, gauge, limit))

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await self.sample_all()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.interval)

    async def sample_all(self) -> None:
        for w in self.watched:
            try:
                age = await asyncio.wait_for(w.sample(), timeout=self.timeout)
            except Exception as exc:  # the dependency's own check says it is away
                log.debug("backlog not sampled", name=w.name, error=repr(exc))
                continue
            w.gauge.set(age)
            if age > w.limit:
                self.health.report(
                    w.name,
                    "behind",
                    f"behind: {w.what} {age:.0f}s old (limit {w.limit:g}s)",
                    ttl=3 * self.interval + self.timeout,
                )
            else:
                self.health.clear(w.name, "behind")


async def consumer_lag(
    js: JetStreamContext, stream: str, durable: str, subjects: list[str]
) -> tuple[int, float]:
    """Messages not yet acknowledged by ``durable`` and the age of the oldest of them.

    The oldest is the first message past the consumer's ack floor on one of its subjects:
    every message up to the floor is acknowledged, and the one right after is not."""
    info = await js.consumer_info(stream, durable)
    pending = (info.num_pending or 0) + (info.num_ack_pending or 0)
    if not pending:
        return 0, 0.0
    first = (info.ack_floor.stream_seq if info.ack_floor else 0) + 1
    oldest: datetime | None = None
    seq: int | None = None
    for subject in subjects or [">"]:
        try:
            msg = await js.get_msg(stream, seq=first, subject=subject, next=True)
        except NotFoundError:
            continue
        if msg.time is not None and (seq is None or (msg.seq or 0) < seq):
            oldest, seq = msg.time, msg.seq
    if oldest is None:
        return pending, 0.0
    return pending, max((datetime.now(UTC) - oldest).total_seconds(), 0.0)
