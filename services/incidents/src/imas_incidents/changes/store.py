"""SQL of changes: recorded per service, noted on the timeline of its unresolved incidents."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.catalog import Ref
from imas_contracts.changes import Change, ChangeLink
from imas_incidents.models import changes, incidents, services, timeline

Record = Any


def change_of(row: Record) -> Change:
    """The contract view of a changes row."""
    m = row._mapping
    service = Ref(id=str(m["service_id"]), name=m["service_name"]) if m["service_id"] else None
    return Change(
        id=str(m["id"]),
        service=service,
        service_name=m["service_name"],
        summary=m["summary"],
        source=m["source"],
        occurred_at=m["occurred_at"],
        received_at=m["received_at"],
        links=[ChangeLink(href=link["href"], text=link.get("text", "")) for link in m["links"]],
        custom_details=dict(m["custom_details"]),
        integration_id=m["integration_id"],
        incident_ids=list(m["incident_ids"]),
    )


async def service_id(conn: AsyncConnection, name: str) -> uuid.UUID | None:
    """The id of the catalog's service named ``name``, if there is one."""
    query = select(services.c.id).where(services.c.name == name)
    found: uuid.UUID | None = (await conn.execute(query)).scalar_one_or_none()
    return found


async def service_by_id(conn: AsyncConnection, ref: uuid.UUID) -> str | None:
    """The name of the catalog's service with id ``ref``, if there is one."""
    query = select(services.c.name).where(services.c.id == ref)
    found: str | None = (await conn.execute(query)).scalar_one_or_none()
    return found


async def unresolved_incidents(conn: AsyncConnection, service: uuid.UUID) -> list[str]:
    """The ids of the service's incidents that are not resolved, oldest first."""
    query = (
        select(incidents.c.id)
        .where(incidents.c.service_id == service, incidents.c.status != "RESOLVED")
        .order_by(incidents.c.created_at)
    )
    return [str(r) for r in (await conn.execute(query)).scalars()]


async def changes_before(
    conn: AsyncConnection,
    incident_id: str,
    service: uuid.UUID,
    since: datetime,
    until: datetime,
) -> list[Change]:
    """The service's changes that occurred in [since, until), oldest first, but those the
    incident's timeline already has a ``CHANGE`` line of (its ``ref_id``)."""
    noted = exists().where(
        and_(
            timeline.c.incident_id == uuid.UUID(incident_id),
            timeline.c.type == "CHANGE",
            timeline.c.ref_id == cast(changes.c.id, Text),
        )
    )
    query = (
        select(changes)
        .where(
            changes.c.service_id == service,
            changes.c.occurred_at >= since,
            changes.c.occurred_at < until,
            ~noted,
        )
        .order_by(changes.c.occurred_at, changes.c.received_at)
    )
    return [change_of(r) for r in (await conn.execute(query)).all()]


async def insert_change(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    """Record a change; False when one with its id was already recorded."""
    statement = insert(changes).values(**values).on_conflict_do_nothing(index_elements=["id"])
    return bool((await conn.execute(statement)).rowcount)


async def get_change(conn: AsyncConnection, change_id: uuid.UUID) -> Change | None:
    row = (await conn.execute(select(changes).where(changes.c.id == change_id))).first()
    return change_of(row) if row is not None else None


async def list_changes(
    conn: AsyncConnection,
    *,
    service: uuid.UUID | None,
    service_name: str,
    offset: int,
    limit: int,
) -> tuple[int, list[Change]]:
    """A page of changes, newest first, of one service (by id, or by the name it was sent
    with when the catalog does not know it) or of all; and how many there are in all."""
    where = []
    if service is not None:
        where.append(or_(changes.c.service_id == service, changes.c.service_name == service_name))
    elif service_name:
        where.append(changes.c.service_name == service_name)
    count = (await conn.execute(select(func.count()).select_from(changes).where(*where))).scalar()
    query = (
        select(changes)
        .where(*where)
        .order_by(changes.c.occurred_at.desc(), changes.c.received_at.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(count or 0), [change_of(r) for r in (await conn.execute(query)).all()]
