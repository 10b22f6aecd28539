"""The room loop: opens, updates and archives war rooms on the chat platform.

A ``rooms`` row is a durable job. The loop picks rows whose time has come, locks one at a time
(``SKIP LOCKED``: replicas share the work), makes the chat calls and records how far it got in
the same transaction, so a crash or an API error resumes where it stopped: a channel is never
created twice, and a failure is retried with backoff and published as ``warroom.failed.v1``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id
from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.warroom import WarRoomArchived, WarRoomCreated, WarRoomFailed
from imas_runtime.logs import get_logger
from imas_runtime.loops import run_woken
from imas_runtime.outbox import emit
from imas_warroom import domain, store
from imas_warroom.chat import messages
from imas_warroom.chat.platforms import ChatError, ChatPlatform
from imas_warroom.export import store as store_exports
from imas_warroom.models import outbox

log = get_logger(__name__)

Invitees = Callable[[str, IncidentSnapshot], Awaitable[list[str]]]
BACKOFF = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0)


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def _nobody(_: str, __: IncidentSnapshot) -> list[str]:
    return []


class RoomSync:
    """Brings each war room in line with its incident, one repeatable pass at a time."""

    def __init__(
        self,
        engine: AsyncEngine,
        platform: ChatPlatform,
        *,
        public_url: str,
        invitees: Invitees = _nobody,
        max_attempts: int = 8,
        on_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.platform = platform
        self.public_url = public_url
        self.invitees = invitees
        self.max_attempts = max_attempts
        self._on_commit = on_commit
        self.clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stopping: asyncio.Event, interval: float) -> None:
        """Background loop: a pass whenever woken (an event was committed) or every interval."""
        await run_woken(self.sync_all, self._wake, stopping, interval, what="room pass")
        await self.platform.close()

    async def sync_all(self) -> int:
        """One pass over every room with work due now; returns how many were handled."""
        async with self.engine.connect() as conn:
            due = await store.due_rooms(conn, self.clock())
        for incident_id in due:
            await self.sync_room(incident_id)
        return len(due)

    async def sync_room(self, incident_id: uuid.UUID) -> None:
        """Do what one room needs now; progress and failures are committed together."""
        events: list[Event] = []
        async with self.engine.begin() as conn:
            room = await store.lock_room(conn, incident_id)
            doc = await store.document_for_incident(conn, incident_id)
            if room is None or doc is None:
                return
            progress: dict[str, Any] = {}
            try:
                if room.status == "pending":
                    await self._open(conn, room, doc, progress, events)
                elif room.status == "open":
                    await self._update(conn, room, doc, progress, events)
            except ChatError as exc:
                self._failed(room, exc.code, exc.retry_after, progress, events)
            except Exception as exc:  # a bug or a surprise answer: retried all the same
                log.exception("room step failed", incident_id=str(incident_id))
                self._failed(room, repr(exc), None, progress, events)
            if progress:
                await store.update_room(conn, incident_id, **progress)
            if events:
                await emit(conn, outbox, events)
        if events:
            self._on_commit()

    async def _header(self, conn: AsyncConnection, doc: Any, invited: Any) -> messages.Header:
        """The header as it should read now; its LID link is the document outside IMAS once
        the LID was exported there."""
        incident = store.incident_of(doc)
        outside = await store_exports.primary_link(conn, doc.incident_id)
        return messages.Header(
            incident=incident,
            incident_link=domain.incident_link(self.public_url, incident),
            lid_link=outside or domain.lid_link(self.public_url, incident.id),
            runbook_link=(
                domain.runbook_link(self.public_url, incident.id) if doc.runbook_id else None
            ),
            mentions=tuple(invited or ()),
        )

    async def _open(
        self,
        conn: AsyncConnection,
        room: Any,
        doc: Any,
        progress: dict[str, Any],
        events: list[Event],
    ) -> None:
        incident = store.incident_of(doc)
        chat = self.platform
        invitees = await self._wanted(room, doc)
        channel_id = room.channel_id
        created = channel_id is None
        if channel_id is None:
            try:
                channel_id = await chat.create_channel(room.channel_name, invitees)
            except ChatError as exc:
                if exc.code != "name_taken":
                    raise
                # Someone made that channel outside IMAS: take the next free name.
                progress["channel_name"] = domain.channel_name(
                    incident.short_id, incident.service.name, room.attempts + 1
                )
                raise
            progress["channel_id"] = channel_id
        if not (created and chat.invites_at_creation):
            await chat.invite(channel_id, invitees)
        progress.update(invited=invitees, invites_dirty=False)
        await chat.set_topic(channel_id, messages.topic(incident))
        header_ref = room.header_ref
        header = await self._header(conn, doc, invitees)
        if header_ref is None:
            header_ref = await chat.post_header(channel_id, header)
            progress["header_ref"] = header_ref
            await chat.pin(channel_id, header_ref)
        now = self.clock()
        link = chat.link(channel_id)
        progress.update(
            status="open",
            link=link,
            opened_at=now,
            attempts=0,
            last_error=None,
            header_dirty=False,
        )
        events.append(
            WarRoomCreated(
                event_id=new_event_id(),
                occurred_at=now,
                incident_id=incident.id,
                platform=chat.name,  # type: ignore[arg-type]  # slack, discord or log
                channel_id=channel_id,
                channel_name=progress.get("channel_name", room.channel_name),
                link=link,
            )
        )
        # Milestones that happened while the room was opening are posted next pass.
        self.wake()

    async def _wanted(self, room: Any, doc: Any) -> list[str]:
        """Who the room should have: the people the incident brings, then those added by
        hand."""
        wanted = await self.invitees(self.platform.name, store.incident_of(doc))
        added = [r["chat_id"] for r in room.responders or () if r["chat_id"] not in wanted]
        return [*wanted, *added]

    async def _invite_newcomers(self, room: Any, doc: Any, progress: dict[str, Any]) -> list[str]:
        """Invite who the room should now have and was not invited yet (a lead assigned, a
        scope added since it opened, someone added by hand), and mention them; everyone
        invited so far."""
        chat = self.platform
        invited = list(room.invited or ())
        wanted = await self._wanted(room, doc)
        newcomers = [u for u in wanted if u not in invited]
        if newcomers:
            await chat.invite(room.channel_id, newcomers)
            await chat.announce_invited(room.channel_id, newcomers)
            invited += newcomers
            progress["invited"] = invited
        progress["invites_dirty"] = False
        return invited

    async def _update(
        self,
        conn: AsyncConnection,
        room: Any,
        doc: Any,
        progress: dict[str, Any],
        events: list[Event],
    ) -> None:
        chat = self.platform
        now = self.clock()
        invited = room.invited
        if room.invites_dirty:
            invited = await self._invite_newcomers(room, doc, progress)
        if room.header_dirty:
            header = await self._header(conn, doc, invited)
            await chat.update_header(room.channel_id, room.header_ref, header)
            progress["header_dirty"] = False
        for post in await store.pending_posts(conn, room.incident_id):
            await chat.post(room.channel_id, post.text)
            await store.mark_posted(conn, post.id, now)
        if room.archive_due_at is not None and room.archive_due_at <= now:
            await chat.archive(room.channel_id, room.channel_name)
            progress.update(status="archived", archived_at=now)
            events.append(
                WarRoomArchived(
                    event_id=new_event_id(),
                    occurred_at=now,
                    incident_id=str(room.incident_id),
                    platform=chat.name,  # type: ignore[arg-type]  # slack, discord or log
                    channel_id=room.channel_id,
                    channel_name=room.channel_name,
                )
            )
        if room.attempts:
            progress.update(attempts=0, last_error=None)

    def _failed(
        self,
        room: Any,
        error: str,
        retry_after: float | None,
        progress: dict[str, Any],
        events: list[Event],
    ) -> None:
        attempts = room.attempts + 1
        give_up = attempts >= self.max_attempts
        delay = retry_after if retry_after is not None else BACKOFF[min(attempts, len(BACKOFF)) - 1]
        log.warning(
            "war room call failed",
            incident_id=str(room.incident_id),
            operation=room.status,
            error=error,
            attempt=attempts,
            retry_in=None if give_up else delay,
        )
        progress.update(
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=self.clock() + timedelta(seconds=delay),
        )
        if give_up:
            progress["status"] = "failed" if room.status == "pending" else room.status
            # An open room that keeps failing stays open; its work waits for the next change.
            progress["header_dirty"] = False
        # Rate limits are the platform asking us to slow down, not a failure worth a timeline line.
        if error != "ratelimited" or give_up:
            events.append(
                WarRoomFailed(
                    event_id=new_event_id(),
                    occurred_at=self.clock(),
                    incident_id=str(room.incident_id),
                    platform=self.platform.name,  # type: ignore[arg-type]  # slack, discord or log
                    operation="open" if room.status == "pending" else "update",
                    error=error[:500],
                    attempt=attempts,
                    will_retry=not give_up,
                )
            )
