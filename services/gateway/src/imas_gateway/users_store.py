"""SQL of the users table (the only module writing it)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_gateway.models import users

Record = Any


async def list_users(conn: AsyncConnection) -> list[Record]:
    return list((await conn.execute(select(users).order_by(users.c.username))).all())


async def find_user(conn: AsyncConnection, ref: str) -> Record | None:
    """By id (a UUID) or username."""
    try:
        condition = users.c.id == uuid.UUID(ref)
    except ValueError:
        condition = users.c.username == ref
    return (await conn.execute(select(users).where(condition))).first()


async def find_by_oidc_subject(conn: AsyncConnection, subject: str) -> Record | None:
    return (await conn.execute(select(users).where(users.c.oidc_subject == subject))).first()


async def insert_user(conn: AsyncConnection, values: dict[str, Any]) -> Record | None:
    """The new user, or None when the username is taken."""
    query = (
        insert(users)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_nothing(index_elements=[users.c.username])
        .returning(users)
    )
    return (await conn.execute(query)).first()


async def update_user(
    conn: AsyncConnection, user_id: uuid.UUID, values: dict[str, Any], *, end_sessions: bool = False
) -> Record:
    """``end_sessions`` moves the user's credentials version on: their sessions end."""
    if end_sessions:
        values = {**values, "credentials_version": users.c.credentials_version + 1}
    query = (
        update(users)
        .where(users.c.id == user_id)
        .values(updated_at=func.now(), **values)
        .returning(users)
    )
    return (await conn.execute(query)).one()


async def delete_user(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    await conn.execute(delete(users).where(users.c.id == user_id))


async def touch_login(
    conn: AsyncConnection, user_id: uuid.UUID, *, password_hash: str | None = None
) -> None:
    """Record a sign-in; ``password_hash`` replaces an outdated hash of the same password."""
    values: dict[str, Any] = {"last_login_at": func.now()}
    if password_hash is not None:
        values["password_hash"] = password_hash
    await conn.execute(update(users).where(users.c.id == user_id).values(**values))
