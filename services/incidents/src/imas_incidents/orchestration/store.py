"""SQL of orchestrations: what a new incident's automatic actions came to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_incidents.models import orchestrations

Record = Any


async def lock_open(conn: AsyncConnection, incident_id: str) -> Record | None:
    """The incident's orchestration while it is not complete, locked until the transaction
    ends (events about one incident arrive on several streams at once)."""
    query = (
        select(orchestrations)
        .where(
            orchestrations.c.incident_id == uuid.UUID(incident_id),
            orchestrations.c.completed_at.is_(None),
        )
        .with_for_update()
    )
    return (await conn.execute(query)).first()


async def save(
    conn: AsyncConnection,
    incident_id: uuid.UUID,
    state: dict[str, object],
    completed_at: datetime | None = None,
) -> None:
    await conn.execute(
        update(orchestrations)
        .where(orchestrations.c.incident_id == incident_id)
        .values(state=state, completed_at=completed_at)
    )


async def lock_overdue(conn: AsyncConnection, now: datetime, limit: int = 100) -> list[Record]:
    """Orchestrations past their deadline, not complete, that no other replica holds."""
    query = (
        select(orchestrations)
        .where(orchestrations.c.completed_at.is_(None), orchestrations.c.deadline_at <= now)
        .order_by(orchestrations.c.deadline_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await conn.execute(query)).all())
