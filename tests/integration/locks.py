"""Races replayed with real PostgreSQL locks: a test takes a table lock (``LOCK TABLE``) in a
connection of its own, starts the transaction it wants to stop, and waits until that one is
queued behind the lock at the statement it chose; releasing the lock lets it go on. No code
under test is patched, and no step depends on the machine's speed."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def waits_for_lock(engine: AsyncEngine, statement: str) -> None:
    """Raise ``AssertionError`` unless a session of ``engine``'s database waits for a lock
    while running a statement containing ``statement`` (for ``eventually``)."""
    async with engine.connect() as conn:
        waiting = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE :statement"
            ),
            {"statement": f"%{statement}%"},
        )
    assert waiting, f"no session waits for a lock running {statement!r}"
