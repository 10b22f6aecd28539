"""Use cases of the incidents service: each owns its transaction and its outbox writes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id
from imas_contracts.incidents import (
    ApplyCatalog,
    CatalogApplied,
    CatalogChanged,
    GetIncident,
    IncidentTriggered,
    IncidentView,
    OpenOrAttach,
    OpenOrAttachReply,
)
from imas_incidents import domain, store
from imas_incidents.models import outbox
from imas_runtime.errors import Invalid, NotFound
from imas_runtime.outbox import outbox_rows


class IncidentUseCases:
    """Open-or-attach, queries and catalog changes, each in one transaction."""

    def __init__(self, engine: AsyncEngine, on_commit: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self._on_commit = on_commit

    async def _emit(self, conn: AsyncConnection, events: Sequence[Event]) -> None:
        if events:
            await conn.execute(outbox.insert(), outbox_rows(events))

    async def open_or_attach(self, cmd: OpenOrAttach) -> OpenOrAttachReply:
        """Open a new incident or attach the alert to the open one for (service, dedup key).

        Safe under any concurrency (one statement decides); the triggered event is written to
        the outbox in the same transaction, so it is published exactly when the incident exists.
        """
        domain.validate_new_incident(cmd.title, cmd.service_name, cmd.severity)
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            service = await store.find_service(conn, cmd.service_name)
            if service is None:
                raise Invalid.field("service_name", f"unknown service '{cmd.service_name}'")
            scope_rows = await store.find_scopes(conn, cmd.impacted_scopes)
            unknown = set(cmd.impacted_scopes) - {r.name for r in scope_rows}
            if unknown:
                raise Invalid.field(
                    "impacted_scopes", f"unknown scope(s): {', '.join(sorted(unknown))}"
                )
            incident_id = uuid.uuid4()
            incident, created = await store.open_or_attach(
                conn,
                {
                    "id": incident_id,
                    "short_id": domain.short_id(incident_id),
                    "title": cmd.title.strip(),
                    "description": cmd.description,
                    "service_id": service.id,
                    "service_name": service.name,
                    "team_id": service.team_id,
                    "team_name": service.team_name,
                    "severity": cmd.severity,
                    "status": "TRIGGERED",
                    "dedup_key": cmd.dedup_key,
                    "impacted_scopes": [{"id": str(r.id), "name": r.name} for r in scope_rows],
                    "tags": sorted(set(cmd.tags)),
                    "detected_at": min(cmd.detected_at or now, now),
                    "created_at": now,
                },
            )
            if created:
                await store.add_timeline(
                    conn,
                    incident.id,
                    type="STATUS_CHANGE",
                    message=domain.created_message(cmd.alert_source),
                    source=cmd.source,
                    actor=cmd.actor,
                    at=now,
                )
                await self._emit(
                    conn,
                    [
                        IncidentTriggered(
                            event_id=new_event_id(),
                            occurred_at=now,
                            incident=incident,
                            source=cmd.source,
                        )
                    ],
                )
            else:
                await store.add_timeline(
                    conn,
                    incident.id,
                    type="ALERT_RECEIVED",
                    message=domain.attached_message(cmd.alert_source, incident.alert_count),
                    source=cmd.source,
                    actor=cmd.actor,
                    at=now,
                )
        if created:
            self._on_commit()
        return OpenOrAttachReply(created=created, incident=incident)

    async def get(self, query: GetIncident) -> IncidentView:
        """One incident with its KPIs and timeline; NotFound when no incident matches."""
        ref = domain.parse_ref(query.id)
        async with self.engine.connect() as conn:
            incident = await store.get_incident(conn, ref)
            if incident is None:
                raise NotFound(f"no incident {query.id}")
            entries = await store.list_timeline(conn, incident.id)
        return IncidentView(incident=incident, timeline=entries)

    async def apply_catalog(self, cmd: ApplyCatalog) -> CatalogApplied:
        """Create or update teams, services and scopes by name. Safe to run twice."""
        now = datetime.now(UTC)
        changes: list[Event] = []

        def changed(kind: str, id_: uuid.UUID, name: str, data: dict[str, object]) -> None:
            changes.append(
                CatalogChanged(
                    event_id=new_event_id(),
                    occurred_at=now,
                    kind=kind,  # type: ignore[arg-type]
                    action="upserted",
                    id=str(id_),
                    name=name,
                    data=data,
                )
            )

        async with self.engine.begin() as conn:
            for team in cmd.teams:
                team_id = await store.upsert_team(conn, team)
                changed("team", team_id, team.name, {"slack_channel": team.slack_channel})
            for service in cmd.services:
                owner = None
                if service.team:
                    owner = await store.team_id_by_name(conn, service.team)
                    if owner is None:
                        raise Invalid.field("services.team", f"unknown team '{service.team}'")
                service_id = await store.upsert_service(conn, service, owner)
                changed("service", service_id, service.name, {"team": service.team})
            for scope in cmd.scopes:
                scope_id = await store.upsert_scope(conn, scope)
                changed("scope", scope_id, scope.name, {"mandatory_emails": scope.mandatory_emails})
            await self._emit(conn, changes)
        self._on_commit()
        return CatalogApplied(
            teams=len(cmd.teams), services=len(cmd.services), scopes=len(cmd.scopes)
        )
