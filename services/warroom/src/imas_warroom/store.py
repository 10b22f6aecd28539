"""The only module of the warroom service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import and_, cast, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.warroom import ActionItem, RunbookSpec, RunbookStep, StepState
from imas_warroom.domain import Item
from imas_warroom.models import (
    documents,
    room_posts,
    rooms,
    runbooks,
    step_runs,
    templates,
    timeline_items,
)

Record = Any  # a result row; columns are read by name


def parsed_uuid(value: str) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one (a reference that names nothing)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# -- documents ---------------------------------------------------------------------------------


def incident_of(row: Record) -> IncidentSnapshot:
    return msgspec.convert(row.incident, IncidentSnapshot)


def _snapshot_json(incident: IncidentSnapshot) -> Any:
    return msgspec.to_builtins(incident)


async def find_document(
    conn: AsyncConnection, ref: str, *, for_update: bool = False
) -> Record | None:
    """The LID of the incident named by its UUID, short id or INC-<short id>."""
    query = select(documents)
    key = parsed_uuid(ref)
    if key is not None:
        query = query.where(documents.c.incident_id == key)
    else:
        short = ref.upper().removeprefix("INC-")
        query = (
            query.where(documents.c.short_id == short)
            .order_by(documents.c.created_at.desc())
            .limit(1)
        )
    if for_update:
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def insert_document(
    conn: AsyncConnection,
    incident: IncidentSnapshot,
    *,
    title: str,
    at: datetime,
    runbook_id: str | None,
) -> Record | None:
    """Create the LID; None when it exists already (a concurrent or replayed trigger)."""
    statement = (
        insert(documents)
        .values(
            id=uuid.uuid4(),
            incident_id=uuid.UUID(incident.id),
            short_id=incident.short_id,
            title=title,
            incident=_snapshot_json(incident),
            snapshot_at=at,
            severity_history=[{"severity": incident.severity, "at": at.isoformat()}],
            runbook_id=uuid.UUID(runbook_id) if runbook_id else None,
        )
        .on_conflict_do_nothing(index_elements=[documents.c.incident_id])
        .returning(*documents.c)
    )
    return (await conn.execute(statement)).first()


async def update_document(conn: AsyncConnection, document_id: uuid.UUID, **values: Any) -> Record:
    statement = (
        update(documents)
        .where(documents.c.id == document_id)
        .values(**values, updated_at=func.now())
        .returning(*documents.c)
    )
    return (await conn.execute(statement)).one()


def snapshot_values(incident: IncidentSnapshot, title: str, at: datetime) -> dict[str, Any]:
    return {"incident": _snapshot_json(incident), "title": title, "snapshot_at": at}


def action_items_of(row: Record) -> list[ActionItem]:
    return msgspec.convert(row.action_items, list[ActionItem])


def action_items_json(items: Sequence[ActionItem]) -> Any:
    return msgspec.to_builtins(list(items))


# -- timeline ----------------------------------------------------------------------------------


async def add_item(conn: AsyncConnection, incident_id: str, item: Item) -> None:
    """Record a timeline line once (its key is the event that caused it)."""
    await conn.execute(
        insert(timeline_items)
        .values(
            incident_id=uuid.UUID(incident_id),
            key=item.key,
            at=item.at,
            kind=item.kind,
            message=item.message,
            actor=item.actor,
        )
        .on_conflict_do_nothing(index_elements=[timeline_items.c.key])
    )


async def list_items(conn: AsyncConnection, incident_id: uuid.UUID) -> list[Item]:
    query = (
        select(timeline_items)
        .where(timeline_items.c.incident_id == incident_id)
        .order_by(timeline_items.c.at, timeline_items.c.id)
    )
    return [
        Item(key=r.key, at=r.at, kind=r.kind, message=r.message, actor=r.actor)
        for r in (await conn.execute(query)).all()
    ]


# -- rooms -------------------------------------------------------------------------------------


async def get_room(conn: AsyncConnection, incident_id: str) -> Record | None:
    query = select(rooms).where(rooms.c.incident_id == uuid.UUID(incident_id))
    return (await conn.execute(query)).first()


async def room_by_channel(conn: AsyncConnection, channel_id: str) -> Record | None:
    query = select(rooms).where(rooms.c.channel_id == channel_id)
    return (await conn.execute(query)).first()


async def channel_name_taken(conn: AsyncConnection, name: str) -> bool:
    query = select(exists().where(rooms.c.channel_name == name))
    return bool((await conn.execute(query)).scalar())


async def add_room(
    conn: AsyncConnection,
    incident_id: str,
    platform: str,
    channel_name: str,
    at: datetime,
    *,
    status: str = "pending",
    last_error: str | None = None,
) -> bool:
    """Ask for a room (the room loop opens a ``pending`` one); a second ask for the same
    incident is a no-op. Answers whether this ask recorded it."""
    result = await conn.execute(
        insert(rooms)
        .values(
            incident_id=uuid.UUID(incident_id),
            platform=platform,
            channel_name=channel_name,
            next_attempt_at=at,
            status=status,
            last_error=last_error,
        )
        .on_conflict_do_nothing(index_elements=[rooms.c.incident_id])
    )
    return bool(result.rowcount)


async def update_room(conn: AsyncConnection, incident_id: uuid.UUID, **values: Any) -> None:
    await conn.execute(update(rooms).where(rooms.c.incident_id == incident_id).values(**values))


async def add_responder(
    conn: AsyncConnection, incident_id: str, person_id: str, name: str, chat_id: str
) -> bool:
    """Add a responder to an open or opening room, once; whether this call added them (the
    room then invites them on its next pass)."""
    entry = [{"person_id": person_id, "name": name, "chat_id": chat_id}]
    already = rooms.c.responders.contains([{"person_id": person_id}])
    result = await conn.execute(
        update(rooms)
        .where(
            rooms.c.incident_id == uuid.UUID(incident_id),
            rooms.c.status.in_(("pending", "open")),
            ~already,
        )
        .values(
            responders=rooms.c.responders.op("||")(cast(entry, JSONB)),
            invites_dirty=True,
        )
    )
    return bool(result.rowcount)


async def add_post(conn: AsyncConnection, incident_id: str, text: str) -> None:
    await conn.execute(room_posts.insert().values(incident_id=uuid.UUID(incident_id), text=text))


async def due_rooms(conn: AsyncConnection, now: datetime, limit: int = 50) -> list[uuid.UUID]:
    """Rooms with work to do now: to open, people to invite, a header to update, posts to
    send, due to archive."""
    pending_posts = exists().where(
        room_posts.c.incident_id == rooms.c.incident_id, room_posts.c.posted_at.is_(None)
    )
    query = (
        select(rooms.c.incident_id)
        .where(
            rooms.c.next_attempt_at <= now,
            or_(
                rooms.c.status == "pending",
                and_(
                    rooms.c.status == "open",
                    or_(
                        rooms.c.header_dirty,
                        rooms.c.invites_dirty,
                        pending_posts,
                        rooms.c.archive_due_at <= now,
                    ),
                ),
            ),
        )
        .order_by(rooms.c.next_attempt_at)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars())


async def lock_room(conn: AsyncConnection, incident_id: uuid.UUID) -> Record | None:
    """The room, locked while its chat calls run; None if another replica holds it."""
    query = (
        select(rooms).where(rooms.c.incident_id == incident_id).with_for_update(skip_locked=True)
    )
    return (await conn.execute(query)).first()


async def pending_posts(conn: AsyncConnection, incident_id: uuid.UUID) -> list[Record]:
    query = (
        select(room_posts.c.id, room_posts.c.text)
        .where(room_posts.c.incident_id == incident_id, room_posts.c.posted_at.is_(None))
        .order_by(room_posts.c.id)
    )
    return list((await conn.execute(query)).all())


async def mark_posted(conn: AsyncConnection, post_id: int, at: datetime) -> None:
    await conn.execute(update(room_posts).where(room_posts.c.id == post_id).values(posted_at=at))


async def document_for_incident(conn: AsyncConnection, incident_id: uuid.UUID) -> Record | None:
    query = select(documents).where(documents.c.incident_id == incident_id)
    return (await conn.execute(query)).first()


# -- runbooks ----------------------------------------------------------------------------------


def runbook_of(row: Record) -> RunbookSpec:
    return RunbookSpec(
        id=str(row.id),
        name=row.name,
        service=row.service,
        alert_pattern=row.alert_pattern,
        severities=list(row.severities),
        description=row.description,
        steps=msgspec.convert(row.steps, list[RunbookStep]),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _runbook_values(spec: RunbookSpec) -> dict[str, Any]:
    return {
        "name": spec.name.strip(),
        "service": spec.service,
        "alert_pattern": spec.alert_pattern,
        "severities": list(spec.severities),
        "description": spec.description,
        "steps": msgspec.to_builtins(spec.steps),
    }


async def get_runbook(conn: AsyncConnection, runbook_id: str) -> RunbookSpec | None:
    key = parsed_uuid(runbook_id)
    if key is None:
        return None
    row = (await conn.execute(select(runbooks).where(runbooks.c.id == key))).first()
    return runbook_of(row) if row is not None else None


async def runbook_id_by_name(conn: AsyncConnection, name: str) -> uuid.UUID | None:
    query = select(runbooks.c.id).where(runbooks.c.name == name.strip())
    return (await conn.execute(query)).scalar_one_or_none()


async def list_runbooks(conn: AsyncConnection, service: str = "") -> list[RunbookSpec]:
    query = select(runbooks).order_by(runbooks.c.name)
    if service:
        query = query.where(runbooks.c.service == service)
    return [runbook_of(r) for r in (await conn.execute(query)).all()]


async def insert_runbook(conn: AsyncConnection, spec: RunbookSpec) -> RunbookSpec:
    statement = (
        runbooks.insert().values(id=uuid.uuid4(), **_runbook_values(spec)).returning(*runbooks.c)
    )
    return runbook_of((await conn.execute(statement)).one())


async def replace_runbook(
    conn: AsyncConnection, runbook_id: uuid.UUID, spec: RunbookSpec
) -> RunbookSpec | None:
    statement = (
        update(runbooks)
        .where(runbooks.c.id == runbook_id)
        .values(**_runbook_values(spec), updated_at=func.now())
        .returning(*runbooks.c)
    )
    row = (await conn.execute(statement)).first()
    return runbook_of(row) if row is not None else None


async def delete_runbook(conn: AsyncConnection, runbook_id: uuid.UUID) -> None:
    await conn.execute(runbooks.delete().where(runbooks.c.id == runbook_id))


async def step_states(
    conn: AsyncConnection, incident_id: uuid.UUID, runbook_id: uuid.UUID
) -> dict[int, StepState]:
    query = select(step_runs).where(
        step_runs.c.incident_id == incident_id, step_runs.c.runbook_id == runbook_id
    )
    return {
        r.step: StepState(
            index=r.step,
            title="",
            status=r.status,
            actor=r.actor,
            note=r.note,
            started_at=r.started_at,
            finished_at=r.finished_at,
        )
        for r in (await conn.execute(query)).all()
    }


async def any_step_run(conn: AsyncConnection, incident_id: uuid.UUID) -> bool:
    query = select(exists().where(step_runs.c.incident_id == incident_id))
    return bool((await conn.execute(query)).scalar())


async def save_step(
    conn: AsyncConnection,
    incident_id: uuid.UUID,
    runbook_id: uuid.UUID,
    state: StepState,
    confirmed: bool,
) -> None:
    values = {
        "status": state.status,
        "actor": state.actor,
        "note": state.note,
        "confirmed": confirmed,
        "started_at": state.started_at,
        "finished_at": state.finished_at,
    }
    await conn.execute(
        insert(step_runs)
        .values(incident_id=incident_id, runbook_id=runbook_id, step=state.index, **values)
        .on_conflict_do_update(
            index_elements=[step_runs.c.incident_id, step_runs.c.runbook_id, step_runs.c.step],
            set_=values,
        )
    )


# -- templates ---------------------------------------------------------------------------------


async def get_template(conn: AsyncConnection, name: str) -> Record | None:
    return (await conn.execute(select(templates).where(templates.c.name == name))).first()


async def put_template(conn: AsyncConnection, name: str, body: str, actor: str | None) -> Record:
    now = func.now()
    statement = (
        insert(templates)
        .values(name=name, body=body, updated_by=actor, updated_at=now)
        .on_conflict_do_update(
            index_elements=[templates.c.name],
            set_={"body": body, "updated_by": actor, "updated_at": now},
        )
        .returning(*templates.c)
    )
    return (await conn.execute(statement)).one()


async def delete_template(conn: AsyncConnection, name: str) -> None:
    await conn.execute(templates.delete().where(templates.c.name == name))


async def escalation_levels_paged(conn: AsyncConnection, incident_id: str) -> list[int]:
    """The escalation levels paged from chat for the incident (their timeline keys say which)."""
    prefix = f"chat-escalation:{incident_id}:"
    query = select(timeline_items.c.key).where(
        timeline_items.c.incident_id == uuid.UUID(incident_id),
        timeline_items.c.key.startswith(prefix, autoescape=True),
    )
    return [int(k.removeprefix(prefix)) for k in (await conn.execute(query)).scalars()]
