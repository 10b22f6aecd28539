"""The one local projection of the catalog: a ``catalog`` table fed by ``catalog.changed.v1``.

A service that reads the catalog on its hot path (notifier's routing, escalation's steps)
declares the table in its models (:func:`catalog_table`), consumes the ``CATALOG`` stream with
a :class:`CatalogProjection` and builds its own view of the entries from :meth:`load`.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Column, MetaData, Table, Text, delete, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.incidents import CatalogChanged
from imas_runtime.catalog import KINDS, Entity
from imas_runtime.outbox import claim


def catalog_table(metadata: MetaData) -> Table:
    """The projection's table: one row per entry, keyed by kind and id."""
    return Table(
        "catalog",
        metadata,
        Column("kind", Text, primary_key=True),
        Column("id", Text, primary_key=True),
        Column("name", Text, nullable=False),
        Column("data", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


class CatalogProjection:
    """Keeps ``kinds`` of the catalog in ``table``, each change applied once (``inbox``)."""

    def __init__(
        self, table: Table, inbox: Table, consumer: str, kinds: Collection[str] = KINDS
    ) -> None:
        self.table = table
        self.inbox = inbox
        self.consumer = consumer
        self.kinds = frozenset(kinds)

    async def apply(self, conn: AsyncConnection, event: CatalogChanged) -> bool:
        """Store one change in the caller's transaction. Safe to run twice (inbox; upserts):
        False when the event was applied before. Kinds not kept are claimed and ignored."""
        if not await claim(conn, self.inbox, self.consumer, event.event_id):
            return False
        if event.kind not in self.kinds:
            return True
        table = self.table
        if event.action == "deleted":
            await conn.execute(
                delete(table).where(table.c.kind == event.kind, table.c.id == event.id)
            )
            return True
        statement = insert(table).values(
            kind=event.kind, id=event.id, name=event.name, data=dict(event.data)
        )
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.kind, table.c.id],
                set_={"name": statement.excluded.name, "data": statement.excluded.data},
            )
        )
        return True

    async def load(self, conn: AsyncConnection) -> dict[str, dict[str, Entity]]:
        """Every kept entry, by kind then id (each kept kind present, even when empty)."""
        entries: dict[str, dict[str, Entity]] = {kind: {} for kind in self.kinds}
        for row in await conn.execute(select(self.table)):
            entries.setdefault(row.kind, {})[row.id] = Entity(row.id, row.name, row.data or {})
        return entries
