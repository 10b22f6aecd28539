"""The only module of the ingest service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_ingest.models import alert_rules, alerts, heartbeats, integrations, silences
from imas_runtime.db import driver_of

Record = Any  # a result row; columns are read by name


async def record_alert(conn: AsyncConnection, values: dict[str, Any]) -> uuid.UUID:
    alert_id = uuid.uuid4()
    # Parameters, not .values(): the compiled INSERT is reused instead of rebuilt per alert.
    await conn.execute(alerts.insert(), {"id": alert_id, **values})
    return alert_id


# The columns of an alert row, in the order of the tuples record_alerts copies.
ALERT_COLUMNS = (
    "id",
    "source",
    "fingerprint",
    "title",
    "name",
    "service_name",
    "severity",
    "dedup_key",
    "incident_id",
    "opened_incident",
    "received_at",
    "integration_id",
    "status",
    "outcome",
    "labels",
    "raw",
    "detected_at",
    "event_id",
    "suppressed_by",
)
_json = msgspec.json.Encoder()


def json_text(value: Any) -> str | None:
    """A JSONB value as the connection takes it: JSON text (None stays NULL)."""
    return None if value is None else _json.encode(value).decode()


async def record_alerts(conn: AsyncConnection, rows: Sequence[Sequence[Any]]) -> None:
    """Copy many alert rows at once (tuples in :data:`ALERT_COLUMNS` order, each with its
    own ``id``, JSONB columns as JSON text): one COPY, no statement to build."""
    if rows:
        driver = await driver_of(conn)
        await driver.copy_records_to_table("alerts", records=rows, columns=ALERT_COLUMNS)


async def claim_events(conn: AsyncConnection, consumer: str, event_ids: Sequence[str]) -> set[str]:
    """Record the events as processed by ``consumer``; answer those that were not already."""
    if not event_ids:
        return set()
    driver = await driver_of(conn)
    rows = await driver.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1::text, e FROM unnest($2::text[]) AS e"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(dict.fromkeys(event_ids)),
    )
    return {r["event_id"] for r in rows}


async def processed_events(
    conn: AsyncConnection, consumer: str, event_ids: Sequence[str]
) -> set[str]:
    """Those of ``event_ids`` that ``consumer`` already recorded as processed."""
    if not event_ids:
        return set()
    driver = await driver_of(conn)
    rows = await driver.fetch(
        "SELECT event_id FROM inbox WHERE consumer = $1 AND event_id = ANY($2::text[])",
        consumer,
        list(dict.fromkeys(event_ids)),
    )
    return {r["event_id"] for r in rows}


async def list_alerts(
    conn: AsyncConnection,
    *,
    integration: uuid.UUID | None,
    outcome: str,
    fingerprint: str,
    limit: int,
    offset: int,
) -> tuple[int, list[Record]]:
    conditions = []
    if integration is not None:
        conditions.append(alerts.c.integration_id == integration)
    if outcome:
        conditions.append(alerts.c.outcome == outcome)
    if fingerprint:
        conditions.append(alerts.c.fingerprint == fingerprint)
    count = (
        await conn.execute(select(func.count()).select_from(alerts).where(*conditions))
    ).scalar_one()
    rows = (
        await conn.execute(
            select(alerts)
            .where(*conditions)
            .order_by(alerts.c.received_at.desc(), alerts.c.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return int(count), list(rows)


# -- integrations -------------------------------------------------------------------------------


# An integration's row with its heartbeat's columns (NULL for every other type).
_HEARTBEAT_COLUMNS = (
    heartbeats.c.interval_seconds,
    heartbeats.c.grace_seconds,
    heartbeats.c.status.label("heartbeat_status"),
    heartbeats.c.last_ping_at,
    heartbeats.c.due_at,
)
_WITH_HEARTBEAT = integrations.outerjoin(
    heartbeats, heartbeats.c.integration_id == integrations.c.id
)


def _integrations() -> Any:
    return (
        select(integrations, *_HEARTBEAT_COLUMNS)
        .select_from(_WITH_HEARTBEAT)
        .where(integrations.c.deleted_at.is_(None))
    )


async def insert_integration(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    await conn.execute(integrations.insert().values(**values))
    row = await find_integration(conn, id=values["id"])
    assert row is not None
    return row


async def list_integrations(conn: AsyncConnection) -> list[Record]:
    query = _integrations().order_by(integrations.c.created_at.desc())
    return list((await conn.execute(query)).all())


async def find_integration(
    conn: AsyncConnection, *, id: uuid.UUID | None = None, secret_hash: str | None = None
) -> Record | None:
    query = _integrations()
    if id is not None:
        query = query.where(integrations.c.id == id)
    if secret_hash is not None:
        query = query.where(integrations.c.secret_hash == secret_hash)
    return (await conn.execute(query)).first()


async def update_integration(
    conn: AsyncConnection, id: uuid.UUID, values: dict[str, Any]
) -> Record | None:
    statement = (
        update(integrations)
        .where(integrations.c.id == id, integrations.c.deleted_at.is_(None))
        .values(**values)
        .returning(integrations.c.id)
    )
    if (await conn.execute(statement)).first() is None:
        return None
    return await find_integration(conn, id=id)


async def delete_integration(conn: AsyncConnection, id: uuid.UUID) -> Record | None:
    """Disable an integration; its heartbeat, if any, is watched no more."""
    row = await find_integration(conn, id=id)
    if row is None:
        return None
    await conn.execute(
        update(integrations).where(integrations.c.id == id).values(deleted_at=func.now())
    )
    await conn.execute(heartbeats.delete().where(heartbeats.c.integration_id == id))
    return row


# -- heartbeats ---------------------------------------------------------------------------------


async def add_heartbeat(
    conn: AsyncConnection, integration_id: uuid.UUID, interval: float, grace: float
) -> None:
    await conn.execute(
        heartbeats.insert().values(
            integration_id=integration_id, interval_seconds=interval, grace_seconds=grace
        )
    )


async def time_heartbeat(
    conn: AsyncConnection, integration_id: uuid.UUID, interval: float, grace: float
) -> None:
    """A new interval or grace; an ``up`` heartbeat's deadline moves with them at once."""
    await conn.execute(
        update(heartbeats)
        .where(heartbeats.c.integration_id == integration_id)
        .values(
            interval_seconds=interval,
            grace_seconds=grace,
            due_at=heartbeats.c.last_ping_at + _seconds(interval + grace),
        )
    )


