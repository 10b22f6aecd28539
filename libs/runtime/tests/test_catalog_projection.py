"""The one local projection of the catalog, against a real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal

import pytest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.incidents import CatalogChanged
from imas_runtime.catalog import Entity
from imas_runtime.catalog_projection import CatalogProjection, catalog_table
from imas_runtime.db import make_engine, with_database
from imas_runtime.outbox import inbox_table

pytestmark = pytest.mark.integration

Kind = Literal["team", "service", "scope", "person"]


@pytest.fixture
async def projected(
    postgres_url: str, fresh_database: Callable[[str], Awaitable[str]]
) -> AsyncIterator[tuple[AsyncEngine, MetaData]]:
    metadata = MetaData()
    engine = make_engine(with_database(postgres_url, await fresh_database("catalog")))
    yield engine, metadata
    await engine.dispose()


async def _projection(
    engine: AsyncEngine, metadata: MetaData, kinds: tuple[Kind, ...] | None = None
) -> CatalogProjection:
    table, inbox = catalog_table(metadata), inbox_table(metadata)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    if kinds is None:
        return CatalogProjection(table, inbox, "reader--CATALOG")
    return CatalogProjection(table, inbox, "reader--CATALOG", kinds=kinds)


def changed(
    kind: Kind, id_: str, name: str, data: dict[str, object] | None = None, deleted: bool = False
) -> CatalogChanged:
    return CatalogChanged(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        kind=kind,
        action="deleted" if deleted else "upserted",
        id=id_,
        name=name,
        data=data or {},
    )


async def test_changes_are_kept_once_and_deletions_forget(
    projected: tuple[AsyncEngine, MetaData],
) -> None:
    engine, metadata = projected
    projection = await _projection(engine, metadata)
    renamed = changed("person", "alice", "Alice Martin", {"email": "alice@x.io"})
    async with engine.begin() as conn:
        assert await projection.apply(conn, changed("team", "t1", "SRE Core"))
        assert await projection.apply(conn, changed("person", "alice", "Alice"))
        assert await projection.apply(conn, renamed)
        assert await projection.apply(conn, changed("scope", "sec", "Security"))
        assert await projection.apply(conn, changed("scope", "sec", "", deleted=True))
        # A redelivered event changes nothing.
        assert not await projection.apply(conn, renamed)
    async with engine.connect() as conn:
        entries = await projection.load(conn)
    assert entries == {
        "team": {"t1": Entity("t1", "SRE Core", {})},
        "service": {},
        "scope": {},
        "person": {"alice": Entity("alice", "Alice Martin", {"email": "alice@x.io"})},
    }


async def test_kinds_not_kept_are_acknowledged_and_ignored(
    projected: tuple[AsyncEngine, MetaData],
) -> None:
    engine, metadata = projected
    projection = await _projection(engine, metadata, kinds=("team", "person"))
    async with engine.begin() as conn:
        assert await projection.apply(conn, changed("service", "redis", "redis-prod"))
        assert await projection.apply(conn, changed("team", "t1", "SRE Core"))
    async with engine.connect() as conn:
        entries = await projection.load(conn)
    assert entries == {"team": {"t1": Entity("t1", "SRE Core", {})}, "person": {}}
