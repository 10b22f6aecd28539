"""The only module of the ingest service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_ingest.models import alert_rules, alerts, inbox, integrations, silences

Record = Any  # a result row; columns are read by name


async def record_alert(conn: AsyncConnection, values: dict[str, Any]) -> uuid.UUID:
    alert_id = uuid.uuid4()
    # Parameters, not .values(): the compiled INSERT is reused instead of rebuilt per alert.
    await conn.execute(alerts.insert(), {"id": alert_id, **values})
    return alert_id


async def record_alerts(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many alert rows in one statement (each row brings its own ``id``)."""
    if rows:
        await conn.execute(alerts.insert(), list(rows))


async def claim_events(conn: AsyncConnection, consumer: str, event_ids: Sequence[str]) -> set[str]:
    """Record the events as processed by ``consumer``; answer those that were not already."""
    if not event_ids:
        return set()
    result = await conn.execute(
        insert(inbox)
        .values([{"consumer": consumer, "event_id": e} for e in dict.fromkeys(event_ids)])
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return {r.event_id for r in result}


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


async def insert_integration(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    return (
        await conn.execute(integrations.insert().values(**values).returning(*integrations.c))
    ).one()


async def list_integrations(conn: AsyncConnection) -> list[Record]:
    query = (
        select(integrations)
        .where(integrations.c.deleted_at.is_(None))
        .order_by(integrations.c.created_at.desc())
    )
    return list((await conn.execute(query)).all())


async def find_integration(
    conn: AsyncConnection, *, id: uuid.UUID | None = None, secret_hash: str | None = None
) -> Record | None:
    query = select(integrations).where(integrations.c.deleted_at.is_(None))
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
        .returning(*integrations.c)
    )
    return (await conn.execute(statement)).first()


async def delete_integration(conn: AsyncConnection, id: uuid.UUID) -> Record | None:
    statement = (
        update(integrations)
        .where(integrations.c.id == id, integrations.c.deleted_at.is_(None))
        .values(deleted_at=func.now())
        .returning(*integrations.c)
    )
    return (await conn.execute(statement)).first()


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
