"""The only module of the incidents service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    LargeBinary,
    Select,
    Text,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.incidents import (
    Comment,
    IncidentSnapshot,
    ListIncidents,
    Ref,
    TimelineEntry,
)
from imas_incidents.domain import OPEN_STATUSES, IncidentRef, with_kpis
from imas_incidents.models import (
    comments,
    counted,
    incidents,
    orchestrations,
    outbox,
    scopes,
    services,
    tag_rules,
    teams,
    timeline,
)
from imas_runtime.windows import in_maintenance

Record = Any  # a result row; columns are read by name

# Must read exactly as the partial unique index's predicate for ON CONFLICT to infer it.
OPEN_PREDICATE = text("status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")")


def snapshot(row: Record) -> IncidentSnapshot:
    """The contract view of an incidents row."""
    m = row._mapping
    incident = IncidentSnapshot(
        id=str(m["id"]),
        short_id=m["short_id"],
        title=m["title"],
        description=m["description"],
        service=Ref(id=str(m["service_id"]), name=m["service_name"]),
        team=Ref(id=str(m["team_id"]), name=m["team_name"]) if m["team_id"] else None,
        severity=m["severity"],
        status=m["status"],
        dedup_key=m["dedup_key"],
        alert_count=m["alert_count"],
        lead=m["lead"],
        impacted_scopes=[Ref(id=s["id"], name=s["name"]) for s in m["impacted_scopes"]],
        tags=list(m["tags"]),
        lid_link=m["lid_link"],
        war_room_link=m["war_room_link"],
        detected_at=m["detected_at"],
        created_at=m["created_at"],
        acknowledged_at=m["acknowledged_at"],
        mitigated_at=m["mitigated_at"],
        resolved_at=m["resolved_at"],
    )
    return with_kpis(incident)


async def find_service(conn: AsyncConnection, name: str) -> Record | None:
    """The service named ``name`` with its owner team (``team_id``, ``team_name``) and its
    maintenance (``maintenance_since``, ``maintenance_until``)."""
    query = (
        select(
            services.c.id,
            services.c.name,
            services.c.maintenance_since,
            services.c.maintenance_until,
            teams.c.id.label("team_id"),
            teams.c.name.label("team_name"),
        )
        .select_from(services.outerjoin(teams, services.c.team_id == teams.c.id))
        .where(services.c.name == name)
    )
    return (await conn.execute(query)).first()


async def find_scopes(conn: AsyncConnection, names: Sequence[str]) -> list[Record]:
    if not names:
        return []
    query = select(scopes.c.id, scopes.c.name).where(scopes.c.name.in_(list(names)))
    return list((await conn.execute(query)).all())


def _decide_statement() -> Any:
    """Built once: open-or-attach runs for every alert, and building a statement this size
    costs more than PostgreSQL takes to run it. Every value is a bound parameter."""
    columns = [
        "id", "short_id", "title", "description", "service_id", "service_name", "team_id",
        "team_name", "severity", "status", "dedup_key", "alert_count", "impacted_scopes",
        "tags", "detected_at", "created_at",
    ]  # fmt: skip
    # Nothing is proposed when the caller's idempotency key was counted already.
    already = select(counted.c.key).where(counted.c.key == bindparam("idempotency_key", type_=Text))
    proposed = insert(incidents).from_select(
        columns,
        select(*(bindparam(c, type_=incidents.c[c].type) for c in columns)).where(
            ~already.exists()
        ),
    )
    decided = (
        proposed.on_conflict_do_update(
            index_elements=[incidents.c.service_id, incidents.c.dedup_key],
            index_where=OPEN_PREDICATE,
            set_={
                "alert_count": incidents.c.alert_count + proposed.excluded.alert_count,
                "updated_at": proposed.excluded.created_at,
            },
        )
        .returning(*incidents.c, literal_column("(xmax = 0)").label("inserted"))
        .cte("decided")
    )
    line = insert(timeline).from_select(
        ["id", "incident_id", "type", "message", "source", "actor", "actor_id", "created_at"],
        select(
            bindparam("line_id", type_=timeline.c.id.type),
            decided.c.id,
            case(
                (decided.c.inserted, bindparam("created_type", type_=Text)),
                else_=bindparam("attached_type", type_=Text),
            ),
            case(
                (decided.c.inserted, bindparam("created_message", type_=Text)),
                else_=func.format(
                    bindparam("attached_template", type_=Text), decided.c.alert_count
                ),
            ),
            bindparam("line_source", type_=Text),
            bindparam("line_actor", type_=Text),
            bindparam("line_actor_id", type_=Text),
            bindparam("line_at", type_=timeline.c.created_at.type),
        ),
    )
    event = insert(outbox).from_select(
        ["event_id", "subject", "payload", "headers"],
        select(
            bindparam("event_id", type_=Text),
            bindparam("event_subject", type_=Text),
            bindparam("event_payload", type_=LargeBinary),
            bindparam("event_headers", type_=JSONB),
        ).where(decided.c.inserted),
    )
    # Two flushers sending one key at once both pass the check above: the second one's insert
    # here fails on the primary key and its whole statement, count included, is rolled back.
    mark = insert(counted).from_select(
        ["key", "incident_id", "created"],
        select(bindparam("idempotency_key", type_=Text), decided.c.id, decided.c.inserted).where(
            bindparam("idempotency_key", type_=Text) != ""
        ),
    )
    # A new incident's orchestration, to be filled in as the other services report.
    orchestration = insert(orchestrations).from_select(
        ["incident_id", "deadline_at"],
        select(
            decided.c.id,
            bindparam("orchestration_deadline", type_=orchestrations.c.deadline_at.type),
        ).where(decided.c.inserted),
    )
    return select(decided).add_cte(
        line.cte("line"),
        event.cte("event"),
        mark.cte("mark"),
        orchestration.cte("orchestration"),
    )


_DECIDE = _decide_statement()


async def open_or_attach(
    conn: AsyncConnection,
    values: dict[str, Any],
    *,
    created_entry: dict[str, Any],
    attached_entry: dict[str, Any],
    triggered_outbox_row: dict[str, Any],
    idempotency_key: str = "",
    orchestration_deadline: datetime | None = None,
) -> tuple[IncidentSnapshot, bool] | None:
    """Open the incident or count more occurrences on the open one with the same key, write
    its timeline line and, for a new incident, its triggered event: all in ONE statement.

    The partial unique index arbitrates concurrent callers (the loser's insert turns into the
    update, adding ``values["alert_count"]``), and one statement is one atomic commit in one
    round trip. ``attached_entry``'s message is a ``format()`` template given the new count.
    A non-empty ``idempotency_key`` is recorded with the count; None (nothing done) when it
    was recorded before (see :func:`counted_under`). A new incident's orchestration is
    closed at ``orchestration_deadline`` at the latest.
    """
    params = {
        **values,
        "idempotency_key": idempotency_key,
        "line_id": uuid.uuid4(),
        "created_type": created_entry["type"],
        "created_message": created_entry["message"],
        "attached_type": attached_entry["type"],
        "attached_template": attached_entry["message"],
        "line_source": created_entry["source"],
        "line_actor": created_entry["actor"],
        "line_actor_id": created_entry.get("actor_id") or None,
        "line_at": values["created_at"],
        "event_id": triggered_outbox_row["event_id"],
        "event_subject": triggered_outbox_row["subject"],
        "event_payload": triggered_outbox_row["payload"],
        "event_headers": triggered_outbox_row["headers"],
        "orchestration_deadline": orchestration_deadline or values["created_at"],
    }
    row = (await conn.execute(_DECIDE, params)).first()
    return None if row is None else (snapshot(row), bool(row.inserted))


async def void_counts(conn: AsyncConnection, keys: Sequence[str]) -> None:
    """Record ``keys`` as voided where nothing was counted under them yet (a key counted
    already keeps its incident): from now on each key has one answer for good."""
    if keys:
        await conn.execute(
            insert(counted)
            .values([{"key": k, "incident_id": None, "created": False} for k in keys])
            .on_conflict_do_nothing(index_elements=[counted.c.key])
        )


async def counted_under(
    conn: AsyncConnection, keys: Sequence[str]
) -> dict[str, tuple[IncidentSnapshot, bool] | None]:
    """Per key of ``keys`` recorded: the incident its occurrences were counted on and whether
    they opened it, or None when it was voided (or its incident deleted since)."""
    query = (
        select(counted.c.key.label("counted_key"), counted.c.created.label("opened"), incidents)
        .select_from(counted.outerjoin(incidents, incidents.c.id == counted.c.incident_id))
        .where(counted.c.key.in_(list(keys)))
    )
    return {
        row.counted_key: (snapshot(row), bool(row.opened)) if row.id is not None else None
        for row in (await conn.execute(query)).all()
    }


async def forget_counted_before(conn: AsyncConnection, before: datetime) -> None:
    """Drop idempotency keys older than ``before``: nobody sends those counts again."""
    await conn.execute(counted.delete().where(counted.c.at < before))


async def add_timeline(
    conn: AsyncConnection,
    incident_id: str,
    *,
    type: str,
    message: str,
    source: str,
    actor: str | None = None,
    actor_id: str | None = None,
    at: datetime | None = None,
    ref_id: str | None = None,
) -> None:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "incident_id": uuid.UUID(incident_id),
        "type": type,
        "message": message,
        "source": source,
        "actor": actor,
        "actor_id": actor_id or None,
        "ref_id": ref_id,
    }
    if at is not None:
        values["created_at"] = at
    await conn.execute(timeline.insert().values(**values))


async def get_incident(
    conn: AsyncConnection, ref: IncidentRef, *, for_update: bool = False
) -> IncidentSnapshot | None:
    """The incident named by ``ref``; ``for_update`` locks its row until the transaction ends."""
    query = select(incidents)
    if ref.uuid is not None:
        query = query.where(incidents.c.id == ref.uuid)
    else:
        # Short ids can collide; the newest incident wins, as a person would expect.
        query = (
            query.where(incidents.c.short_id == ref.short_id)
            .order_by(incidents.c.created_at.desc())
            .limit(1)
        )
    if for_update:
        query = query.with_for_update()
    row = (await conn.execute(query)).first()
    return snapshot(row) if row is not None else None


async def statuses(
    conn: AsyncConnection, ids: Sequence[uuid.UUID]
) -> tuple[dict[str, Any], dict[str, datetime]]:
    """The current status of each incident of ``ids`` that exists, by id; and the end of
    the maintenance of the service of those whose service is in maintenance now."""
    if not ids:
        return {}, {}
    query = (
        select(
            incidents.c.id,
            incidents.c.status,
            services.c.maintenance_since,
            services.c.maintenance_until,
        )
        .select_from(incidents.outerjoin(services, incidents.c.service_id == services.c.id))
        .where(incidents.c.id.in_(ids))
    )
    rows = (await conn.execute(query)).all()
    now = datetime.now(UTC)
    held = {
        str(r.id): r.maintenance_until
        for r in rows
        if in_maintenance(r.maintenance_since, r.maintenance_until, now)
    }
    return {str(r.id): r.status for r in rows}, held


async def list_timeline(
    conn: AsyncConnection, incident_id: str, *, newest_first: bool = False
) -> list[TimelineEntry]:
    order = (
        (timeline.c.created_at.desc(), timeline.c.seq.desc())
        if newest_first
        else (timeline.c.created_at, timeline.c.seq)
    )
    query = (
        select(timeline).where(timeline.c.incident_id == uuid.UUID(incident_id)).order_by(*order)
    )
    return [
        TimelineEntry(
            id=str(r.id),
            type=r.type,
            message=r.message,
            actor=r.actor,
            actor_id=r.actor_id,
            source=r.source,
            created_at=r.created_at,
        )
        for r in (await conn.execute(query)).all()
    ]


async def update_incident(
    conn: AsyncConnection, incident_id: str, values: dict[str, Any]
) -> IncidentSnapshot:
    statement = (
        update(incidents)
        .where(incidents.c.id == uuid.UUID(incident_id))
        .values(**values, updated_at=func.now())
        .returning(*incidents.c)
    )
    return snapshot((await conn.execute(statement)).one())


async def open_incident_for_key(
    conn: AsyncConnection, service_id: str, dedup_key: str
) -> str | None:
    """The short id of the open incident for (service, dedup key), if any."""
    query = select(incidents.c.short_id).where(
        incidents.c.service_id == uuid.UUID(service_id),
        incidents.c.dedup_key == dedup_key,
        OPEN_PREDICATE,
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def lock_open_incident(
    conn: AsyncConnection, service_id: str, dedup_key: str
) -> IncidentSnapshot | None:
    """The open incident for (service, dedup key), its row locked until the transaction ends."""
    query = (
        select(incidents)
        .where(
            incidents.c.service_id == uuid.UUID(service_id),
            incidents.c.dedup_key == dedup_key,
            OPEN_PREDICATE,
        )
        .with_for_update()
    )
    row = (await conn.execute(query)).first()
    return snapshot(row) if row is not None else None


async def incident_exists(conn: AsyncConnection, incident_id: str) -> bool:
    try:
        key = uuid.UUID(incident_id)
    except ValueError:
        return False
    query = select(incidents.c.id).where(incidents.c.id == key)
    return (await conn.execute(query)).first() is not None


_ORDERING = {
    "created_at": incidents.c.created_at,
    "detected_at": incidents.c.detected_at,
    "severity": incidents.c.severity,
    "status": incidents.c.status,
    "alert_count": incidents.c.alert_count,
    "title": incidents.c.title,
}
ORDERING_FIELDS: tuple[str, ...] = tuple(_ORDERING)


def _filtered(query: Select[Any], q: ListIncidents) -> Select[Any]:
    if q.status:
        query = query.where(incidents.c.status.in_(list(q.status)))
    if q.severity:
        query = query.where(incidents.c.severity.in_(list(q.severity)))
    if q.service:
        query = query.where(incidents.c.service_name == q.service)
    if q.team:
        query = query.where(incidents.c.team_name == q.team)
    if q.tag:
        query = query.where(incidents.c.tags.contains([q.tag.lower()]))
    if q.q:
        like = "%" + q.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(incidents.c.title.ilike(like), incidents.c.description.ilike(like)))
    if q.created_from is not None:
        query = query.where(incidents.c.created_at >= q.created_from)
    if q.created_to is not None:
        query = query.where(incidents.c.created_at < q.created_to)
    return query


async def list_incidents(
    conn: AsyncConnection, q: ListIncidents
) -> tuple[int, list[IncidentSnapshot]]:
    """One page of matching incidents and the number matching in all."""
    count = (
        await conn.execute(_filtered(select(func.count()).select_from(incidents), q))
    ).scalar_one()
    field = q.ordering.lstrip("-")
    column = _ORDERING[field]
    order = column.desc() if q.ordering.startswith("-") else column.asc()
    query = _filtered(select(incidents), q).order_by(order, incidents.c.id).offset(q.offset)
    rows = (await conn.execute(query.limit(q.limit))).all()
    return int(count), [snapshot(r) for r in rows]


async def tag_rule_pairs(conn: AsyncConnection) -> list[tuple[str, str]]:
    rows = (await conn.execute(select(tag_rules.c.tag, tag_rules.c.pattern))).all()
    return [(r.tag, r.pattern) for r in rows]


# -- comments ----------------------------------------------------------------------------------


def _comment(row: Record) -> Comment:
    return Comment(
        id=str(row.id),
        incident_id=str(row.incident_id),
        author=row.author,
        author_id=row.author_id or "",
        body=row.body,
        pinned=row.pinned,
        created_at=row.created_at,
        edited_at=row.edited_at,
    )


async def add_comment(
    conn: AsyncConnection, incident_id: str, author: str, author_id: str, body: str, at: datetime
) -> Comment:
    statement = (
        comments.insert()
        .values(
            id=uuid.uuid4(),
            incident_id=uuid.UUID(incident_id),
            author=author,
            author_id=author_id or None,
            body=body,
            created_at=at,
        )
        .returning(*comments.c)
    )
    return _comment((await conn.execute(statement)).one())


async def get_comment(conn: AsyncConnection, incident_id: str, comment_id: str) -> Comment | None:
    try:
        key = uuid.UUID(comment_id)
    except ValueError:
        return None
    query = (
        select(comments)
        .where(
            comments.c.id == key,
            comments.c.incident_id == uuid.UUID(incident_id),
            comments.c.deleted_at.is_(None),
        )
        .with_for_update()
    )
    row = (await conn.execute(query)).first()
    return _comment(row) if row is not None else None


async def update_comment(conn: AsyncConnection, comment_id: str, values: dict[str, Any]) -> Comment:
    statement = (
        update(comments)
        .where(comments.c.id == uuid.UUID(comment_id))
        .values(**values)
        .returning(*comments.c)
    )
    return _comment((await conn.execute(statement)).one())


async def list_comments(conn: AsyncConnection, incident_id: str) -> list[Comment]:
    query = (
        select(comments)
        .where(comments.c.incident_id == uuid.UUID(incident_id), comments.c.deleted_at.is_(None))
        .order_by(comments.c.pinned.desc(), comments.c.created_at, comments.c.id)
    )
    return [_comment(r) for r in (await conn.execute(query)).all()]


async def set_timeline_message(conn: AsyncConnection, ref_id: str, message: str) -> None:
    """Rewrite the timeline line about ``ref_id`` (a comment edited or deleted)."""
    await conn.execute(update(timeline).where(timeline.c.ref_id == ref_id).values(message=message))
