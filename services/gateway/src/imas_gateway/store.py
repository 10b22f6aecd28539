"""The only module of the gateway that writes SQL (tokens and the audit log; users have
``users_store``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_gateway.models import api_tokens, audit_log

Record = Any


async def find_active_token(conn: AsyncConnection, token_hash: str) -> Record | None:
    query = select(api_tokens).where(
        api_tokens.c.token_hash == token_hash,
        api_tokens.c.revoked_at.is_(None),
        or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > func.now()),
    )
    return (await conn.execute(query)).first()


async def ensure_token(
    conn: AsyncConnection, *, name: str, token_hash: str, prefix: str, role: str
) -> None:
    """Create the token unless one with this hash exists (idempotent)."""
    await conn.execute(
        insert(api_tokens)
        .values(id=uuid.uuid4(), name=name, token_hash=token_hash, prefix=prefix, role=role)
        .on_conflict_do_nothing(index_elements=[api_tokens.c.token_hash])
    )


async def touch_token(conn: AsyncConnection, token_id: uuid.UUID) -> None:
    await conn.execute(
        update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=func.now())
    )


async def insert_token(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    query = insert(api_tokens).values(id=uuid.uuid4(), **values).returning(api_tokens)
    return (await conn.execute(query)).one()


async def list_tokens(conn: AsyncConnection, *, include_revoked: bool) -> list[Record]:
    query = select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id)
    if not include_revoked:
        query = query.where(api_tokens.c.revoked_at.is_(None))
    return list((await conn.execute(query)).all())


async def find_token(conn: AsyncConnection, token_id: uuid.UUID) -> Record | None:
    return (await conn.execute(select(api_tokens).where(api_tokens.c.id == token_id))).first()


async def revoke_token(conn: AsyncConnection, token_id: uuid.UUID) -> Record | None:
    """Revoke once: a token already revoked keeps its first ``revoked_at``."""
    query = (
        update(api_tokens)
        .where(api_tokens.c.id == token_id)
        .values(revoked_at=func.coalesce(api_tokens.c.revoked_at, func.now()))
        .returning(api_tokens)
    )
    return (await conn.execute(query)).first()


async def append_audit(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Insert audit rows in the order given (their ids follow it)."""
    await conn.execute(audit_log.insert(), rows)


async def list_audit(
    conn: AsyncConnection, *, filters: dict[str, Any], limit: int, offset: int
) -> tuple[int, list[Record]]:
    conditions = [audit_log.c[name] == value for name, value in filters.items() if value]
    count = await conn.execute(select(func.count()).where(*conditions).select_from(audit_log))
    query = (
        select(audit_log)
        .where(*conditions)
        .order_by(audit_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return int(count.scalar_one()), list((await conn.execute(query)).all())
