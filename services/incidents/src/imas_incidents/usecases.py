"""Use cases of the incidents service: each owns its transaction and its outbox writes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id
from imas_contracts.incidents import (
    AddComment,
    Comment,
    CommentList,
    CommentView,
    CountsSettled,
    DeleteComment,
    EditComment,
    GetIncident,
    GetIncidentStates,
    IncidentAcknowledged,
    IncidentCommented,
    IncidentMitigated,
    IncidentPage,
    IncidentReopened,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentSnapshot,
    IncidentStates,
    IncidentTriggered,
    IncidentUpdated,
    IncidentView,
    ListComments,
    ListIncidents,
    OpenOrAttach,
    OpenOrAttachReply,
    Ref,
    SettleCounts,
    Source,
    TimelineEntry,
    TransitionIncident,
    TransitionOpenIncident,
    UpdateIncident,
)
from imas_incidents import domain, store
from imas_incidents.catalog.cache import CatalogCache
from imas_incidents.changes.usecases import recent_changes
from imas_incidents.models import outbox
from imas_runtime.errors import Conflict, Invalid, NotFound
from imas_runtime.outbox import emit, outbox_rows
from imas_runtime.windows import in_maintenance

_TRANSITION_EVENTS: dict[
    str,
    type[IncidentAcknowledged]
    | type[IncidentMitigated]
    | type[IncidentResolved]
    | type[IncidentReopened],
] = {
    "acknowledge": IncidentAcknowledged,
    "mitigate": IncidentMitigated,
    "resolve": IncidentResolved,
    "reopen": IncidentReopened,
}


def _commented(
    incident: IncidentSnapshot,
    comment: Comment,
    change: Literal["added", "edited", "deleted"],
    actor: str,
    source: Source = "api",
) -> IncidentCommented:
    return IncidentCommented(
        event_id=new_event_id(),
        occurred_at=datetime.now(UTC),
        incident_id=incident.id,
        short_id=incident.short_id,
        comment=comment,
        change=change,
        actor=actor,
        source=source,
    )


async def locked(conn: AsyncConnection, ref: str) -> IncidentSnapshot:
    """The incident named ``ref``, its row locked until commit; NotFound otherwise."""
    incident = await store.get_incident(conn, domain.parse_ref(ref), for_update=True)
    if incident is None:
        raise NotFound(f"no incident {ref}")
    return incident


# How long an open-or-attach's idempotency key is remembered: far longer than any caller
# retries (ingest's flusher retries for minutes at most).
KEEP_IDEMPOTENCY_KEYS = timedelta(days=1)


async def _timeline(
    conn: AsyncConnection, incident: IncidentSnapshot, *, newest_first: bool = False
) -> list[TimelineEntry]:
    """The incident's timeline, led by the service's changes of the hour before it opened."""
    entries = await store.list_timeline(conn, incident.id, newest_first=newest_first)
    before = await recent_changes(conn, incident)
    return [*entries, *reversed(before)] if newest_first else [*before, *entries]


class IncidentUseCases:
    """Open-or-attach, lifecycle, edits, comments and queries, each in one transaction."""

    def __init__(
        self,
        engine: AsyncEngine,
        on_commit: Callable[[], None] = lambda: None,
        catalog: CatalogCache | None = None,
        orchestration_deadline: float = 300.0,
    ) -> None:
        self.engine = engine
        # A new incident's orchestration summary is written at this many seconds at the latest.
        self.orchestration_deadline = timedelta(seconds=orchestration_deadline)
        # One-statement decisions need no BEGIN / COMMIT round trips of their own.
        self.autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.catalog = catalog or CatalogCache()
        self._on_commit = on_commit
        self._keys_forgotten_at = datetime.min.replace(tzinfo=UTC)

    async def _emit(self, conn: AsyncConnection, events: Sequence[Event]) -> None:
        await emit(conn, outbox, events)

    async def open_or_attach(self, cmd: OpenOrAttach) -> OpenOrAttachReply:
        """Open a new incident or attach the alert to the open one for (service, dedup key).

        Safe under any concurrency: one statement decides, writes the timeline line and, for a
        new incident, the triggered event to the outbox, so the event is published exactly when
        the incident exists. The hot path: with the catalog cached, a decision is one round trip.
        Safe to run twice with an ``idempotency_key``: the repeat counts nothing and answers as
        the first did.
        """
        domain.validate_new_incident(cmd.title, cmd.service_name, cmd.severity, cmd.detected_at)
        now = datetime.now(UTC)
        async with self.autocommit.connect() as conn:
            service = await self.catalog.service(conn, cmd.service_name)
            if service is None:
                raise Invalid.field("service_name", f"unknown service '{cmd.service_name}'")
            scope_rows = await store.find_scopes(conn, cmd.impacted_scopes)
            unknown = set(cmd.impacted_scopes) - {r.name for r in scope_rows}
            if unknown:
                raise Invalid.field(
                    "impacted_scopes", f"unknown scope(s): {', '.join(sorted(unknown))}"
                )
            rules = await self.catalog.tag_rules(conn)
            tags = {domain.clean_tag(t) for t in cmd.tags} | set(domain.auto_tags(cmd.title, rules))
            incident_id = uuid.uuid4()
            # Alerts of a service in maintenance are suppressed before they get here: an
            # incident opened during one was asked for by hand, and is opened, but nobody is
            # paged about it before the maintenance ends.
            held_until = (
                service.maintenance_until
                if in_maintenance(service.maintenance_since, service.maintenance_until, now)
                else None
            )
            held_by = f"maintenance of {service.name}" if held_until else ""
            values = {
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
                "alert_count": max(cmd.occurrences, 1),
                "impacted_scopes": [{"id": str(r.id), "name": r.name} for r in scope_rows],
                "tags": sorted(tags),
                "detected_at": min(cmd.detected_at or now, now),
                "created_at": now,
            }
            # The event as it will be if this alert opens the incident; dropped otherwise.
            triggered = IncidentTriggered(
                event_id=new_event_id(),
                occurred_at=now,
                incident=domain.new_snapshot(values),
                source=cmd.source,
                held_until=held_until,
                held_by=held_by,
            )
            try:
                decided = await store.open_or_attach(
                    conn,
                    values,
                    created_entry={
                        "type": "STATUS_CHANGE",
                        "message": domain.created_message(cmd.alert_source, held_by, held_until),
                        "source": cmd.source,
                        "actor": cmd.actor,
                        "actor_id": cmd.actor_id,
                    },
                    attached_entry={
                        "type": "ALERT_RECEIVED",
                        "message": domain.attached_message_template(cmd.alert_source),
                    },
                    triggered_outbox_row=outbox_rows([triggered])[0],
                    idempotency_key=cmd.idempotency_key,
                    orchestration_deadline=now + self.orchestration_deadline,
                )
            except IntegrityError:
                if not cmd.idempotency_key:
                    raise
                await conn.rollback()
                decided = None  # counted by a concurrent call with the same key
            if decided is None:
                key = cmd.idempotency_key
                decided = (await store.counted_under(conn, [key])).get(key)
                if decided is None:
                    # Voided (SettleCounts), or its incident deleted since: never counted.
                    raise Conflict(f"nothing is counted under idempotency_key {key}: voided")
                incident, created = decided
                return OpenOrAttachReply(created=created, incident=incident)
            if cmd.idempotency_key and now - self._keys_forgotten_at > KEEP_IDEMPOTENCY_KEYS:
                self._keys_forgotten_at = now
                await store.forget_counted_before(conn, now - KEEP_IDEMPOTENCY_KEYS)
        incident, created = decided
        if not created:
            return OpenOrAttachReply(created=created, incident=incident)
        self._on_commit()
        return OpenOrAttachReply(
            created=created, incident=incident, held_until=held_until, held_by=held_by
        )

    async def settle_counts(self, cmd: SettleCounts) -> CountsSettled:
        """Per idempotency key: the incident counted under it, or, when none was, the key
        voided for good (see :class:`SettleCounts`). One transaction: a count under a key in
        progress meanwhile either commits first (and is answered) or finds the key voided.
        Safe to repeat: a key's answer never changes."""
        if len(cmd.keys) > 1000:
            raise Invalid.field("keys", "at most 1,000 keys at once")
        keys = sorted({k for k in cmd.keys if k})
        async with self.engine.begin() as conn:
            await store.void_counts(conn, keys)
            found = await store.counted_under(conn, keys)
        counted = {
            key: OpenOrAttachReply(created=decided[1], incident=decided[0])
            for key, decided in found.items()
            if decided is not None
        }
        return CountsSettled(counted=counted, voided=[k for k in keys if k not in counted])

    async def get(self, query: GetIncident) -> IncidentView:
        """One incident with its KPIs and timeline; NotFound when no incident matches."""
        ref = domain.parse_ref(query.id)
        async with self.engine.connect() as conn:
            incident = await store.get_incident(conn, ref)
            if incident is None:
                raise NotFound(f"no incident {query.id}")
            entries = await _timeline(conn, incident, newest_first=query.timeline_order == "desc")
        return IncidentView(incident=incident, timeline=entries)

    async def states(self, query: GetIncidentStates) -> IncidentStates:
        """The status of each incident asked about, as committed now (an id that is not a
        known incident is left out). Read-only, safe to repeat."""
        if len(query.ids) > 1000:
            raise Invalid.field("ids", "at most 1,000 ids at once")
        ids = []
        for text in query.ids:
            try:
                ids.append(uuid.UUID(text))
            except ValueError:
                continue  # not an incident id: left out, like an unknown one
        async with self.engine.connect() as conn:
            statuses, held = await store.statuses(conn, ids)
        return IncidentStates(statuses=statuses, maintenance_until=held)

    async def _view(self, conn: AsyncConnection, incident: IncidentSnapshot) -> IncidentView:
        return IncidentView(incident=incident, timeline=await _timeline(conn, incident))

    async def transition(self, cmd: TransitionIncident) -> IncidentView:
        """Acknowledge, mitigate, resolve or reopen. A refused move raises ``Conflict`` and
        changes nothing; an allowed one writes its timeline line and its event in the same
        transaction. Not idempotent: acknowledging twice is refused the second time (409).

        Reopening is refused (``Conflict`` naming it) while another incident is open for the
        same service and dedup key, since two open incidents for one key are never allowed.
        """
        async with self.engine.begin() as conn:
            view = await self._transition(conn, await locked(conn, cmd.id), cmd)
        self._on_commit()
        return view

    async def transition_open(self, cmd: TransitionOpenIncident) -> IncidentView:
        """Transition the open incident of (service, dedup key): what an alert's ``resolved``
        state asks. The partial unique index makes that incident unique; its row is locked
        before the move, so a concurrent alert attaching to it waits. NotFound when none is
        open; like :meth:`transition` otherwise (a refused move answers ``conflict``)."""
        async with self.engine.begin() as conn:
            service = await self.catalog.service(conn, cmd.service_name)
            if service is None:
                raise Invalid.field("service_name", f"unknown service '{cmd.service_name}'")
            incident = await store.lock_open_incident(conn, str(service.id), cmd.dedup_key)
            if incident is None:
                raise NotFound(f"no open incident for {cmd.service_name} / '{cmd.dedup_key}'")
            view = await self._transition(conn, incident, cmd)
        self._on_commit()
        return view

    async def _transition(
        self,
        conn: AsyncConnection,
        incident: IncidentSnapshot,
        cmd: TransitionIncident | TransitionOpenIncident,
    ) -> IncidentView:
        now = datetime.now(UTC)
        status, stamps = domain.plan_transition(cmd.action, incident, now)
        if cmd.action == "reopen":
            other = await store.open_incident_for_key(conn, incident.service.id, incident.dedup_key)
            if other is not None:
                raise domain.reopen_conflict(incident, other)
        try:
            async with conn.begin_nested():
                updated = await store.update_incident(
                    conn, incident.id, {"status": status, **stamps}
                )
        except IntegrityError:
            # Another alert opened one for the key between our check and our update.
            other = await store.open_incident_for_key(conn, incident.service.id, incident.dedup_key)
            raise domain.reopen_conflict(incident, other or "?") from None
        await store.add_timeline(
            conn,
            incident.id,
            type="STATUS_CHANGE",
            message=domain.transition_message(cmd.action, incident.status, status, cmd.note),
            source=cmd.source,
            actor=cmd.actor,
            actor_id=cmd.actor_id,
            at=now,
        )
        event = _TRANSITION_EVENTS[cmd.action](
            event_id=new_event_id(),
            occurred_at=now,
            incident=updated,
            actor=cmd.actor,
            source=cmd.source,
            note=cmd.note,
        )
        await self._emit(conn, [event])
        return await self._view(conn, updated)

    async def update(self, cmd: UpdateIncident) -> IncidentView:
        """Edit title, description, severity, lead, scopes and tags. Each change is a timeline
        line; ``incidents.updated`` (and ``incidents.severity_changed`` when it did) go to the
        outbox. Safe to run twice: the second run finds nothing to change and emits nothing."""
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            incident = await locked(conn, cmd.id)
            scopes: list[Ref] | None = None
            if cmd.impacted_scopes is not None:
                rows = await store.find_scopes(conn, cmd.impacted_scopes)
                unknown = set(cmd.impacted_scopes) - {r.name for r in rows}
                if unknown:
                    raise Invalid.field(
                        "impacted_scopes", f"unknown scope(s): {', '.join(sorted(unknown))}"
                    )
                scopes = [Ref(id=str(r.id), name=r.name) for r in rows]
            changes = domain.plan_update(
                incident,
                title=cmd.title,
                description=cmd.description,
                severity=cmd.severity,
                lead=cmd.lead,
                scopes=scopes,
                add_tags=cmd.add_tags,
                remove_tags=cmd.remove_tags,
            )
            if not changes:
                return await self._view(conn, incident)
            updated = await store.update_incident(
                conn, incident.id, {c.field: c.value for c in changes}
            )
            for change in changes:
                await store.add_timeline(
                    conn,
                    incident.id,
                    type=change.event_type,
                    message=change.message,
                    source=cmd.source,
                    actor=cmd.actor,
                    actor_id=cmd.actor_id,
                    at=now,
                )
            await self._emit(conn, self._update_events(incident, updated, changes, cmd, now))
            view = await self._view(conn, updated)
        self._on_commit()
        return view

    @staticmethod
    def _update_events(
        before: IncidentSnapshot,
        after: IncidentSnapshot,
        changes: list[domain.Change],
        cmd: UpdateIncident,
        now: datetime,
    ) -> list[Event]:
        fields = sorted({c.field for c in changes})
        events: list[Event] = []
        if "severity" in fields:
            events.append(
                IncidentSeverityChanged(
                    event_id=new_event_id(),
                    occurred_at=now,
                    incident=after,
                    previous=before.severity,
                    actor=cmd.actor,
                    source=cmd.source,
                )
            )
        events.append(
            IncidentUpdated(
                event_id=new_event_id(),
                occurred_at=now,
                incident=after,
                changed=fields,
                actor=cmd.actor,
                source=cmd.source,
            )
        )
        return events

    async def list_incidents(self, query: ListIncidents) -> IncidentPage:
        """Incidents matching the filters, one page at a time (read only)."""
        if query.ordering.lstrip("-") not in store.ORDERING_FIELDS:
            raise Invalid.field(
                "ordering", f"must be one of {', '.join(store.ORDERING_FIELDS)} (- for descending)"
            )
        if not 1 <= query.limit <= 500:
            raise Invalid.field("page_size", "must be between 1 and 500")
        if query.offset < 0:
            raise Invalid.field("page", "must be at least 1")
        async with self.engine.connect() as conn:
            count, results = await store.list_incidents(conn, query)
        return IncidentPage(count=count, results=results)

    # -- comments ------------------------------------------------------------------------------

    async def add_comment(self, cmd: AddComment) -> CommentView:
        """Add a comment and its NOTE timeline line. Not idempotent (each call adds one)."""
        body = domain.check_comment_body(cmd.body)
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            incident = await locked(conn, cmd.id)
            comment = await store.add_comment(conn, incident.id, cmd.actor, cmd.actor_id, body, now)
            await store.add_timeline(
                conn,
                incident.id,
                type="NOTE",
                message=domain.note_message(body),
                source=cmd.source,
                actor=cmd.actor,
                actor_id=cmd.actor_id,
                at=now,
                ref_id=comment.id,
            )
            await emit(
                conn, outbox, [_commented(incident, comment, "added", cmd.actor, cmd.source)]
            )
        return CommentView(comment=comment)

    async def edit_comment(self, cmd: EditComment) -> CommentView:
        """Change the body (its author only) and/or pin it (anyone). Safe to run twice."""
        async with self.engine.begin() as conn:
            incident = await locked(conn, cmd.id)
            comment = await store.get_comment(conn, incident.id, cmd.comment_id)
            if comment is None:
                raise NotFound(f"no comment {cmd.comment_id} on INC-{incident.short_id}")
            values: dict[str, object] = {}
            if cmd.body is not None:
                domain.check_author(comment, cmd.actor_id, "edit")
                body = domain.check_comment_body(cmd.body)
                if body != comment.body:
                    values.update(body=body, edited_at=datetime.now(UTC))
                    await store.set_timeline_message(conn, comment.id, domain.note_message(body))
            if cmd.pinned is not None:
                values["pinned"] = cmd.pinned
            if values:
                comment = await store.update_comment(conn, comment.id, values)
                await emit(conn, outbox, [_commented(incident, comment, "edited", cmd.actor)])
        return CommentView(comment=comment)

    async def delete_comment(self, cmd: DeleteComment) -> CommentView:
        """Delete a comment (its author only); its NOTE then reads "(comment deleted)"."""
        async with self.engine.begin() as conn:
            incident = await locked(conn, cmd.id)
            comment = await store.get_comment(conn, incident.id, cmd.comment_id)
            if comment is None:
                raise NotFound(f"no comment {cmd.comment_id} on INC-{incident.short_id}")
            domain.check_author(comment, cmd.actor_id, "delete")
            await store.update_comment(conn, comment.id, {"deleted_at": datetime.now(UTC)})
            await store.set_timeline_message(conn, comment.id, "(comment deleted)")
            await emit(conn, outbox, [_commented(incident, comment, "deleted", cmd.actor)])
        return CommentView(comment=comment)

    async def list_comments(self, query: ListComments) -> CommentList:
        """Comments of an incident, pinned first (read only)."""
        async with self.engine.connect() as conn:
            incident = await store.get_incident(conn, domain.parse_ref(query.id))
            if incident is None:
                raise NotFound(f"no incident {query.id}")
            return CommentList(results=await store.list_comments(conn, incident.id))
