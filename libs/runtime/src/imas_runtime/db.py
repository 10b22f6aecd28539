"""PostgreSQL: one database per service on a shared server, reached through async SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


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


@dataclass(frozen=True)
class Timeouts:
    """Bounds on every session of a service's engine, in seconds (see the settings)."""

    statement: float = 30.0
    lock: float = 10.0
    idle_in_transaction: float = 60.0
    connect: float = 10.0


def connect_args(timeouts: Timeouts) -> dict[str, Any]:
    """asyncpg's connection arguments for ``timeouts``.

    The server enforces the statement, lock and idle-in-transaction timeouts (a runaway query,
    a lock queue behind a stuck session, a transaction left open by a process that hangs), and
    probes idle clients with TCP keepalives so a dead process's session and its locks go
    within a minute. asyncpg cannot set keepalives on its own socket; ``command_timeout``
    bounds each query on our side instead, for a server that vanished without a word."""

    def ms(seconds: float) -> str:
        return str(int(seconds * 1000))

    return {
        "timeout": timeouts.connect,
        "command_timeout": timeouts.statement + 5,
        "server_settings": {
            "statement_timeout": ms(timeouts.statement),
            "lock_timeout": ms(timeouts.lock),
            "idle_in_transaction_session_timeout": ms(timeouts.idle_in_transaction),
            "tcp_keepalives_idle": "30",
            "tcp_keepalives_interval": "10",
            "tcp_keepalives_count": "3",
        },
    }


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 5, timeouts: Timeouts | None = None
) -> AsyncEngine:
    """An engine whose pool keeps its connections: overflow connections are opened and closed
    per use, which under load costs more than the queries. No pre-ping (a round trip per
    checkout): after a database restart the first statement fails, SQLAlchemy then discards
    the whole pool, and the caller's retry (a consumer's redelivery, a client's retry) works.
    Every session is bounded by ``timeouts`` (defaults when not given)."""
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        connect_args=connect_args(timeouts or Timeouts()),
    )


async def driver_of(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under ``conn``, in its transaction: for the hot paths, where
    asyncpg's prepared statements (cached per connection) and COPY cost a fraction of
    SQLAlchemy compiling a statement each time."""
    raw = await conn.get_raw_connection()
    found: asyncpg.Connection = raw.driver_connection
    return found
