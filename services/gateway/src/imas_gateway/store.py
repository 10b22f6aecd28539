"""The only module of the gateway that writes SQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_gateway.models import api_tokens

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
