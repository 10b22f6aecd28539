"""PostgreSQL: one database per service on a shared server, reached through async SQLAlchemy."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def asyncpg_dsn(url: str) -> str:
    """A plain ``postgresql://`` DSN as asyncpg wants it."""
    scheme, _, rest = url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgres") else url


def sqlalchemy_url(url: str) -> str:
    """The URL with the asyncpg driver named, as SQLAlchemy wants it."""
    _, _, rest = url.partition("://")
    return f"postgresql+asyncpg://{rest}"


async def ensure_database(server_url: str, database: str) -> None:
    """Create ``database`` on the server of ``server_url`` unless it exists (safe to race)."""
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{database}"')
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass
    finally:
        await conn.close()


async def drop_database(server_url: str, database: str, *, attempts: int = 3) -> None:
    """Drop ``database``, disconnecting its sessions first (tests clean up with this).

    Retried on a lost connection: terminating a busy database's sessions now and then takes
    the dropping connection down with them on a loaded server, and the drop is idempotent.
    """
    for attempt in range(1, attempts + 1):
        conn = await asyncpg.connect(asyncpg_dsn(server_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            return
        except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError, OSError):
            if attempt == attempts:
                raise
        finally:
            await conn.close()


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 5) -> AsyncEngine:
    """An engine whose pool keeps its connections: overflow connections are opened and closed
    per use, which under load costs more than the queries. No pre-ping (a round trip per
    checkout): after a database restart the first statement fails, SQLAlchemy then discards
    the whole pool, and the caller's retry (a consumer's redelivery, a client's retry) works."""
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
    )
