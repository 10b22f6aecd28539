"""Changes on services (PagerDuty change events): recorded and shown where responders look.

A change opens no incident and pages nobody. It is kept with its service (listed newest
first) and written as a ``CHANGE`` line on the timeline of every unresolved incident of that
service, in the transaction that records it. An incident opened later shows the changes of
the hour before it opened (:func:`recent_changes`): the deploy that broke it usually came
first, and an alert may reach incidents after the change that followed it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts.changes import ChangePage, ChangeView, ListChanges, RecordChange
from imas_contracts.incidents import IncidentSnapshot, TimelineEntry
from imas_incidents import domain, store
from imas_incidents.changes import store as changes
from imas_runtime.errors import Invalid

MAX_PAGE = 500
# How long before an incident opened its service's changes show on its timeline.
RECENT_CHANGES = timedelta(hours=1)


def _uuid(text: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Invalid.field(field, "must be a UUID") from None


async def recent_changes(conn: AsyncConnection, incident: IncidentSnapshot) -> list[TimelineEntry]:
    """``CHANGE`` lines, oldest first, for the service's changes of the hour before the
    incident opened that its timeline does not have yet (read, not stored)."""
    found = await changes.changes_before(
        conn,
        incident.id,
        uuid.UUID(incident.service.id),
        incident.created_at - RECENT_CHANGES,
        incident.created_at,
    )
    return [
        TimelineEntry(
            id=change.id,
            type="CHANGE",
            message=domain.change_message(
                change.summary, change.links[0].href if change.links else None
            ),
            actor=change.source or None,
            source="system",
            created_at=change.occurred_at,
        )
        for change in found
    ]


class ChangeUseCases:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(self, cmd: RecordChange) -> ChangeView:
        """Record the change and note it on the service's unresolved incidents. Safe to run
        twice: the change's id is recorded once, and a repeat answers the first record."""
        domain.check_change(cmd.summary, cmd.service_name)
        change_id = _uuid(cmd.id, "id")
        async with self.engine.begin() as conn:
            service = await changes.service_id(conn, cmd.service_name.strip())
            incident_ids = await changes.unresolved_incidents(conn, service) if service else []
            recorded = await changes.insert_change(
                conn,
                {
                    "id": change_id,
                    "service_id": service,
                    "service_name": cmd.service_name.strip(),
                    "summary": cmd.summary.strip(),
                    "source": cmd.source,
                    "occurred_at": cmd.occurred_at,
                    "links": msgspec.to_builtins(cmd.links),
                    "custom_details": msgspec.to_builtins(cmd.custom_details),
                    "integration_id": cmd.integration_id,
                    "incident_ids": incident_ids,
                },
            )
            if recorded:
                line = domain.change_message(cmd.summary, cmd.links[0].href if cmd.links else None)
                for incident_id in incident_ids:
                    await store.add_timeline(
                        conn,
                        incident_id,
                        type="CHANGE",
                        message=line,
                        source="system",
                        actor=cmd.source or None,
                        at=cmd.occurred_at,
                        ref_id=str(change_id),
                    )
            change = await changes.get_change(conn, change_id)
        assert change is not None
        return ChangeView(change=change)

    async def list_changes(self, query: ListChanges) -> ChangePage:
        """Changes, newest first, of one service (its id or name) or of all. Read-only."""
        if query.offset < 0:
            raise Invalid.field("offset", "must not be negative")
        if not 1 <= query.limit <= MAX_PAGE:
            raise Invalid.field("limit", f"must be between 1 and {MAX_PAGE}")
        async with self.engine.connect() as conn:
            service, name = None, query.service.strip()
            if name:
                try:
                    service = uuid.UUID(name)
                except ValueError:
                    service = await changes.service_id(conn, name)
                else:
                    name = await changes.service_by_id(conn, service) or ""
            count, results = await changes.list_changes(
                conn, service=service, service_name=name, offset=query.offset, limit=query.limit
            )
        return ChangePage(count=count, results=results)
