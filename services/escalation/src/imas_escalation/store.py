"""The only module of the escalation service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.escalation import PolicySpec, ScheduleSpec
from imas_escalation.domain import Directory
from imas_escalation.models import (
    catalog,
    heartbeats,
    inbox,
    policies,
    runs,
    schedules,
    timers,
    tombstones,
)
from imas_runtime.catalog_projection import CatalogProjection

Record = Any

# The teams and people of the catalog (what steps and schedules name), fed by
# ``escalation--CATALOG``; other kinds are acknowledged and not kept.
catalog_projection = CatalogProjection(
    catalog, inbox, "escalation--CATALOG", kinds=("team", "person")
)


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# -- catalog projection -------------------------------------------------------------------------


async def load_directory(conn: AsyncConnection) -> Directory:
    entries = await catalog_projection.load(conn)
    return Directory(teams=entries["team"], people=entries["person"])


# -- configuration ------------------------------------------------------------------------------


async def put_config(conn: AsyncConnection, table: Table, spec: ScheduleSpec | PolicySpec) -> None:
    values = {
        "id": uuid.UUID(spec.id),
        "team_id": spec.team_id,
        "name": spec.name,
        "spec": msgspec.to_builtins(spec),
    }
    await conn.execute(
        insert(table)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[table.c.id], set_={**values, "updated_at": func.now()}
        )
    )


async def get_schedule(conn: AsyncConnection, id_: str) -> ScheduleSpec | None:
    key = parse_uuid(id_)
    if key is None:
        return None
    row = (await conn.execute(select(schedules.c.spec).where(schedules.c.id == key))).first()
    return msgspec.convert(row.spec, ScheduleSpec) if row else None


async def list_schedules(
    conn: AsyncConnection, team_id: str | None = None, ids: Iterable[str] | None = None
) -> list[ScheduleSpec]:
    query = select(schedules.c.spec).order_by(schedules.c.team_id, schedules.c.name)
    if team_id is not None:
        query = query.where(schedules.c.team_id == team_id)
    if ids is not None:
        keys = [k for k in (parse_uuid(i) for i in ids) if k is not None]
        query = query.where(schedules.c.id.in_(keys))
    return [msgspec.convert(r.spec, ScheduleSpec) for r in (await conn.execute(query)).all()]


async def get_policy(conn: AsyncConnection, id_: str) -> PolicySpec | None:
    key = parse_uuid(id_)
    if key is None:
        return None
    row = (await conn.execute(select(policies.c.spec).where(policies.c.id == key))).first()
    return msgspec.convert(row.spec, PolicySpec) if row else None


async def list_policies(conn: AsyncConnection, team_id: str | None = None) -> list[PolicySpec]:
    query = select(policies.c.spec).order_by(policies.c.team_id, policies.c.name)
    if team_id is not None:
        query = query.where(policies.c.team_id == team_id)
    return [msgspec.convert(r.spec, PolicySpec) for r in (await conn.execute(query)).all()]


async def delete_config(conn: AsyncConnection, table: Table, id_: str) -> bool:
    key = parse_uuid(id_)
    if key is None:
        return False
    result = await conn.execute(delete(table).where(table.c.id == key).returning(table.c.id))
    return result.first() is not None


# -- runs ---------------------------------------------------------------------------------------


async def create_run(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    """Record a run; False when the incident has one with that ``number`` already."""
    result = await conn.execute(
        insert(runs).values(**values).on_conflict_do_nothing().returning(runs.c.id)
    )
    return result.first() is not None


async def lock_runs_of_incident(conn: AsyncConnection, incident_id: str) -> list[Record]:
    """The incident's runs (number, status), locked until commit: a stop or another start for
    the same incident waits for this transaction."""
    key = parse_uuid(incident_id)
    if key is None:
        return []
    query = (
        select(runs.c.id, runs.c.number, runs.c.status)
        .where(runs.c.incident_id == key)
        .order_by(runs.c.number)
        .with_for_update()
    )
    return list((await conn.execute(query)).all())


async def lock_incident(conn: AsyncConnection, incident_id: str) -> None:
    """Hold the incident's lock until commit: its starts and stops, whichever replica handles
    them, happen one after the other (a stop never misses a run being created beside it)."""
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:id, 0))"), {"id": incident_id}
    )


async def remember_stop(conn: AsyncConnection, incident_id: str, reason: str, at: datetime) -> None:
    """Record that the incident was stopped at ``at`` with no run to stop (the latest stop
    wins)."""
    key = parse_uuid(incident_id)
    if key is None:
        return
    statement = insert(tombstones).values(incident_id=key, reason=reason, stopped_at=at)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[tombstones.c.incident_id],
            set_={"reason": statement.excluded.reason, "stopped_at": statement.excluded.stopped_at},
            where=tombstones.c.stopped_at <= statement.excluded.stopped_at,
        )
    )


async def tombstone(conn: AsyncConnection, incident_id: str) -> Record | None:
    """The latest stop of the incident that found no run to stop, if any."""
    key = parse_uuid(incident_id)
    if key is None:
        return None
    query = select(tombstones).where(tombstones.c.incident_id == key)
    return (await conn.execute(query)).first()


async def add_timers(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Add timers (``kind``, ``due_at`` and ``run_id`` or ``schedule_id``); a timer a run has
    already is skipped."""
    if rows:
        defaults = {"run_id": None, "schedule_id": None, "step": 0, "repeat": 0}
        await conn.execute(
            insert(timers).on_conflict_do_nothing(), [{**defaults, **r} for r in rows]
        )


