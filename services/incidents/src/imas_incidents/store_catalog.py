"""SQL of the catalog (teams, services, impact scopes, people, tag rules)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_incidents.models import incidents, people, scopes, services, tag_rules, teams

Record = Any

TABLES: dict[str, Table] = {
    "team": teams,
    "service": services,
    "scope": scopes,
    "person": people,
    "tag_rule": tag_rules,
}
# The natural key by which an entry is named in files and URLs.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "team": ("name", "slug"),
    "service": ("name",),
    "scope": ("name",),
    "person": ("email",),
    "tag_rule": ("tag",),
}


def _select(kind: str) -> Any:
    if kind == "service":
        return select(*services.c, teams.c.name.label("team_name")).select_from(
            services.outerjoin(teams, services.c.team_id == teams.c.id)
        )
    return select(TABLES[kind])


def _order(kind: str) -> Any:
    table = TABLES[kind]
    return table.c.tag if kind == "tag_rule" else table.c.name


async def entries(conn: AsyncConnection, kind: str) -> list[Record]:
    """Every row of ``kind`` ordered by name (services with ``team_name``)."""
    return list((await conn.execute(_select(kind).order_by(_order(kind)))).all())


async def find(conn: AsyncConnection, kind: str, key: str) -> Record | None:
    """The row whose id or natural key (name, slug, email, tag) is ``key``."""
    table = TABLES[kind]
    try:
        by_id = uuid.UUID(key)
    except ValueError:
        by_id = None
    if by_id is not None:
        row = (await conn.execute(_select(kind).where(table.c.id == by_id))).first()
        if row is not None:
            return row
    for column in NATURAL_KEYS[kind]:
        value = key.strip().lower() if column == "email" else key.strip()
        row = (await conn.execute(_select(kind).where(table.c[column] == value))).first()
        if row is not None:
            return row
    return None


async def insert_entry(conn: AsyncConnection, kind: str, values: dict[str, Any]) -> uuid.UUID:
    new_id = uuid.uuid4()
    await conn.execute(TABLES[kind].insert().values(id=new_id, **values))
    return new_id


async def update_entry(
    conn: AsyncConnection, kind: str, entry_id: uuid.UUID, values: dict[str, Any]
) -> None:
    table = TABLES[kind]
    await conn.execute(update(table).where(table.c.id == entry_id).values(**values))


async def delete_entry(conn: AsyncConnection, kind: str, entry_id: uuid.UUID) -> None:
    table = TABLES[kind]
    await conn.execute(delete(table).where(table.c.id == entry_id))


async def name_taken(
    conn: AsyncConnection, kind: str, values: dict[str, Any], except_id: uuid.UUID | None
) -> str | None:
    """The natural-key column already used by another entry, if any."""
    table = TABLES[kind]
    for column in NATURAL_KEYS[kind]:
        query = select(table.c.id).where(table.c[column] == values[column])
        if except_id is not None:
            query = query.where(table.c.id != except_id)
        if (await conn.execute(query)).first() is not None:
            return column
    return None


async def service_has_incidents(conn: AsyncConnection, service_id: uuid.UUID) -> bool:
    query = select(incidents.c.id).where(incidents.c.service_id == service_id).limit(1)
    return (await conn.execute(query)).first() is not None
