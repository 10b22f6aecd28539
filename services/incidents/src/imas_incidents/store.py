"""The only module of the incidents service that writes SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import literal_column, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.incidents import (
    IncidentSnapshot,
    Ref,
    ScopeSpec,
    ServiceSpec,
    TeamSpec,
    TimelineEntry,
)
from imas_incidents.domain import OPEN_STATUSES, IncidentRef, with_kpis
from imas_incidents.models import incidents, scopes, services, teams, timeline

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
    """The service named ``name`` with its owner team (``team_id``, ``team_name``)."""
    query = (
        select(
            services.c.id,
            services.c.name,
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


async def open_or_attach(
    conn: AsyncConnection, values: dict[str, Any]
) -> tuple[IncidentSnapshot, bool]:
    """Insert the incident, or bump the alert count of the open one with the same key.

    One statement, so concurrent callers can never open two incidents for one key: the partial
    unique index arbitrates and the loser's insert turns into the update.
    """
    statement = (
        insert(incidents)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[incidents.c.service_id, incidents.c.dedup_key],
            index_where=OPEN_PREDICATE,
            set_={
                "alert_count": incidents.c.alert_count + 1,
                "updated_at": values["created_at"],
            },
        )
        .returning(*incidents.c, literal_column("(xmax = 0)").label("inserted"))
    )
    row = (await conn.execute(statement)).one()
    return snapshot(row), bool(row.inserted)


async def add_timeline(
    conn: AsyncConnection,
    incident_id: str,
    *,
    type: str,
    message: str,
    source: str,
    actor: str | None = None,
    at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "incident_id": uuid.UUID(incident_id),
        "type": type,
        "message": message,
        "source": source,
        "actor": actor,
    }
    if at is not None:
        values["created_at"] = at
    await conn.execute(timeline.insert().values(**values))


async def get_incident(conn: AsyncConnection, ref: IncidentRef) -> IncidentSnapshot | None:
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
    row = (await conn.execute(query)).first()
    return snapshot(row) if row is not None else None


async def list_timeline(conn: AsyncConnection, incident_id: str) -> list[TimelineEntry]:
    query = (
        select(timeline)
        .where(timeline.c.incident_id == uuid.UUID(incident_id))
        .order_by(timeline.c.created_at, timeline.c.id)
    )
    return [
        TimelineEntry(
            id=str(r.id),
            type=r.type,
            message=r.message,
            actor=r.actor,
            source=r.source,
            created_at=r.created_at,
        )
        for r in (await conn.execute(query)).all()
    ]


async def upsert_team(conn: AsyncConnection, spec: TeamSpec) -> uuid.UUID:
    statement = (
        insert(teams)
        .values(id=uuid.uuid4(), name=spec.name, slack_channel=spec.slack_channel, email=spec.email)
        .on_conflict_do_update(
            index_elements=[teams.c.name],
            set_={"slack_channel": spec.slack_channel, "email": spec.email},
        )
        .returning(teams.c.id)
    )
    return (await conn.execute(statement)).scalar_one()  # type: ignore[no-any-return]


async def team_id_by_name(conn: AsyncConnection, name: str) -> uuid.UUID | None:
    query = select(teams.c.id).where(teams.c.name == name)
    return (await conn.execute(query)).scalar_one_or_none()


async def upsert_service(
    conn: AsyncConnection, spec: ServiceSpec, team_id: uuid.UUID | None
) -> uuid.UUID:
    statement = (
        insert(services)
        .values(id=uuid.uuid4(), name=spec.name, description=spec.description, team_id=team_id)
        .on_conflict_do_update(
            index_elements=[services.c.name],
            set_={"description": spec.description, "team_id": team_id},
        )
        .returning(services.c.id)
    )
    return (await conn.execute(statement)).scalar_one()  # type: ignore[no-any-return]


async def upsert_scope(conn: AsyncConnection, spec: ScopeSpec) -> uuid.UUID:
    statement = (
        insert(scopes)
        .values(id=uuid.uuid4(), name=spec.name, mandatory_emails=list(spec.mandatory_emails))
        .on_conflict_do_update(
            index_elements=[scopes.c.name],
            set_={"mandatory_emails": list(spec.mandatory_emails)},
        )
        .returning(scopes.c.id)
    )
    return (await conn.execute(statement)).scalar_one()  # type: ignore[no-any-return]
