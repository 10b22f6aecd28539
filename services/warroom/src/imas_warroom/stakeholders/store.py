"""SQL of incident roles and subscribers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_warroom.models import incident_roles, role_definitions, subscribers
from imas_warroom.store import Record


async def load_role_definitions(conn: AsyncConnection) -> list[tuple[str, str]]:
    """The configured roles (name, description), in order; none when not configured."""
    query = select(role_definitions).order_by(role_definitions.c.position)
    return [(r.name, r.description) for r in (await conn.execute(query)).all()]


async def replace_role_definitions(conn: AsyncConnection, roles: list[tuple[str, str]]) -> None:
    await conn.execute(delete(role_definitions))
    if roles:
        rows = [{"position": i, "name": n, "description": d} for i, (n, d) in enumerate(roles)]
        await conn.execute(insert(role_definitions), rows)


async def role_holders(conn: AsyncConnection, incident_id: str) -> dict[str, Record]:
    """Who holds each role of the incident, by role."""
    query = select(incident_roles).where(incident_roles.c.incident_id == uuid.UUID(incident_id))
    return {r.role: r for r in (await conn.execute(query)).all()}


async def set_role(
    conn: AsyncConnection,
    incident_id: str,
    role: str,
    person_id: str,
    name: str,
    actor: str,
    at: datetime,
) -> None:
    values = {"person_id": person_id, "name": name, "assigned_by": actor, "assigned_at": at}
    await conn.execute(
        insert(incident_roles)
        .values(incident_id=uuid.UUID(incident_id), role=role, **values)
        .on_conflict_do_update(index_elements=["incident_id", "role"], set_=values)
    )


async def clear_role(conn: AsyncConnection, incident_id: str, role: str) -> None:
    await conn.execute(
        delete(incident_roles).where(
            incident_roles.c.incident_id == uuid.UUID(incident_id), incident_roles.c.role == role
        )
    )


async def list_subscribers(conn: AsyncConnection, incident_id: str) -> list[Record]:
    query = (
        select(subscribers)
        .where(subscribers.c.incident_id == uuid.UUID(incident_id))
        .order_by(subscribers.c.added_at, subscribers.c.id)
    )
    return list((await conn.execute(query)).all())


async def add_subscriber(
    conn: AsyncConnection, incident_id: str, kind: str, ref: str, name: str, actor: str
) -> bool:
    """Add a subscriber once; whether this call added it."""
    result = await conn.execute(
        insert(subscribers)
        .values(
            id=uuid.uuid4(),
            incident_id=uuid.UUID(incident_id),
            kind=kind,
            ref=ref,
            name=name,
            added_by=actor,
        )
        .on_conflict_do_nothing(index_elements=["incident_id", "kind", "ref"])
    )
    return bool(result.rowcount)


async def remove_subscriber(
    conn: AsyncConnection, incident_id: str, *, id: str = "", kind: str = "", ref: str = ""
) -> Record | None:
    """Remove a subscriber, by id or by (kind, ref); the row removed, None when there was
    none."""
    condition = subscribers.c.incident_id == uuid.UUID(incident_id)
    if id:
        try:
            condition &= subscribers.c.id == uuid.UUID(id)
        except ValueError:
            return None
    else:
        condition &= (subscribers.c.kind == kind) & (subscribers.c.ref == ref)
    found = await conn.execute(delete(subscribers).where(condition).returning(subscribers))
    return found.first()
