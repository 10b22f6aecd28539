"""The only module of the gateway that writes SQL (tokens and the audit log; users have
``users_store``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_gateway.models import api_tokens, audit_log, users

Record = Any


async def find_active_token(conn: AsyncConnection, token_hash: str) -> Record | None:
    query = select(api_tokens).where(
        api_tokens.c.token_hash == token_hash,
        api_tokens.c.revoked_at.is_(None),
        or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > func.now()),
    )
    return (await conn.execute(query)).first()


async def find_holder(conn: AsyncConnection, user_id: uuid.UUID) -> Record | None:
    """What a user's credentials allow now (see ``domain.Holder``)."""
    query = select(
        users.c.id, users.c.username, users.c.role, users.c.active, users.c.credentials_version
    ).where(users.c.id == user_id)
    return (await conn.execute(query)).first()


async def put_bootstrap_token(
    conn: AsyncConnection, *, name: str, token_hash: str, prefix: str
) -> list[uuid.UUID]:
    """Make this hash the one valid bootstrap admin token (revived if it was revoked); revoke
    the bootstrap tokens of other values. The ids revoked."""
    await conn.execute(
        insert(api_tokens)
        .values(
            id=uuid.uuid4(),
            name=name,
            token_hash=token_hash,
            prefix=prefix,
            role="admin",
            bootstrap=True,
        )
        .on_conflict_do_update(
            index_elements=[api_tokens.c.token_hash],
            set_={"revoked_at": None, "expires_at": None, "role": "admin", "bootstrap": True},
        )
    )
    return await revoke_bootstrap_tokens(conn, keep_hash=token_hash)


async def revoke_bootstrap_tokens(
    conn: AsyncConnection, *, keep_hash: str | None = None
) -> list[uuid.UUID]:
    """Revoke every bootstrap token but the one of ``keep_hash``; the ids revoked."""
    query = update(api_tokens).where(
        api_tokens.c.bootstrap.is_(True), api_tokens.c.revoked_at.is_(None)
    )
    if keep_hash is not None:
        query = query.where(api_tokens.c.token_hash != keep_hash)
    result = await conn.execute(query.values(revoked_at=func.now()).returning(api_tokens.c.id))
    return list(result.scalars())


async def cap_user_token_lifetimes(conn: AsyncConnection, max_days: int) -> list[uuid.UUID]:
    """Bring forward the expiry of users' tokens that would outlive ``max_days`` from now
    (tokens issued before the limit existed, or before it was lowered); the ids changed."""
    latest = func.now() + timedelta(days=max_days)
    result = await conn.execute(
        update(api_tokens)
        .where(
            api_tokens.c.user_id.is_not(None),
            api_tokens.c.revoked_at.is_(None),
            or_(api_tokens.c.expires_at.is_(None), api_tokens.c.expires_at > latest),
        )
        .values(expires_at=latest)
        .returning(api_tokens.c.id)
    )
    return list(result.scalars())


async def touch_token(conn: AsyncConnection, token_id: uuid.UUID) -> None:
    await conn.execute(
        update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=func.now())
    )


async def insert_token(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    query = insert(api_tokens).values(id=uuid.uuid4(), **values).returning(api_tokens)
    return (await conn.execute(query)).one()


async def list_tokens(
    conn: AsyncConnection, *, include_revoked: bool, user_id: uuid.UUID | None = None
) -> list[Record]:
    """Tokens with the username of their user (None for tokens of no user)."""
    query = (
        select(api_tokens, users.c.username)
        .select_from(api_tokens.outerjoin(users, users.c.id == api_tokens.c.user_id))
        .order_by(api_tokens.c.created_at, api_tokens.c.id)
    )
    if not include_revoked:
        query = query.where(api_tokens.c.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return list((await conn.execute(query)).all())


async def revoke_user_tokens(conn: AsyncConnection, user_id: uuid.UUID) -> list[uuid.UUID]:
    """Revoke every token of a user still in use; the ids revoked."""
    result = await conn.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(api_tokens.c.id)
    )
    return list(result.scalars())


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


async def update_token(
    conn: AsyncConnection, token_id: uuid.UUID, values: dict[str, Any]
) -> Record | None:
    query = update(api_tokens).where(api_tokens.c.id == token_id).values(**values)
    return (await conn.execute(query.returning(api_tokens))).first()


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
