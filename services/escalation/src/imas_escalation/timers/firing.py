"""Firing due timers: the one transaction that pages.

Each batch locks due timers with ``FOR UPDATE SKIP LOCKED`` (two replicas never take the same
timer), share-locks their runs and re-reads their state (an acknowledgement this service has
recorded never lets a step page), asks incidents for the current status of their incidents
(see :meth:`Firer._incident_states`), then marks the timers fired and writes
``EscalationStepFired`` and the ``NotificationRequested`` pages to the outbox, all in one
commit. A replica killed mid-way rolls back and its timers are taken by the next tick of any
replica: each fires exactly once.

When incidents cannot answer, the steps wait for it (they stay pending and are asked about
again at the next tick) until they are ``patience`` overdue; then they page unconfirmed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

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
from imas_escalation.metrics import HELD_STEPS, STATE_CHECKS, UNCONFIRMED_STEPS
from imas_escalation.models import outbox
from imas_escalation.schedules.domain import Calendar, ScheduleError
from imas_runtime.logs import get_logger
from imas_runtime.outbox import emit
from imas_runtime.telemetry import inject_headers, span_in

log = get_logger(__name__)

NO_INCIDENT = str(uuid.UUID(int=0))

# The current status of each incident asked about, by id (an unknown one left out), and the
# end of its service's maintenance when it is in maintenance; raises when incidents cannot
# answer.
IncidentStates = Callable[[Sequence[str]], Awaitable["States"]]
StopReason = Literal["acknowledged", "mitigated", "resolved"]
# An incident in one of these states must not be paged about any more (what stops a run).
STOPPED_BY: dict[str, StopReason] = {
    "ACKNOWLEDGED": "acknowledged",
    "MITIGATED": "mitigated",
    "RESOLVED": "resolved",
}


@dataclass(frozen=True)
class States:
    """What incidents says of the incidents about to be paged about."""

    statuses: Mapping[str, str] = field(default_factory=dict)
    maintenance_until: Mapping[str, datetime] = field(default_factory=dict)
    # Services in a window of a silence that covers them whole: its end and name, by name.
    service_windows: Mapping[str, tuple[datetime, str]] = field(default_factory=dict)


@dataclass
class Batch:
    """What one firing transaction decided, written at the end in a few statements."""

    events: list[Event] = field(default_factory=list)
    fired: list[dict[str, Any]] = field(default_factory=list)
    new_timers: list[dict[str, Any]] = field(default_factory=list)
    due: list[datetime] = field(default_factory=list)
    step_runs: set[Any] = field(default_factory=set)
    # Runs whose incident incidents says is no longer unacknowledged, with why.
    stopped_runs: dict[Any, StopReason] = field(default_factory=dict)
    # The trace context of the events of a step (the run's trace), by event id.
    traces: dict[str, dict[str, str]] = field(default_factory=dict)
    # Steps left pending: incidents could not say whether their incident is still open, and
    # they are not yet ``patience`` overdue.
    held: int = 0
    unconfirmed: int = 0  # steps that paged without that answer, ``patience`` overdue
    # Runs held by their service's maintenance in this batch: (timer, first due, until).
    holds: dict[Any, tuple[Any, datetime, datetime, str, str]] = field(default_factory=dict)


class Firer:
    """Fires due timers in batches; safe to run in any number of replicas at once."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        public_url: str,
        on_commit: Callable[[], None] = lambda: None,
        incident_states: IncidentStates | None = None,
        patience: timedelta = timedelta(seconds=60),
    ) -> None:
        self.engine = engine
        self.public_url = public_url
        self._on_commit = on_commit
        self._ask_states = incident_states
        self.patience = patience
        # Steps the last batch left pending for want of an answer from incidents: the
        # scheduler asks again after a pause instead of at once.
        self.held = 0

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
            states = await self._incident_states(
                {str(run_rows[r.run_id].incident_id) for r in rows if r.run_id in run_rows}
            )
            batch = Batch()
            for row in rows:
                if row.kind == "handoff":
                    self._handoff(row, now, schedules, directory, batch)
                    continue
                run = run_rows.get(row.run_id)
                if run is None:  # acknowledged, resolved or exhausted: never page
                    batch.fired.append(_outcome(row, now, "cancelled", result="stopped"))
                    continue
                if states is None and now - row.due_at < self.patience:
                    batch.held += 1  # left pending: asked about again at the next tick
                    continue
                known = states or States()
                reason = STOPPED_BY.get(known.statuses.get(str(run.incident_id), ""))
                if reason is not None:
                    # Acknowledged (or mitigated, resolved) in incidents, its event not yet here.
                    batch.fired.append(_outcome(row, now, "cancelled", result=reason))
                    batch.stopped_runs[row.run_id] = reason
                    continue
                if row.run_id in batch.holds:
                    continue  # moved with its run, held a moment ago
                window = _window(known, run, now)
                if window is not None and not row.requested_by:
                    # Its service is in maintenance: the run waits (someone who asks for the
                    # next step now, during it, is still obeyed).
                    self._hold(row, run, *window, now, batch)
                    continue
                self._step(
                    row, run, policies[row.run_id], now, schedules, directory, batch,
                    unconfirmed=states is None,
                )  # fmt: skip
            for run_id, (timer_id, first_due, until, service, by) in batch.holds.items():
                await store.hold_run(conn, run_id, timer_id, first_due, until, service, now, by)
            await store.mark_fired(conn, batch.fired)
            await store.add_timers(conn, batch.new_timers)
            await self._exhaust(conn, batch, run_rows, policies, now)
            await self._stop(conn, batch, run_rows, now)
            if batch.events:
                await emit(conn, outbox, batch.events, traces=batch.traces)
        self._on_commit()
        self._count_doubts(batch)
        return batch.due

    def _count_doubts(self, batch: Batch) -> None:
        if batch.held and not self.held:
            log.warning(
                "incidents cannot say whether incidents are still unacknowledged: due steps"
                " wait for it",
                steps=batch.held,
                patience=self.patience.total_seconds(),
            )
        self.held = batch.held
        HELD_STEPS.set(batch.held)
        if batch.unconfirmed:
            UNCONFIRMED_STEPS.inc(batch.unconfirmed)
            log.warning(
                "steps paged without incidents confirming their incidents are still"
                " unacknowledged: incidents did not answer for as long as they could wait",
                steps=batch.unconfirmed,
                patience=self.patience.total_seconds(),
            )

    def _hold(
        self, row: Any, run: Any, until: datetime, window: str, now: datetime, batch: Batch
    ) -> None:
        """Hold the run of a due timer until its service's maintenance ends, announced as a
        ``held`` step (the timeline shows it)."""
        service = str(run.incident.get("service", ""))
        batch.holds[row.run_id] = (row.id, row.due_at, until, service, window)
        batch.events.append(
            EscalationStepFired(
                event_id=new_event_id(),
                occurred_at=now,
                incident_id=str(run.incident_id),
                run_id=str(row.run_id),
                step=row.step,
                repeat=row.repeat,
                due_at=row.due_at,
                fired_at=now,
                result="held",
                kind=row.kind,
                held_until=until,
                window=window,
            )
        )

    async def _incident_states(self, incident_ids: set[str]) -> States | None:
        """The current status of the incidents about to be paged about, asked of incidents.

        Why ask rather than fence by a version carried in events: the step that must not page
        is the one due after an acknowledgement committed in incidents but before its event
        reached this service. Whatever the events carry, what has not arrived cannot fence
        anything; only the owner of the incident's state knows at the moment of firing. One
        request per batch (a few milliseconds), inside the firing transaction, so the answer
        is as fresh as the commit that pages.

        None when incidents cannot answer (down, restarting, slower than the timeout): the
        steps then wait, asked about again at each tick, and page unconfirmed once
        ``patience`` overdue. Paging at once would page whoever acknowledged just before
        incidents went down (its event may not have reached us yet); never paging would
        leave an unacknowledged incident unescalated for as long as incidents is away. A
        restart takes seconds, so waiting out a restart costs a step that much lateness,
        and only a long outage makes a pager page in doubt.
        """
        if self._ask_states is None or not incident_ids:
            return States()
        try:
            states = await self._ask_states(sorted(incident_ids))
        except Exception as exc:
            STATE_CHECKS.labels("unanswered").inc()
            log.debug("incident states unanswered", incidents=len(incident_ids), error=repr(exc))
            return None
        STATE_CHECKS.labels("answered").inc()
        return states

    async def _stop(
        self, conn: AsyncConnection, batch: Batch, run_rows: Mapping[Any, Any], now: datetime
    ) -> None:
        """Runs whose incident was found acknowledged, mitigated or resolved end ``stopped``
        at once (the event, when it comes, finds nothing left to stop)."""
        for reason in sorted(set(batch.stopped_runs.values())):
            ids = [r for r, why in batch.stopped_runs.items() if why == reason]
            await store.end_runs(conn, ids, reason, now, status="stopped")
            batch.events += _stopped(ids, run_rows, reason, now)

    def _step(
        self,
        row: Any,
        run: Any,
        policy: PolicySpec,
        now: datetime,
        schedules: Mapping[str, ScheduleSpec],
        directory: Directory,
        batch: Batch,
        *,
        unconfirmed: bool = False,
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
        first = len(batch.events)
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
                requested_by=row.requested_by,
                unconfirmed=unconfirmed,
                resumed=row.held_at is not None,
                window=_held_by(row),
            )
        )
        if unconfirmed:
            batch.unconfirmed += 1
            result += " unconfirmed"
        batch.fired.append(_outcome(row, now, "fired", recipients, channels, result))
        batch.due.append(row.due_at)
        if run.traceparent:
            # The step's pages continue the trace of the alert that started the run.
            with span_in("escalation", f"escalation {row.kind}", run.traceparent) as current:
                current.set_attributes(
                    {"imas.step": row.step, "imas.repeat": row.repeat, "imas.result": result}
                )
                headers = inject_headers()
            for event in batch.events[first:]:
                batch.traces[event.event_id] = headers

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
        batch.events += _stopped(done, run_rows, "exhausted", now)


def _held_by(row: Any) -> str:
    """The window that held a timer now firing, by name ("" when none held it)."""
    if row.held_at is None:
        return ""
    return str(row.held_window or f"maintenance of {row.held_service}")


def _window(states: States, run: Any, now: datetime) -> tuple[datetime, str] | None:
    """When the maintenance of the run's incident's service ends, and its name; None when it
    is in none: the service's own maintenance first, else a silence covering it whole."""
    service = str(run.incident.get("service", ""))
    until = states.maintenance_until.get(str(run.incident_id))
    if until is not None and until > now:
        return until, f"maintenance of {service}"
    found = states.service_windows.get(service)
    if found is not None and found[0] > now:
        return found
    return None


def _stopped(
    run_ids: Iterable[Any],
    run_rows: Mapping[Any, Any],
    reason: Literal["acknowledged", "mitigated", "resolved", "exhausted"],
    now: datetime,
) -> list[Event]:
    return [
        EscalationStopped(
            event_id=new_event_id(),
            occurred_at=now,
            incident_id=str(run_rows[r].incident_id),
            run_id=str(r),
            reason=reason,
        )
        for r in run_ids
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
