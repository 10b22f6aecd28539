"""The transactional outbox and the inbox.

A use case writes its state change and the events it causes in one transaction
(:func:`emit`). The :class:`OutboxRelay` publishes pending rows with
``Nats-Msg-Id = event_id`` and marks them; if it dies between publishing and marking, the
re-publish is dropped by JetStream's duplicate window, so each event lands exactly once.

Consumers claim each ``event_id`` in the inbox (:func:`claim`) in the same transaction as their
effect, so a redelivered or replayed event changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from nats.js.errors import NoStreamResponseError
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event
from imas_runtime.bus import MSG_ID_HEADER, Bus, encode
from imas_runtime.logs import get_logger
from imas_runtime.metrics import OUTBOX_PUBLISHED
from imas_runtime.telemetry import inject_headers

log = get_logger(__name__)


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", Text, nullable=False, unique=True),
        Column("subject", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index("outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, nullable=False),
        Column("event_id", Text, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


def outbox_rows(
    events: Sequence[Event],
    subjects: Sequence[str] | None = None,
    traces: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Rows for ``outbox.insert()``; the trace context is saved with each event: the current
    one, or ``traces[event_id]`` (headers) for an event that belongs to another trace."""
    headers = inject_headers()
    return [
        {
            "event_id": event.event_id,
            "subject": subjects[i] if subjects else event.type_name(),
            "payload": encode(event),
            "headers": (traces or {}).get(event.event_id) or headers,
        }
        for i, event in enumerate(events)
    ]


async def emit(
    conn: AsyncConnection,
    outbox: Table,
    events: Sequence[Event],
    subjects: Sequence[str] | None = None,
    traces: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write ``events`` to the service's ``outbox`` in the caller's transaction: the relay
    publishes them once it commits, and nothing if it rolls back. ``subjects`` overrides each
    event's own subject (by position); ``traces`` is as for :func:`outbox_rows`."""
    if events:
        await conn.execute(outbox.insert(), outbox_rows(events, subjects, traces))


async def claim(conn: AsyncConnection, inbox: Table, consumer: str, event_id: str) -> bool:
    """Record ``event_id`` as processed by ``consumer``; False if it already was."""
    result = await conn.execute(
        insert(inbox)
        .values(consumer=consumer, event_id=event_id)
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return result.first() is not None


Failpoint = Callable[[str], Awaitable[None]]


class OutboxRelay:
    """Publishes pending outbox rows in order, pipelined, then marks them published.

    Several replicas may run it: rows are locked with ``FOR UPDATE SKIP LOCKED``.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        bus: Bus,
        *,
        batch: int = 500,
        poll_interval: float = 0.5,
        retention_seconds: float = 3600.0,
        failpoint: Failpoint | None = None,
        restore_streams: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.table = table
        self.bus = bus
        self.batch = batch
        self.poll_interval = poll_interval
        self.retention_seconds = retention_seconds
        self._failpoint = failpoint
        # Asked when a publish finds no stream for its subject (an operator deleted it).
        self.restore_streams = restore_streams
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Tell the relay that rows were committed (it also polls, in case nobody says so)."""
        self._wake.set()

    def start(self) -> None:
        """Run on its own (tests); a service runs :meth:`run` under its supervisor."""
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(self._stopping), name="outbox relay")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until ``stopping``; a failed round (bus or database away) is retried."""
        rounds = 0
        waker = asyncio.create_task(self._wake_when(stopping))
        try:
            while not stopping.is_set():
                # Clear before looking: a wake-up that arrives while we look is not lost.
                self._wake.clear()
                try:
                    relayed = await self.relay_once()
                    rounds += 1
                    if rounds % 1000 == 0:
                        await self.purge()
                except Exception as exc:
                    log.warning("outbox relay failed, will retry", error=repr(exc))
                    relayed = 0
                    if isinstance(exc, NoStreamResponseError) and self.restore_streams:
                        with contextlib.suppress(Exception):
                            await self.restore_streams()
                if relayed < self.batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
        finally:
            waker.cancel()

    async def _wake_when(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        self._wake.set()

    async def oldest_pending_age(self) -> float:
        """Seconds since the oldest event not yet published was committed (0 when none)."""
        t = self.table
        async with self.engine.connect() as conn:
            age = await conn.scalar(
                select(func.extract("epoch", func.now() - t.c.created_at))
                .where(t.c.published_at.is_(None))
                .order_by(t.c.id)
                .limit(1)
            )
        return max(float(age or 0.0), 0.0)

    async def relay_once(self) -> int:
        """Publish up to ``batch`` pending events; return how many. Safe to run twice."""
        t = self.table
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(t.c.id, t.c.event_id, t.c.subject, t.c.payload, t.c.headers)
                    .where(t.c.published_at.is_(None))
                    .order_by(t.c.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = [
                await self.bus.js.publish_async(
                    row.subject,
                    row.payload,
                    headers={**(row.headers or {}), MSG_ID_HEADER: row.event_id},
                )
                for row in rows
            ]
            # All publishes are in flight already; collect their acks in order.
            for future in futures:
                await asyncio.wait_for(future, timeout=10)
            if self._failpoint is not None:
                await self._failpoint("after_publish")
            await conn.execute(
                update(t).where(t.c.id.in_([r.id for r in rows])).values(published_at=func.now())
            )
        OUTBOX_PUBLISHED.inc(len(rows))
        return len(rows)

    async def purge(self) -> None:
        """Forget rows published long ago (well past the stream's duplicate window)."""
        t = self.table
        async with self.engine.begin() as conn:
            await conn.execute(
                t.delete().where(
                    t.c.published_at
                    < func.now() - text(f"interval '{int(self.retention_seconds)} seconds'")
                )
            )
