"""Use cases of escalation runs: start on incidents.triggered, stop on acknowledge / mitigate /
resolve, start again on reopen, and the history of an incident's escalation. Each owns its
transaction and writes the events it causes to the outbox in it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import new_event_id
from imas_contracts.escalation import (
    EscalatedNow,
    EscalateNow,
    EscalationHistory,
    EscalationStarted,
    EscalationStopped,
    GetHistory,
    HistoryEntry,
)
from imas_contracts.incidents import (
    IncidentAcknowledged,
    IncidentMitigated,
    IncidentReopened,
    IncidentResolved,
    IncidentSnapshot,
    IncidentTriggered,
)
from imas_escalation import domain, store
from imas_escalation.models import inbox, outbox
from imas_escalation.timers.firing import StopReason
from imas_escalation.timers.scheduler import Clock, SystemClock
from imas_runtime.consumer import Delivery
from imas_runtime.errors import Conflict, NotFound
from imas_runtime.logs import get_logger
from imas_runtime.outbox import claim, emit
from imas_runtime.telemetry import current_traceparent

log = get_logger(__name__)

INCIDENTS_CONSUMER = "escalation--INCIDENTS"

STOP_REASONS: dict[type, StopReason] = {
    IncidentAcknowledged: "acknowledged",
    IncidentMitigated: "mitigated",
    IncidentResolved: "resolved",
}


class RunUseCases:
    """Escalation runs of incidents."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock | None = None,
        on_commit: Callable[[], None] = lambda: None,
        on_timer: Callable[[datetime], None] = lambda _: None,
        default_minutes: Sequence[float] = domain.DEFAULT_STEP_MINUTES,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self._on_commit = on_commit
        self._on_timer = on_timer
        # The delays of the default policy's steps (ESCALATION_DEFAULT_STEP_MINUTES).
        self.default_minutes = tuple(default_minutes)

    async def on_triggered(self, event: IncidentTriggered, _: Delivery | None = None) -> None:
        """Start the team's policy for a new incident: one timer per step and round, counted
        from the incident's creation. Nothing starts when a stop of the incident arrived
        first (its tombstone): a trigger comes before any stop, so this one is late. Safe to
        run twice (inbox, and one first run per incident); acks once committed."""
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, INCIDENTS_CONSUMER, event.event_id):
                return
            await store.lock_incident(conn, event.incident.id)
            stop = await store.tombstone(conn, event.incident.id)
            if stop is not None:
                log.info(
                    "trigger arrived after its stop: no escalation",
                    incident_id=event.incident.id,
                    stop_reason=stop.reason,
                )
                return
            first_due = await self._start_run(conn, event.incident, 1, event.incident.created_at)
        self._started(first_due)

    async def on_reopened(self, event: IncidentReopened, _: Delivery | None = None) -> None:
        """Start the policy again, from step 0 counted from the reopening, as the incident's
        next run (its pages carry the run number, so none is taken for one of an earlier run).

        The earlier run was stopped when the incident was acknowledged or resolved. While a run
        is still active nothing starts: a redelivered reopen never makes a second run. Nor
        does anything start when a stop that incidents recorded after this reopen arrived
        first (its tombstone is later than the reopen)."""
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, INCIDENTS_CONSUMER, event.event_id):
                return
            await store.lock_incident(conn, event.incident.id)
            earlier = await store.lock_runs_of_incident(conn, event.incident.id)
            if any(r.status == "active" for r in earlier):
                return
            stop = await store.tombstone(conn, event.incident.id)
            if stop is not None and stop.stopped_at > event.occurred_at:
                log.info(
                    "reopen arrived after a later stop: no escalation",
                    incident_id=event.incident.id,
                    stop_reason=stop.reason,
                )
                return
            number = max((r.number for r in earlier), default=0) + 1
            first_due = await self._start_run(conn, event.incident, number, event.occurred_at)
        self._started(first_due)

    async def _start_run(
        self, conn: AsyncConnection, incident: IncidentSnapshot, number: int, start: datetime
    ) -> datetime | None:
        """Record run ``number`` of the incident with the timers of its team's policy counted
        from ``start``, and ``escalation.started`` in the outbox. Returns its first due time,
        None when the incident has that run already."""
        team_id = incident.team.id if incident.team else None
        policy = domain.choose_policy(
            await store.list_policies(conn, team_id) if team_id else [],
            team_id,
            incident.severity,
        )
        if policy is None:
            team_schedules = await store.list_schedules(conn, team_id) if team_id else []
            policy = domain.default_policy(
                team_id or "",
                team_schedules[0].id if team_schedules else None,
                self.default_minutes,
            )
        run_id = uuid.uuid4()
        created = await store.create_run(
            conn,
            {
                "id": run_id,
                "incident_id": uuid.UUID(incident.id),
                "number": number,
                "team_id": team_id,
                "policy_id": policy.id,
                "policy": msgspec.to_builtins(policy),
                "incident": {
                    "id": incident.id,
                    "short_id": incident.short_id,
                    "title": incident.title,
                    "severity": incident.severity,
                    "service": incident.service.name,
                },
                "started_at": self.clock.now(),
                "traceparent": current_traceparent(),
            },
        )
        if not created:
            return None
        planned = domain.plan(policy, start)
        rows: list[dict[str, Any]] = [
            {
                "kind": "step",
                "run_id": run_id,
                "step": p.step,
                "repeat": p.repeat,
                "due_at": p.due_at,
            }
            for p in planned
        ]
        if policy.reminder_minutes:
            rows.append(
                {
                    "kind": "reminder",
                    "run_id": run_id,
                    "step": 0,
                    "due_at": start + timedelta(minutes=policy.reminder_minutes),
                }
            )
        await store.add_timers(conn, rows)
        started = EscalationStarted(
            event_id=new_event_id(),
            occurred_at=self.clock.now(),
            incident_id=incident.id,
            run_id=str(run_id),
            policy_id=policy.id,
            policy_name=policy.name,
            first_step_due_at=planned[0].due_at if planned else None,
        )
        await emit(conn, outbox, [started])
        first_due: datetime = min(r["due_at"] for r in rows)
        return first_due

    def _started(self, first_due: datetime | None) -> None:
        if first_due is not None:
            self._on_commit()
            self._on_timer(first_due)

    async def on_stopped(
        self,
        event: IncidentAcknowledged | IncidentMitigated | IncidentResolved,
        _: Delivery | None = None,
    ) -> None:
        """Stop the incident's run: no step or reminder pages after this commits. With no
        active run to stop, the stop is remembered (a tombstone): the trigger or reopen it
        follows may still be on its way, and must not start a run when it comes. Safe to run
        twice (inbox; a stopped run stays stopped); acks once committed."""
        reason = STOP_REASONS[type(event)]
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, INCIDENTS_CONSUMER, event.event_id):
                return
            await store.lock_incident(conn, event.incident.id)
            run = await store.stop_run(conn, event.incident.id, reason, self.clock.now())
            if run is None:
                await store.remember_stop(conn, event.incident.id, reason, event.occurred_at)
                return
            stopped = EscalationStopped(
                event_id=new_event_id(),
                occurred_at=self.clock.now(),
                incident_id=event.incident.id,
                run_id=str(run.id),
                reason=reason,
            )
            await emit(conn, outbox, [stopped])
        self._on_commit()

    async def escalate_now(self, request: EscalateNow) -> EscalatedNow:
        """Fire the next pending step of the incident's active run now (a person asked, from
        a page): the scheduler fires it as any due step, once, checking first that the
        incident is still unacknowledged. NotFound without an active run, Conflict when no
        step is left. Each call moves one step."""
        now = self.clock.now()
        async with self.engine.begin() as conn:
            timer = await store.bring_next_step_forward(
                conn, request.incident_id, request.actor, now
            )
            if timer is None:
                if await store.has_active_run(conn, request.incident_id):
                    raise Conflict("every step of this incident's escalation has fired already")
                raise NotFound(
                    "this incident has no escalation running (acknowledged, resolved, or its "
                    "policy ran out of steps)"
                )
        self._on_timer(timer.due_at)
        return EscalatedNow(incident_id=request.incident_id, step=timer.step, repeat=timer.repeat)

    async def history(self, query: GetHistory) -> EscalationHistory:
        """Every step and reminder of the incident's runs: due, fired, who, how, result."""
        async with self.engine.connect() as conn:
            runs = await store.runs_of_incident(conn, query.incident_id)
            if not runs:
                return EscalationHistory(incident_id=query.incident_id)
            rows = await store.timers_of_runs(conn, [r.id for r in runs])
        by_id = {r.id: r for r in runs}
        latest = runs[-1]
        entries = []
        for run in runs:
            # A step left pending by a stopped run will never fire.
            stopped = run.status != "active"
            entries += [
                HistoryEntry(
                    kind=r.kind,
                    step=r.step,
                    repeat=r.repeat,
                    run=run.number,
                    due_at=r.due_at,
                    fired_at=r.fired_at,
                    status="cancelled" if stopped and r.status == "pending" else r.status,
                    targets=r.targets,
                    names=r.names,
                    channels=r.channels,
                    result=r.result,
                )
                for r in rows
                if by_id[r.run_id] is run
            ]
        return EscalationHistory(
            incident_id=query.incident_id,
            run_id=str(latest.id),
            policy_id=latest.policy_id,
            policy_name=latest.policy.get("name"),
            status=latest.status,
            stop_reason=latest.stop_reason,
            entries=entries,
        )
