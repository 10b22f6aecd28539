"""Use cases of escalation runs: start on incidents.triggered, stop on acknowledge / mitigate /
resolve, start again on reopen, and the history of an incident's escalation. Each owns its
transaction and writes the events it causes to the outbox in it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import new_event_id
from imas_contracts.escalation import (
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
from imas_escalation.scheduler import Clock, SystemClock
from imas_runtime.consumer import Delivery
from imas_runtime.outbox import claim, outbox_rows

INCIDENTS_CONSUMER = "escalation--INCIDENTS"

StopReason = Literal["acknowledged", "mitigated", "resolved"]
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
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self._on_commit = on_commit
        self._on_timer = on_timer

    async def on_triggered(self, event: IncidentTriggered, _: Delivery | None = None) -> None:
        """Start the team's policy for a new incident: one timer per step and round, counted
        from the incident's creation. Safe to run twice (inbox, and one first run per
        incident); acks once the run and its timers are committed."""
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, INCIDENTS_CONSUMER, event.event_id):
                return
            first_due = await self._start_run(conn, event.incident, 1, event.incident.created_at)
        self._started(first_due)

    async def on_reopened(self, event: IncidentReopened, _: Delivery | None = None) -> None:
        """Start the policy again, from step 0 counted from the reopening, as the incident's
        next run (its pages carry the run number, so none is taken for one of an earlier run).

        The earlier run was stopped when the incident was acknowledged or resolved. While a run
        is still active nothing starts: a redelivered reopen never makes a second run."""
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, INCIDENTS_CONSUMER, event.event_id):
                return
            earlier = await store.lock_runs_of_incident(conn, event.incident.id)
            if any(r.status == "active" for r in earlier):
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
                team_id or "", team_schedules[0].id if team_schedules else None
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
        await conn.execute(outbox.insert(), outbox_rows([started]))
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
        """Stop the incident's run: no step or reminder pages after this commits. Safe to run
        twice (inbox; a stopped run stays stopped); acks once committed."""
        reason = STOP_REASONS[type(event)]
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, INCIDENTS_CONSUMER, event.event_id):
                return
            run = await store.stop_run(conn, event.incident.id, reason, self.clock.now())
            if run is None:
                return
            stopped = EscalationStopped(
                event_id=new_event_id(),
                occurred_at=self.clock.now(),
                incident_id=event.incident.id,
                run_id=str(run.id),
                reason=reason,
            )
            await conn.execute(outbox.insert(), outbox_rows([stopped]))
        self._on_commit()

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
