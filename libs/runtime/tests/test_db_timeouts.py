"""Every session of a service's engine is bounded on a real PostgreSQL: a runaway statement,
a wait behind a lock and a transaction left idle are cut, not waited for forever."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_runtime.db import Timeouts, make_engine, with_database
from imas_testing import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(
    postgres_url: str, fresh_database: Callable[[str], Awaitable[str]]
) -> AsyncIterator[AsyncEngine]:
    url = with_database(postgres_url, await fresh_database("timeouts"))
    engine = make_engine(url, timeouts=Timeouts(statement=1, lock=0.5, idle_in_transaction=1))
    yield engine
    await engine.dispose()


async def test_the_sessions_carry_the_timeouts(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        shown = {
            name: (await conn.execute(text(f"SHOW {name}"))).scalar()
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
        }
    assert shown == {
        "statement_timeout": "1s",
        "lock_timeout": "500ms",
        "idle_in_transaction_session_timeout": "1s",
    }


async def test_the_server_probes_idle_clients_over_tcp(engine: AsyncEngine) -> None:
    """A killed process's sessions (and the locks they hold) go within a minute."""
    async with engine.connect() as conn:
        if (await conn.execute(text("SELECT inet_server_addr()"))).scalar() is None:
            pytest.skip("a unix socket carries no TCP keepalives")
        shown = [
            (await conn.execute(text(f"SHOW {name}"))).scalar()
            for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
        ]
    assert shown == ["30", "10", "3"]


async def test_a_runaway_statement_is_cancelled(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(sa_exc.DBAPIError, match="statement timeout"):
            await conn.execute(text("SELECT pg_sleep(600)"))


async def test_a_wait_behind_a_lock_gives_up(engine: AsyncEngine) -> None:
    async with engine.connect() as holder, engine.connect() as waiter:
        await holder.execute(text("SELECT pg_advisory_lock(42)"))
        with pytest.raises(sa_exc.DBAPIError, match="lock timeout"):
            await waiter.execute(text("SELECT pg_advisory_lock(42)"))
        await holder.execute(text("SELECT pg_advisory_unlock(42)"))


async def test_a_transaction_left_idle_is_ended_by_the_server(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        await conn.execute(text("SELECT 1"))  # a transaction is open, and nobody finishes it

        async def ended() -> None:
            async with engine.connect() as other:
                alive = await other.execute(
                    text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                )
                assert alive.first() is None

        await eventually(ended, timeout=30)
        await conn.invalidate()
