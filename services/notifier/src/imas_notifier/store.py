"""The only module of the notifier service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_notifier.domain import Page
from imas_notifier.models import deliveries

Record = Any


async def add_pages(
    conn: AsyncConnection, incident_id: str, pages: Sequence[Page]
) -> list[uuid.UUID]:
    """Record pages to send; a page whose idempotency key exists already is skipped."""
    if not pages:
        return []
    statement = (
        insert(deliveries)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "incident_id": uuid.UUID(incident_id),
                    "idempotency_key": p.idempotency_key,
                    "channel": p.channel,
                    "provider": p.provider,
                    "recipient": p.recipient,
                    "message": p.message,
                }
                for p in pages
            ]
        )
        .on_conflict_do_nothing(index_elements=[deliveries.c.idempotency_key])
        .returning(deliveries.c.id)
    )
    return list((await conn.execute(statement)).scalars())


async def lock_pending(conn: AsyncConnection, delivery_id: uuid.UUID) -> Record | None:
    """The delivery if it is still pending and nobody else is sending it right now."""
    query = (
        select(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.status == "pending")
        .with_for_update(skip_locked=True)
    )
    return (await conn.execute(query)).first()


async def due_ids(conn: AsyncConnection, limit: int = 100) -> list[uuid.UUID]:
    query = (
        select(deliveries.c.id)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= func.now())
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars())


async def mark_sent(conn: AsyncConnection, delivery_id: uuid.UUID, attempts: int) -> None:
    await conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(status="sent", attempts=attempts, sent_at=func.now(), last_error=None)
    )


async def mark_attempt_failed(
    conn: AsyncConnection,
    delivery_id: uuid.UUID,
    attempts: int,
    error: str,
    retry_in: float | None,
) -> None:
    """Schedule another attempt in ``retry_in`` seconds, or give up when it is None."""
    values: dict[str, Any] = {"attempts": attempts, "last_error": error[:2000]}
    if retry_in is None:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = func.now() + text(f"interval '{retry_in} seconds'")
    await conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))


async def list_for_incident(conn: AsyncConnection, incident_id: str) -> list[Record]:
    query = (
        select(deliveries)
        .where(deliveries.c.incident_id == uuid.UUID(incident_id))
        .order_by(deliveries.c.created_at)
    )
    return list((await conn.execute(query)).all())
