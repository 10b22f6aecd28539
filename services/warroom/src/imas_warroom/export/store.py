"""SQL of LID export: exporters, and where each LID was exported (the first export of a new
incident being a job, picked by the export loop)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_warroom.models import document_exports, exporters, rooms
from imas_warroom.store import Record, parsed_uuid


async def find_exporter(conn: AsyncConnection, ref: str) -> Record | None:
    """An exporter by id or by name."""
    key = parsed_uuid(ref)
    condition = exporters.c.id == key if key is not None else exporters.c.name == ref.strip()
    return (await conn.execute(select(exporters).where(condition))).first()


async def list_exporters(conn: AsyncConnection) -> list[Record]:
    return list((await conn.execute(select(exporters).order_by(exporters.c.name))).all())


async def exporter_id_by_name(conn: AsyncConnection, name: str) -> uuid.UUID | None:
    query = select(exporters.c.id).where(exporters.c.name == name.strip())
    return (await conn.execute(query)).scalar_one_or_none()


async def insert_exporter(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    statement = exporters.insert().values(id=uuid.uuid4(), **values).returning(*exporters.c)
    return (await conn.execute(statement)).one()


async def update_exporter(
    conn: AsyncConnection, exporter_id: uuid.UUID, values: dict[str, Any]
) -> Record | None:
    statement = (
        update(exporters)
        .where(exporters.c.id == exporter_id)
        .values(**values, updated_at=func.now())
        .returning(*exporters.c)
    )
    return (await conn.execute(statement)).first()


async def delete_exporter(conn: AsyncConnection, exporter_id: uuid.UUID) -> None:
    await conn.execute(exporters.delete().where(exporters.c.id == exporter_id))


async def lock_export(
    conn: AsyncConnection, incident_id: uuid.UUID, exporter_id: uuid.UUID
) -> Record:
    """The export of a LID to one exporter, created empty the first time (the LID's primary
    export when it has none yet), locked until the transaction ends (two exports at once
    never create two pages)."""
    has_primary = exists().where(
        document_exports.c.incident_id == incident_id, document_exports.c.is_primary
    )
    await conn.execute(
        insert(document_exports)
        .from_select(
            ["incident_id", "exporter_id", "is_primary"],
            select(
                literal(incident_id, UUID(as_uuid=True)),
                literal(exporter_id, UUID(as_uuid=True)),
                ~has_primary,
            ),
        )
        .on_conflict_do_nothing()
    )
    query = (
        select(document_exports)
        .where(
            document_exports.c.incident_id == incident_id,
            document_exports.c.exporter_id == exporter_id,
        )
        .with_for_update()
    )
    return (await conn.execute(query)).one()


async def save_export(
    conn: AsyncConnection, incident_id: uuid.UUID, exporter_id: uuid.UUID, **values: Any
) -> None:
    await conn.execute(
        update(document_exports)
        .where(
            document_exports.c.incident_id == incident_id,
            document_exports.c.exporter_id == exporter_id,
        )
        .values(**values)
    )


async def exports_of(conn: AsyncConnection, incident_id: uuid.UUID) -> list[Record]:
    """Where the LID was exported (done exports only), with each exporter's name and kind; the
    primary one first."""
    query = (
        select(document_exports, exporters.c.name, exporters.c.kind)
        .join(exporters, exporters.c.id == document_exports.c.exporter_id)
        .where(
            document_exports.c.incident_id == incident_id,
            document_exports.c.remote_id.is_not(None),
        )
        .order_by(document_exports.c.is_primary.desc(), exporters.c.name)
    )
    return list((await conn.execute(query)).all())


async def plan_exports(conn: AsyncConnection, incident_id: uuid.UUID, at: datetime) -> int:
    """Plan the first export of a new incident's LID to every enabled exporter, due at ``at``;
    the oldest exporter's is the primary one. Planning twice adds nothing. Answers how many
    were planned."""
    enabled = (
        (
            await conn.execute(
                select(exporters.c.id)
                .where(exporters.c.enabled)
                .order_by(exporters.c.created_at, exporters.c.name)
            )
        )
        .scalars()
        .all()
    )
    if not enabled:
        return 0
    rows = [
        {
            "incident_id": incident_id,
            "exporter_id": exporter_id,
            "status": "pending",
            "is_primary": position == 0,
            "next_attempt_at": at,
        }
        for position, exporter_id in enumerate(enabled)
    ]
    await conn.execute(insert(document_exports).values(rows).on_conflict_do_nothing())
    return len(rows)


async def planned_exporters(conn: AsyncConnection, incident_id: uuid.UUID) -> list[str]:
    """The names of the exporters the LID's first export is planned for, primary first."""
    query = (
        select(exporters.c.name)
        .select_from(document_exports)
        .join(exporters, exporters.c.id == document_exports.c.exporter_id)
        .where(document_exports.c.incident_id == incident_id, document_exports.c.status != "done")
        .order_by(document_exports.c.is_primary.desc(), exporters.c.name)
    )
    return list((await conn.execute(query)).scalars().all())


async def due_exports(
    conn: AsyncConnection, now: datetime, limit: int = 50
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(incident, exporter) of the planned exports whose time has come, the oldest first."""
    query = (
        select(document_exports.c.incident_id, document_exports.c.exporter_id)
        .where(document_exports.c.status == "pending", document_exports.c.next_attempt_at <= now)
        .order_by(document_exports.c.next_attempt_at)
        .limit(limit)
    )
    return [(r.incident_id, r.exporter_id) for r in await conn.execute(query)]


async def lock_planned_export(
    conn: AsyncConnection, incident_id: uuid.UUID, exporter_id: uuid.UUID
) -> Record | None:
    """A planned export still pending, locked for its attempt; None when another replica
    holds it or it is done."""
    query = (
        select(document_exports)
        .where(
            document_exports.c.incident_id == incident_id,
            document_exports.c.exporter_id == exporter_id,
            document_exports.c.status == "pending",
        )
        .with_for_update(skip_locked=True)
    )
    return (await conn.execute(query)).first()


async def primary_link(conn: AsyncConnection, incident_id: uuid.UUID) -> str | None:
    """The link of the LID's primary outside document, once written."""
    query = select(document_exports.c.link).where(
        document_exports.c.incident_id == incident_id,
        document_exports.c.is_primary,
        document_exports.c.remote_id.is_not(None),
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def refresh_room_header(conn: AsyncConnection, incident_id: uuid.UUID) -> None:
    """Have the room's header written again (it shows the LID's link)."""
    await conn.execute(
        update(rooms)
        .where(rooms.c.incident_id == incident_id, rooms.c.status.in_(("pending", "open")))
        .values(header_dirty=True)
    )
