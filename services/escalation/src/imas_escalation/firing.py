"""Firing due timers: the one transaction that pages.

Each batch locks due timers with ``FOR UPDATE SKIP LOCKED`` (two replicas never take the same
timer), share-locks their runs and re-reads their state (an acknowledgement committed before
never lets a step page), then marks the timers fired and writes ``EscalationStepFired`` and
the ``NotificationRequested`` pages to the outbox, all in one commit. A replica killed mid-way
rolls back and its timers are taken by the next tick of any replica: each fires exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id
from imas_contracts.escalation import (
    EscalationStepFired,
    EscalationStopped,
    PolicySpec,
    ScheduleSpec,
)
from imas_contracts.notifier import NotificationRequested
from imas_escalation import domain, store
from imas_escalation.domain import Directory, Recipient
from imas_escalation.models import outbox
from imas_escalation.schedule import Calendar, ScheduleError
from imas_runtime.outbox import outbox_rows

NO_INCIDENT = str(uuid.UUID(int=0))


@dataclass
class Batch:
    """What one firing transaction decided, written at the end in a few statements."""

    events: list[Event] = field(default_factory=list)
    fired: list[dict[str, Any]] = field(default_factory=list)
    new_timers: list[dict[str, Any]] = field(default_factory=list)
    due: list[datetime] = field(default_factory=list)
    step_runs: set[Any] = field(default_factory=set)


class Firer:
    """Fires due timers in batches; safe to run in any number of replicas at once."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        public_url: str,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.public_url = public_url
        self._on_commit = on_commit

    async def fire_due(self, now: datetime, limit: int = 500) -> list[datetime]:
        """Fire up to ``limit`` timers due by ``now``; return the due times of those fired."""
        async with self.engine.begin() as conn:
            rows = await store.lock_due(conn, now, limit)
            if not rows:
                return []
            run_rows = await store.share_active_runs(
                conn, (r.run_id for r in rows if r.run_id is not None)
            )
            policies = {k: msgspec.convert(v.policy, PolicySpec) for k, v in run_rows.items()}
            wanted = {
                t.id
                for p in policies.values()
                for s in p.steps
                for t in s.targets
                if t.kind == "schedule"
            } | {str(r.schedule_id) for r in rows if r.schedule_id is not None}
            schedules = {s.id: s for s in await store.list_schedules(conn, ids=wanted)}
            directory = await store.load_directory(conn)
            batch = Batch()
            for row in rows:
                if row.kind == "handoff":
                    self._handoff(row, now, schedules, directory, batch)
                    continue
                run = run_rows.get(row.run_id)
                if run is None:  # acknowledged, resolved or exhausted: never page
                    batch.fired.append(_outcome(row, now, "cancelled", result="stopped"))
                    continue
                self._step(row, run, policies[row.run_id], now, schedules, directory, batch)
            await store.mark_fired(conn, batch.fired)
            await store.add_timers(conn, batch.new_timers)
            await self._exhaust(conn, batch, run_rows, policies, now)
            if batch.events:
                await conn.execute(outbox.insert(), outbox_rows(batch.events))
        self._on_commit()
        return batch.due

    def _step(
        self,
        row: Any,
        run: Any,
        policy: PolicySpec,
        now: datetime,
        schedules: Mapping[str, ScheduleSpec],
        directory: Directory,
        batch: Batch,
    ) -> None:
        incident_id = str(run.incident_id)
        if row.kind == "reminder":
            # Reminders go to whoever the first step pages now. The next one is a period
            # later, past now: a scheduler catching up after an outage sends one, not a burst.
            recipients = domain.recipients_for(policy, 0, 0, now, schedules, directory)
            channels: list[str] = list(policy.steps[0].channels)
            if policy.reminder_minutes:
                period = timedelta(minutes=policy.reminder_minutes)
                following = row.due_at + period
                if following <= now:
                    following += ((now - following) // period + 1) * period
                batch.new_timers.append(
                    {
                        "kind": "reminder",
                        "run_id": row.run_id,
                        "step": row.step + 1,
                        "due_at": following,
                    }
                )
        else:
            recipients = domain.recipients_for(
                policy, row.step, row.repeat, now, schedules, directory
            )
            channels = list(policy.steps[row.step].channels)
            batch.step_runs.add(row.run_id)
        message = domain.page_message(run.incident, row.kind, row.step, row.repeat, self.public_url)
        for recipient in recipients:
            for channel in channels:
                batch.events.append(
                    _page(incident_id, run.number, row, recipient, channel, message)
                )
        result = "paged" if recipients else "nobody"
        batch.events.append(
            EscalationStepFired(
                event_id=new_event_id(),
                occurred_at=now,
                incident_id=incident_id,
                run_id=str(row.run_id),
                step=row.step,
                repeat=row.repeat,
                due_at=row.due_at,
                fired_at=now,
                targets=[r.key for r in recipients],
                names=[r.name for r in recipients],
                channels=channels,
                result=result,
                kind=row.kind,
            )
        )
        batch.fired.append(_outcome(row, now, "fired", recipients, channels, result))
        batch.due.append(row.due_at)

    def _handoff(
        self,
        row: Any,
        now: datetime,
        schedules: Mapping[str, ScheduleSpec],
        directory: Directory,
        batch: Batch,
    ) -> None:
        spec = schedules.get(str(row.schedule_id))
        if spec is None or not spec.handoff_notifications:
            batch.fired.append(_outcome(row, now, "cancelled", result="schedule gone"))
            return
        try:
            calendar = Calendar(spec)
            person = calendar.on_call(row.due_at)
            following = calendar.next_handoff(row.due_at)
        except ScheduleError:
            batch.fired.append(_outcome(row, now, "cancelled", result="schedule invalid"))
            return
        recipients = [directory.person(person)] if person else []
        for recipient in recipients:
            batch.events.append(
                NotificationRequested(
                    event_id=new_event_id(),
                    occurred_at=now,
                    incident_id=NO_INCIDENT,
                    idempotency_key=f"handoff:{spec.id}:{row.due_at.isoformat()}:{person}",
                    reason="handoff",
                    person_ids=[recipient.id],
                    channels=["slack"],
                    message=f"You are now on call for {spec.name!r} "
                    f"(from {row.due_at.isoformat()}).",
                    recipient_name=recipient.name,
                )
            )
        batch.fired.append(_outcome(row, now, "fired", recipients, ["slack"], "notified"))
        batch.due.append(row.due_at)
        if following is not None:
            batch.new_timers.append(
                {"kind": "handoff", "schedule_id": row.schedule_id, "due_at": following[0]}
            )

    async def _exhaust(
        self,
        conn: AsyncConnection,
        batch: Batch,
        run_rows: Mapping[Any, Any],
        policies: Mapping[Any, PolicySpec],
        now: datetime,
    ) -> None:
        """Runs whose last step fired end as ``exhausted`` (unless reminders keep them going)."""
        candidates = {r for r in batch.step_runs if not policies[r].reminder_minutes}
        if not candidates:
            return
        done = candidates - await store.runs_with_pending_steps(conn, candidates)
        await store.end_runs(conn, done, "exhausted", now)
        batch.events += [
            EscalationStopped(
                event_id=new_event_id(),
                occurred_at=now,
                incident_id=str(run_rows[r].incident_id),
                run_id=str(r),
                reason="exhausted",
            )
            for r in done
        ]


def _page(
    incident_id: str, run: int, row: Any, recipient: Recipient, channel: Any, message: str
) -> NotificationRequested:
    return NotificationRequested(
        event_id=new_event_id(),
        occurred_at=row.due_at,
        incident_id=incident_id,
        idempotency_key=domain.idempotency_key(
            incident_id, row.kind, row.step, row.repeat, recipient, channel, run
        ),
        reason="reminder" if row.kind == "reminder" else "escalation",
        step=row.step,
        person_ids=[recipient.id] if recipient.kind == "person" else [],
        team_ids=[recipient.id] if recipient.kind == "team" else [],
        channels=[channel],
        message=message,
        recipient_name=recipient.name,
    )


def _outcome(
    row: Any,
    now: datetime,
    status: str,
    recipients: list[Recipient] | None = None,
    channels: list[str] | None = None,
    result: str | None = None,
) -> dict[str, Any]:
    recipients = recipients or []
    return {
        "timer_id": row.id,
        "status": status,
        "fired_at": now if status == "fired" else None,
        "targets": [r.key for r in recipients],
        "names": [r.name for r in recipients],
        "channels": channels or [],
        "result": result,
    }