async def stop_run(
    conn: AsyncConnection, incident_id: str, reason: str, at: datetime
) -> Record | None:
    """Stop the incident's active run. The row lock makes a firing transaction that already
    checked the run finish first, and one that has not yet checked see it stopped."""
    key = parse_uuid(incident_id)
    if key is None:
        return None
    row = (
        await conn.execute(
            select(runs.c.id, runs.c.incident_id)
            .where(runs.c.incident_id == key, runs.c.status == "active")
            .with_for_update()
        )
    ).first()
    if row is None:
        return None
    await conn.execute(
        update(runs)
        .where(runs.c.id == row.id)
        .values(status="stopped", stop_reason=reason, stopped_at=at)
    )
    return row


async def lock_due(conn: AsyncConnection, now: datetime, limit: int) -> list[Record]:
    """Pending timers due by ``now``, locked; those another replica holds are skipped."""
    query = (
        select(timers)
        .where(timers.c.status == "pending", timers.c.due_at <= now)
        .order_by(timers.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await conn.execute(query)).all())


async def bring_next_step_forward(
    conn: AsyncConnection, incident_id: str, actor: str, now: datetime
) -> Record | None:
    """Make the earliest pending step of the incident's active run due ``now``, naming
    ``actor`` as who asked; answers the timer (None when there is no active run or no step
    left: ``has_active_run`` tells which). The run is share-locked, as firing locks it: a stop
    committed first is seen, one not yet committed waits."""
    key = parse_uuid(incident_id)
    if key is None:
        return None
    run = (
        await conn.execute(
            select(runs.c.id)
            .where(runs.c.incident_id == key, runs.c.status == "active")
            .with_for_update(read=True)
        )
    ).first()
    if run is None:
        return None
    nearest = (
        select(timers.c.id)
        .where(timers.c.run_id == run.id, timers.c.kind == "step", timers.c.status == "pending")
        .order_by(timers.c.due_at, timers.c.repeat, timers.c.step)
        .limit(1)
        .with_for_update()
        .scalar_subquery()
    )
    query = (
        update(timers)
        .where(timers.c.id == nearest)
        .values(due_at=func.least(timers.c.due_at, now), requested_by=actor)
        .returning(timers)
    )
    return (await conn.execute(query)).first()


async def has_active_run(conn: AsyncConnection, incident_id: str) -> bool:
    key = parse_uuid(incident_id)
    if key is None:
        return False
    query = select(runs.c.id).where(runs.c.incident_id == key, runs.c.status == "active")
    return (await conn.execute(query)).first() is not None


async def share_active_runs(conn: AsyncConnection, run_ids: Iterable[uuid.UUID]) -> dict[Any, Any]:
    """The runs among ``run_ids`` that are still active, share-locked until commit.

    Read under the lock: an acknowledgement committed before this statement is seen, and one
    not yet committed waits for this transaction (its step fired before the ack).
    """
    ids = list(set(run_ids))
    if not ids:
        return {}
    query = (
        select(runs).where(runs.c.id.in_(ids), runs.c.status == "active").with_for_update(read=True)
    )
    return {r.id: r for r in (await conn.execute(query)).all()}


