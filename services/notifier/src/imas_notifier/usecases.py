"""Use cases of paging: route an incident or an escalation request into ledger rows, send
follow-ups, and hand every due page to its provider.

Delivery guarantee (crash in mid-send): a page is leased (status ``sending``, the attempt
counted) in one transaction, handed to the provider, then marked in another. A process killed
between the two leaves the row ``sending``; once its lease lapses any replica sends it again.
So every page reaches its provider at least once; a duplicate is possible only for the pages
that were in flight at the crash (at most ``send_concurrency`` per process), and a webhook
duplicate carries the same ``X-Webhook-Id``. In steady state a page is sent once: rows are
unique per idempotency key and leased with SKIP LOCKED.

Pages given up (dead after the last attempt, or refused for good) raise an alert through
ingest, like any monitoring alert: one SEV2 incident per (channel, provider) on the
``internal_alert_service``, later failures attaching to it. Such an incident is never paged
through the provider it is about (those pages go to the log), and its own pages, when given
up, raise no further alert: a failing provider cannot feed an endless loop of incidents.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id, utcnow
from imas_contracts.escalation import OnCallReply, WhoIsOnCall
from imas_contracts.incidents import (
    IncidentAcknowledged,
    IncidentResolved,
    IncidentSnapshot,
    IncidentTriggered,
)
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_contracts.notifier import NotificationFailed, NotificationRequested, NotificationSent
from imas_notifier import domain, routing, store
from imas_notifier.models import inbox, outbox
from imas_notifier.provider_cache import ProviderCache
from imas_notifier.providers import Outgoing, ProviderError
from imas_runtime.bus import Bus
from imas_runtime.consumer import Delivery, Reject
from imas_runtime.errors import ServiceError
from imas_runtime.logs import get_logger
from imas_runtime.outbox import claim, outbox_rows

log = get_logger(__name__)

CONSUMER = "notifier--INCIDENTS"
CUSTOM_SOURCE = "custom"  # IMAS's generic alert format (see imas_contracts.alert_payloads)
REQUESTS_CONSUMER = "notifier--NOTIFICATIONS"


@dataclasses.dataclass(frozen=True)
class Tuning:
    max_attempts: int = 8
    retry_base: float = 1.0
    lease_seconds: float = 15.0
    send_concurrency: int = 64
    sms_interval: float = 60.0
    oncall_timeout: float = 1.0


class NotifierUseCases:
    """Pages are recorded (idempotency key unique) before anything is sent, then leased by
    the dispatcher, so two replicas never send the same page in steady state."""

    def __init__(
        self,
        engine: AsyncEngine,
        providers: ProviderCache,
        *,
        public_url: str,
        internal_alert_service: str = "imas",
        tuning: Tuning | None = None,
        bus: Bus | None = None,
        on_commit: Callable[[], None] = lambda: None,
        rng: Any = random,
    ) -> None:
        self.engine = engine
        self.providers = providers
        self.public_url = public_url
        self.internal_alert_service = internal_alert_service
        self.tuning = tuning or Tuning()
        self.bus = bus
        self._on_commit = on_commit
        self._rng = rng
        self._wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()

    # -- routing --------------------------------------------------------------------------------

    async def on_triggered(self, event: IncidentTriggered, _: Delivery | None = None) -> None:
        """Page the people of a new incident per the routing rules. Safe to run twice: the
        inbox and the idempotency keys make a redelivered event record nothing new. Acks once
        recorded (sending happens after, from the ledger)."""
        incident = event.incident
        on_call = await self._on_call(incident)
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, CONSUMER, event.event_id):
                return
            directory = await store.load_directory(conn)
            rules = await store.load_rules(conn)
            configured = await self.providers.configured(conn)
            pages = routing.route_triggered(
                incident, directory, rules, configured, self.public_url, on_call
            )
            pages = await self._person_rules(conn, pages, directory, configured)
            failing = domain.failing_provider(incident.dedup_key)
            if failing is not None:
                # An incident about a failing provider is not paged through it.
                await store.record_internal_incident(conn, incident.id, *failing)
                pages = domain.avoid_provider(pages, failing[1])
            await self._record(conn, incident.id, pages)
        self.wake()

    async def _on_call(self, incident: IncidentSnapshot) -> str | None:
        """The team's on-call person, asked of escalation; None when it does not answer."""
        if self.bus is None or incident.team is None:
            return None
        try:
            reply = await self.bus.request(
                WhoIsOnCall(team_id=incident.team.id, severity=incident.severity),
                OnCallReply,
                timeout=self.tuning.oncall_timeout,
            )
        except ServiceError as exc:
            log.info("on-call unknown, using the default responder", reason=str(exc))
            return None
        for shift in reply.schedules:
            if shift.person is not None:
                return shift.person.id
        for level in reply.levels:
            if level.targets:
                return level.targets[0].id
        return None

    async def _person_rules(
        self,
        conn: AsyncConnection,
        pages: list[domain.Page],
        directory: routing.Directory,
        configured: Mapping[str, str],
    ) -> list[domain.Page]:
        """A person with notification rules is paged per their rules (push now, SMS after a
        minute, …) instead of the routing channels."""
        result: list[domain.Page] = []
        replaced: set[str] = set()
        for page in pages:
            person_id = _person_id(page.recipient)
            if person_id is None:
                result.append(page)
                continue
            rules = await store.load_person_rules(conn, person_id)
            person = directory.person(person_id)
            if rules is None or person is None:
                result.append(page)
                continue
            if person_id in replaced:
                continue
            replaced.add(person_id)
            for channel, delay in rules:
                resolved = domain.chat_channel(configured) if channel == "chat" else channel
                incident_id = str(page.content.get("incident_id", ""))
                key = domain.idempotency_key(
                    incident_id, f"triggered+{delay:g}m", f"person:{person_id}", resolved
                )
                result.append(
                    dataclasses.replace(
                        page,
                        idempotency_key=key,
                        channel=resolved,
                        provider=domain.choose_provider(resolved, configured),
                        address=routing.person_address(person, resolved),
                        delay_seconds=delay * 60,
                    )
                )
        return result

    async def on_requested(self, event: NotificationRequested, _: Delivery | None = None) -> None:
        """Page the targets an escalation step (or a handoff, a reminder) asked for. Safe to
        run twice: the inbox and the idempotency keys make a redelivered request record
        nothing new (and escalation's step 0 finds the triggered page of the team channel
        under its own key). Acks once recorded; an invalid incident id is dead-lettered."""
        if store.parse_uuid(event.incident_id) is None:
            raise Reject(f"incident_id is not a UUID: {event.incident_id!r}")
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, REQUESTS_CONSUMER, event.event_id):
                return
            directory = await store.load_directory(conn)
            configured = await self.providers.configured(conn)
            addresses: dict[tuple[str, str, str], str] = {}
            for kind, ids in (("person", event.person_ids), ("team", event.team_ids)):
                for id_ in ids:
                    for channel in event.channels:
                        addresses[(kind, id_, channel)] = _address(
                            directory, kind, id_, _channel(channel, configured)
                        )
            pages = [
                dataclasses.replace(
                    p,
                    channel=_channel(p.channel, configured),
                    provider=domain.choose_provider(_channel(p.channel, configured), configured),
                )
                for p in domain.pages_for_request(event, addresses)
            ]
            failing = await store.failing_provider_of(conn, uuid.UUID(event.incident_id))
            if failing is not None:
                pages = domain.avoid_provider(pages, failing)
            await self._record(conn, event.incident_id, pages)
        self.wake()

    async def on_acknowledged(self, event: IncidentAcknowledged, _: Delivery | None = None) -> None:
        """Tell everyone paged that the incident was taken (threaded in Slack), and drop pages
        still held back. Safe to run twice (inbox, keys). Acks once recorded."""
        who = f" by {event.actor}" if event.actor else ""
        await self._follow_up(event, "acknowledged", f"Acknowledged{who}")

    async def on_resolved(self, event: IncidentResolved, _: Delivery | None = None) -> None:
        """Tell everyone paged that the incident is resolved. Safe to run twice."""
        await self._follow_up(event, "resolved", "Resolved")

    async def _follow_up(self, event: Any, verb: str, line: str) -> None:
        incident: IncidentSnapshot = event.incident
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, CONSUMER, event.event_id):
                return
            await store.cancel_delayed(conn, incident.id)
            places = await store.page_places(conn, incident.id)
            content = {
                **domain.incident_content(incident, self.public_url),
                "ack": False,
                "follow_up": line,
            }
            message = f"{content['title']}: {line}"
            pages, threads = [], {}
            for place in places:
                key = f"{incident.id}:follow:{verb}:{place.id}"
                threads[key] = place.id
                pages.append(
                    domain.Page(
                        key,
                        place.channel,
                        place.provider,
                        place.recipient,
                        message,
                        place.address,
                        {**content, "title": message},
                        kind="follow_up",
                    )
                )
            await store.add_pages(conn, incident.id, pages, threads)
        self.wake()

    async def _record(
        self, conn: AsyncConnection, incident_id: str, pages: list[domain.Page]
    ) -> None:
        """Hold SMS back so each phone gets at most one per ``sms_interval`` (the dispatcher
        bundles what piles up), then write the rows."""
        spaced = []
        for page in pages:
            if page.channel == "sms" and page.address:
                wait = await store.next_sms_slot(conn, page.address, self.tuning.sms_interval)
                page = dataclasses.replace(page, delay_seconds=max(page.delay_seconds, wait))
            spaced.append(page)
        await store.add_pages(conn, incident_id, spaced)

    # -- dispatching ----------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    async def dispatch(self, stopping: asyncio.Event, interval: float) -> None:
        """Background loop: lease due pages and send them, at most ``send_concurrency`` at
        once; woken when pages are recorded, else every ``interval`` seconds."""
        while not stopping.is_set():
            self._wake.clear()
            try:
                claimed = await self.dispatch_once()
            except Exception as exc:
                log.warning("dispatching pages failed", error=repr(exc))
                claimed = 0
            if claimed:
                continue
            waits = [
                asyncio.ensure_future(stopping.wait()),
                asyncio.ensure_future(self._wake.wait()),
            ]
            await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for w in waits:
                w.cancel()
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)

    async def dispatch_once(self) -> int:
        """Lease what free slots allow and start sending it; answers how many were leased."""
        free = self.tuning.send_concurrency - len(self._inflight)
        if free <= 0:
            done = asyncio.Event()
            for task in self._inflight:
                task.add_done_callback(lambda _: done.set())
            await done.wait()
            return 1
        async with self.engine.begin() as conn:
            rows = await store.claim_due(conn, free, self.tuning.lease_seconds)
            groups = []
            for row in rows:
                group = [row]
                if row.channel == "sms" and row.address:
                    group += await store.claim_same_address(
                        conn, "sms", row.address, self.tuning.lease_seconds
                    )
                groups.append(group)
        for group in groups:
            task = asyncio.create_task(self._send(group))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return len(rows)

    async def _send(self, rows: list[Any]) -> None:
        first = rows[0]
        try:
            async with self.engine.connect() as conn:
                refs = await store.provider_refs(conn, [first.thread_of] if first.thread_of else [])
                provider = await self.providers.get(conn, first.provider)
            page = Outgoing(
                delivery_id=str(first.id),
                idempotency_key=first.idempotency_key,
                channel=first.channel,
                recipient=first.recipient,
                address=first.address,
                message=domain.bundle_text([r.message for r in rows]),
                content=first.content if len(rows) == 1 else {"text": first.message},
                kind=first.kind,
                thread_ref=refs.get(first.thread_of) if first.thread_of else None,
            )
            response = await provider.send(page)
        except ProviderError as exc:
            await self._failed(rows, str(exc), exc.retryable, exc.retry_after)
        except Exception as exc:
            log.warning("page send crashed", error=repr(exc))
            await self._failed(rows, repr(exc), True, None)
        else:
            await self._sent(rows, response)

    async def _sent(self, rows: list[Any], response: str) -> None:
        events: list[Event] = []
        async with self.engine.begin() as conn:
            for row in rows:
                if await store.mark_sent(conn, row.id, response):
                    events.append(_event(NotificationSent, row))
            if events:
                await conn.execute(outbox.insert(), outbox_rows(events))
        self._on_commit()

    async def _failed(
        self, rows: list[Any], error: str, retryable: bool, retry_after: float | None
    ) -> None:
        events: list[Event] = []
        alerts: list[Event] = []
        async with self.engine.begin() as conn:
            for row in rows:
                outcome = domain.after_failure(
                    row.attempts,
                    self.tuning.max_attempts,
                    retryable=retryable,
                    retry_after=retry_after,
                    base=self.tuning.retry_base,
                    rng=self._rng,
                )
                if not await store.mark_failed(
                    conn, row.id, error, outcome.status, outcome.retry_in
                ):
                    continue
                if outcome.status == "retry":
                    log.warning(
                        "page not delivered, retrying",
                        provider=row.provider,
                        attempt=row.attempts,
                        error=error,
                        retry_in=outcome.retry_in,
                    )
                    continue
                # Given up: an error in the log, notifications.failed (shown in the incident
                # timeline) and the internal alert (an IMAS incident).
                log.error(
                    "page given up",
                    status=outcome.status,
                    provider=row.provider,
                    recipient=row.recipient,
                    attempts=row.attempts,
                    error=error,
                )
                events.append(_event(NotificationFailed, row, error=f"{outcome.status}: {error}"))
                alert = await self._failing_pages_alert(conn, row, error)
                if alert is not None:
                    alerts.append(alert)
            if events:
                await conn.execute(outbox.insert(), outbox_rows(events))
            if alerts:
                subjects = [raw_alert_subject(CUSTOM_SOURCE)] * len(alerts)
                await conn.execute(outbox.insert(), outbox_rows(alerts, subjects))
        self._on_commit()
        if events or retry_after is not None:
            self.wake()

    async def _failing_pages_alert(
        self, conn: AsyncConnection, row: Any, error: str
    ) -> Event | None:
        """The alert a page given up raises, through ingest like any monitoring alert (the
        ``custom`` source), so it opens or attaches to the IMAS incident of its channel and
        provider. None for a page of such an incident: its failure must not feed itself."""
        if not self.internal_alert_service:
            return None
        if await store.failing_provider_of(conn, row.incident_id) is not None:
            log.error("a page about failing pages was given up", provider=row.provider)
            return None
        alert = domain.failing_pages_alert(
            self.internal_alert_service,
            row.channel,
            row.provider,
            row.recipient,
            error,
            row.attempts,
        )
        return AlertReceived(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            source=CUSTOM_SOURCE,
            payload=msgspec.json.encode([alert]),
        )


def _event(cls: Any, row: Any, **extra: Any) -> Event:
    event: Event = cls(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        incident_id=str(row.incident_id),
        delivery_id=str(row.id),
        idempotency_key=row.idempotency_key,
        channel=row.channel if row.channel in domain.CHANNEL_KINDS else "log",
        provider=row.provider,
        recipient=row.recipient,
        attempts=row.attempts,
        **extra,
    )
    return event


def _person_id(recipient: str) -> str | None:
    """``Alice (person:<id>)`` → ``<id>``."""
    if recipient.endswith(")") and "(person:" in recipient:
        return recipient.rsplit("(person:", 1)[1][:-1]
    return None


def _channel(channel: str, configured: Mapping[str, str]) -> str:
    """A chat channel the deployment lacks goes to the chat platform it has."""
    if channel in domain.CHAT_CHANNELS and channel not in configured:
        return domain.chat_channel(configured)
    return channel


def _address(directory: routing.Directory, kind: str, id_: str, channel: str) -> str:
    if kind == "person":
        person = directory.person(id_)
        return routing.person_address(person, channel) if person else ""
    return routing.team_address(directory.teams.get(id_), channel)
