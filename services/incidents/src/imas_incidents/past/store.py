"""The SQL of recording past incidents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_incidents.models import incidents


async def lock(conn: AsyncConnection) -> None:
    """One recording at a time, until the transaction ends: two demos loaded at once record
    each key once."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('incidents.past', 0))"))


async def recorded(conn: AsyncConnection, dedup_keys: Sequence[str]) -> set[str]:
    """Those of ``dedup_keys`` some incident has already."""
    if not dedup_keys:
        return set()
    query = select(incidents.c.dedup_key).where(incidents.c.dedup_key.in_(list(dedup_keys)))
    return set((await conn.execute(query)).scalars())


async def insert(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(incidents.insert().values(**values))