async def mark_fired(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(
            update(timers)
            .where(timers.c.id == bindparam("timer_id"))
            .values(
                status=bindparam("status"),
                fired_at=bindparam("fired_at"),
                targets=bindparam("targets"),
                names=bindparam("names"),
                channels=bindparam("channels"),
                result=bindparam("result"),
            ),
            list(rows),
        )


async def hold_run(
    conn: AsyncConnection,
    run_id: Any,
    timer_id: Any,
    first_due: datetime,
    until: datetime,
    service: str,
    now: datetime,
    window: str = "",
) -> None:
    """Hold a run until ``until`` (its service's maintenance ends): every pending timer of
    the run moves by the time held, so the steps keep their spacing after it; ``timer_id``,
    the one that was due, is marked held ``now``."""
    shift = until - first_due
    await conn.execute(
        update(timers)
        .where(timers.c.run_id == run_id, timers.c.status == "pending")
        .values(
            due_at=timers.c.due_at + shift,
            held_service=service,
            held_until=until,
            held_window=window,
        )
    )
    await conn.execute(
        update(timers)
        .where(timers.c.id == timer_id)
        .values(held_at=func.coalesce(timers.c.held_at, now))
    )


async def end_hold(conn: AsyncConnection, service: str, end: datetime) -> datetime | None:
    """A maintenance of ``service`` that ends (or now ends) at ``end``, earlier than the
    timers it held were moved to: they move back by the difference (those a silence held
    wait for the silence's window). Answers the earliest new due time (None when nothing
    moved)."""
    moved = (
        await conn.execute(
            update(timers)
            .where(
                timers.c.status == "pending",
                timers.c.held_service == service,
                timers.c.held_until > end,
                # Held by the service's maintenance, not by a silence of the service.
                func.coalesce(timers.c.held_window, "").not_like("silence %"),
            )
            .values(due_at=timers.c.due_at - (timers.c.held_until - end), held_until=end)
            .returning(timers.c.due_at)
        )
    ).all()
    return min((r.due_at for r in moved), default=None)


async def runs_with_pending_steps(conn: AsyncConnection, run_ids: Iterable[Any]) -> set[Any]:
    ids = list(set(run_ids))
    if not ids:
        return set()
    query = (
        select(timers.c.run_id)
        .where(timers.c.run_id.in_(ids), timers.c.kind == "step", timers.c.status == "pending")
        .distinct()
    )
    return set((await conn.execute(query)).scalars())


async def end_runs(
    conn: AsyncConnection,
    run_ids: Iterable[Any],
    reason: str,
    at: datetime,
    status: str | None = None,
) -> None:
    """End the active runs of ``run_ids``: status ``status`` (``reason`` when None)."""
    ids = list(run_ids)
    if ids:
        await conn.execute(
            update(runs)
            .where(runs.c.id.in_(ids), runs.c.status == "active")
            .values(status=status or reason, stop_reason=reason, stopped_at=at)
        )


async def next_due(conn: AsyncConnection) -> datetime | None:
    query = select(func.min(timers.c.due_at)).where(timers.c.status == "pending")
    value: datetime | None = (await conn.execute(query)).scalar()
    return value


async def cancel_handoffs(conn: AsyncConnection, schedule_id: str) -> None:
    await conn.execute(
        update(timers)
        .where(
            timers.c.schedule_id == uuid.UUID(schedule_id),
            timers.c.kind == "handoff",
            timers.c.status == "pending",
        )
        .values(status="cancelled")
    )


async def runs_of_incident(conn: AsyncConnection, incident_id: str) -> list[Record]:
    """The incident's runs, first (its trigger's) to latest (its last reopen's)."""
    key = parse_uuid(incident_id)
    if key is None:
        return []
    query = select(runs).where(runs.c.incident_id == key).order_by(runs.c.number)
    return list((await conn.execute(query)).all())


async def timers_of_runs(conn: AsyncConnection, run_ids: Sequence[Any]) -> list[Record]:
    if not run_ids:
        return []
    query = (
        select(timers).where(timers.c.run_id.in_(run_ids)).order_by(timers.c.due_at, timers.c.id)
    )
    return list((await conn.execute(query)).all())


# -- heartbeats ---------------------------------------------------------------------------------


async def beat(conn: AsyncConnection, replica: str, at: datetime) -> None:
    await conn.execute(
        insert(heartbeats)
        .values(replica=replica, ticked_at=at)
        .on_conflict_do_update(index_elements=[heartbeats.c.replica], set_={"ticked_at": at})
    )


async def last_beat(conn: AsyncConnection) -> datetime | None:
    value: datetime | None = (await conn.execute(select(func.max(heartbeats.c.ticked_at)))).scalar()
    return value
