"""SQL of the catalog (teams, services, impact scopes, people, tag rules)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_incidents.models import (
    incidents,
    people,
    scopes,
    services,
    tag_rules,
    team_members,
    teams,
)

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


def _team_select() -> Any:
    """Teams with ``manager_name``, ``members`` (``[{id, name}]`` by name) and ``member_ids``
    (sorted, to compare with what a file asks for)."""
    manager = people.alias("manager")
    member = people.alias("member")
    of_team = team_members.c.team_id == teams.c.id
    refs = (
        select(
            func.coalesce(
                func.jsonb_agg(
                    aggregate_order_by(
                        func.jsonb_build_object("id", member.c.id, "name", member.c.name),
                        member.c.name,
                    )
                ),
                text("'[]'::jsonb"),
            )
        )
        .select_from(team_members.join(member, member.c.id == team_members.c.person_id))
        .where(of_team)
        .scalar_subquery()
    )
    ids = (
        select(
            func.coalesce(
                func.array_agg(
                    aggregate_order_by(team_members.c.person_id, team_members.c.person_id)
                ),
                text("'{}'::uuid[]"),
            ).cast(ARRAY(UUID(as_uuid=True)))
        )
        .where(of_team)
        .scalar_subquery()
    )
    return select(
        *teams.c,
        manager.c.name.label("manager_name"),
        refs.label("members"),
        ids.label("member_ids"),
    ).select_from(teams.outerjoin(manager, teams.c.manager_id == manager.c.id))


def _select(kind: str) -> Any:
    if kind == "service":
        return select(*services.c, teams.c.name.label("team_name")).select_from(
            services.outerjoin(teams, services.c.team_id == teams.c.id)
        )
    if kind == "team":
        return _team_select()
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
    """A new row of ``kind``; a team's ``member_ids`` go to its memberships."""
    new_id = uuid.uuid4()
    columns = dict(values)
    member_ids = columns.pop("member_ids", None)
    await conn.execute(TABLES[kind].insert().values(id=new_id, **columns))
    if member_ids:
        await _set_members(conn, new_id, member_ids)
    return new_id


async def update_entry(
    conn: AsyncConnection, kind: str, entry_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """Change a row; a team's ``member_ids``, when given, replace its memberships."""
    table = TABLES[kind]
    columns = dict(values)
    member_ids = columns.pop("member_ids", None)
    await conn.execute(update(table).where(table.c.id == entry_id).values(**columns))
    if member_ids is not None:
        await conn.execute(delete(team_members).where(team_members.c.team_id == entry_id))
        await _set_members(conn, entry_id, member_ids)


async def _set_members(
    conn: AsyncConnection, team_id: uuid.UUID, member_ids: list[uuid.UUID]
) -> None:
    if member_ids:
        rows = [{"team_id": team_id, "person_id": p} for p in member_ids]
        await conn.execute(team_members.insert(), rows)


async def teams_of_person(conn: AsyncConnection, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The teams the person manages or belongs to."""
    query = (
        select(teams.c.id)
        .where(
            or_(
                teams.c.manager_id == person_id,
                teams.c.id.in_(
                    select(team_members.c.team_id).where(team_members.c.person_id == person_id)
                ),
            )
        )
        .order_by(teams.c.name)
    )
    return list((await conn.execute(query)).scalars())


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