def _seconds(seconds: float) -> Any:
    return func.make_interval(0, 0, 0, 0, 0, 0, seconds)


async def ping_heartbeat(
    conn: AsyncConnection, integration_id: uuid.UUID, at: datetime
) -> str | None:
    """Record a ping at ``at``: the heartbeat is ``up`` until ``at`` + interval + grace.
    Answers its status before the ping (None: no such heartbeat). The row is locked until
    commit, so a ping and a claim of the same deadline happen one after the other."""
    row = (
        await conn.execute(
            select(heartbeats.c.status, heartbeats.c.interval_seconds, heartbeats.c.grace_seconds)
            .where(heartbeats.c.integration_id == integration_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        return None
    await conn.execute(
        update(heartbeats)
        .where(heartbeats.c.integration_id == integration_id)
        .values(
            status="up",
            last_ping_at=at,
            due_at=at + timedelta(seconds=row.interval_seconds + row.grace_seconds),
        )
    )
    return str(row.status)


async def claim_overdue(conn: AsyncConnection, now: datetime, limit: int) -> list[Record]:
    """Mark ``down`` up to ``limit`` heartbeats whose deadline passed by ``now``, with their
    integration's name and service; other replicas skip them (SKIP LOCKED), and a heartbeat
    pinged meanwhile is no longer ``up`` past its deadline."""
    overdue = (
        select(heartbeats.c.integration_id)
        .where(heartbeats.c.status == "up", heartbeats.c.due_at <= now)
        .order_by(heartbeats.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("overdue")
    )
    marked = (
        update(heartbeats)
        .where(heartbeats.c.integration_id.in_(select(overdue.c.integration_id)))
        .values(status="down")
        .returning(
            heartbeats.c.integration_id,
            heartbeats.c.due_at,
            heartbeats.c.last_ping_at,
            heartbeats.c.interval_seconds,
            heartbeats.c.grace_seconds,
        )
        .cte("marked")
    )
    query = select(marked, integrations.c.name, integrations.c.service).join(
        integrations, integrations.c.id == marked.c.integration_id
    )
    return list((await conn.execute(query)).all())


async def next_deadline(conn: AsyncConnection) -> datetime | None:
    """The earliest deadline of an ``up`` heartbeat."""
    query = select(func.min(heartbeats.c.due_at)).where(heartbeats.c.status == "up")
    found: datetime | None = (await conn.execute(query)).scalar()
    return found


# -- alert rules and silences -------------------------------------------------------------------


async def save_rule(
    conn: AsyncConnection, id: uuid.UUID, position: int, name: str, spec: dict[str, Any]
) -> None:
    await conn.execute(
        insert(alert_rules)
        .values(id=id, position=position, name=name, spec=spec)
        .on_conflict_do_update(
            index_elements=[alert_rules.c.id],
            set_={"position": position, "name": name, "spec": spec},
        )
    )


async def list_rules(conn: AsyncConnection) -> list[Record]:
    query = select(alert_rules).order_by(alert_rules.c.position, alert_rules.c.created_at)
    return list((await conn.execute(query)).all())


async def delete_rule(conn: AsyncConnection, id: uuid.UUID) -> Record | None:
    statement = alert_rules.delete().where(alert_rules.c.id == id).returning(*alert_rules.c)
    return (await conn.execute(statement)).first()


async def insert_silence(
    conn: AsyncConnection, id: uuid.UUID, spec: dict[str, Any], starts: datetime, ends: datetime
) -> None:
    await conn.execute(silences.insert().values(id=id, spec=spec, starts_at=starts, ends_at=ends))


async def list_silences(conn: AsyncConnection, *, ending_after: datetime | None) -> list[Record]:
    query = select(silences).order_by(silences.c.starts_at)
    if ending_after is not None:
        query = query.where(silences.c.ends_at > ending_after)
    return list((await conn.execute(query)).all())


async def end_silence(conn: AsyncConnection, id: uuid.UUID, at: datetime) -> Record | None:
    row = (await conn.execute(select(silences).where(silences.c.id == id))).first()
    if row is None:
        return None
    ends = min(row.ends_at, at)
    spec = {**row.spec, "ends_at": ends.isoformat()}
    statement = (
        update(silences)
        .where(silences.c.id == id)
        .values(ends_at=ends, spec=spec)
        .returning(*silences.c)
    )
    return (await conn.execute(statement)).one()
