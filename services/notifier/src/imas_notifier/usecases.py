"""Use cases of paging: route an incident or an escalation request into ledger rows, send
follow-ups, and hand every due page to its provider.

Delivery guarantee (crash in mid-send): a page is leased (status ``sending``, the attempt
counted) in one transaction — the one recording it when it is due now and a sending slot is
free, else the dispatcher's — handed to the provider, then marked in another. A process killed
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
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
    Severity,
)
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_contracts.notifier import NotificationFailed, NotificationRequested, NotificationSent
from imas_notifier import domain, routing, store
from imas_notifier.config_cache import ConfigCache, RoutingConfig
from imas_notifier.models import inbox, outbox
from imas_notifier.provider_cache import ProviderCache
from imas_notifier.providers import Outgoing, ProviderError
from imas_runtime.bus import Bus
from imas_runtime.consumer import Delivery, Reject
from imas_runtime.errors import ServiceError
from imas_runtime.group_commit import GroupCommit
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
    """Pages are recorded (idempotency key unique) before anything is sent, and leased when
    recorded or by the dispatcher, so two replicas never send the same page in steady state."""

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
        # Sending slots promised to pages being recorded leased, not yet handed to a sender.
        self._reserved = 0
        self.routing_config = ConfigCache(providers)
        # Pages sent by concurrent senders are marked together, one transaction per flush.
        self._marks: GroupCommit[tuple[list[Any], str]] = GroupCommit(self._mark_sent)

    # -- routing --------------------------------------------------------------------------------

    async def on_triggered(self, event: IncidentTriggered, _: Delivery | None = None) -> None:
        """Page the people of a new incident per the routing rules (see
        :meth:`on_triggered_batch`)."""
        await self.on_triggered_batch([event])

    async def on_triggered_batch(self, events: Sequence[IncidentTriggered]) -> None:
        """Page the people of new incidents per the routing rules, all in one transaction:
        one inbox insert, one ledger insert, whatever the number of incidents. Safe to run
        twice: the inbox and the idempotency keys make a redelivered event record nothing new.
        Acks once recorded; the pages are handed to their providers right after the commit."""
        events = list({e.event_id: e for e in events}.values())
        if not events:
            return
        # Escalation is asked before the transaction opens (no connection held meanwhile),
        # once per team and severity of the batch, and only where the rules page the on-call.
        on_call = await self._on_call(self.routing_config.last.rules, [e.incident for e in events])
        await self._record_then_send(
            lambda conn, held: self._route_triggered(conn, events, on_call, held)
        )

    async def _route_triggered(
        self,
        conn: AsyncConnection,
        events: Sequence[IncidentTriggered],
        on_call: dict[tuple[str, Severity], str | None],
        held: list[Any],
    ) -> None:
        fresh = await store.claim_events(conn, CONSUMER, [e.event_id for e in events])
        events = [e for e in events if e.event_id in fresh]
        if not events:
            return
        config = await self.routing_config.current(conn)
        # The rules may have changed since they were last read: ask what is still unknown.
        on_call |= await self._on_call(config.rules, [e.incident for e in events], on_call)
        planned: list[tuple[str, list[domain.Page]]] = []
        for event in events:
            incident = event.incident
            pages = routing.route_triggered(
                incident,
                config.directory,
                config.rules,
                config.configured,
                self.public_url,
                on_call.get(_on_call_key(incident)),
            )
            pages = _person_rules(pages, config)
            failing = domain.failing_provider(incident.dedup_key)
            if failing is not None:
                # An incident about a failing provider is not paged through it.
                await store.record_internal_incident(conn, incident.id, *failing)
                pages = domain.avoid_provider(pages, failing[1])
            planned.append((incident.id, pages))
        await self._record(conn, planned, held)

    async def _on_call(
        self,
        rules: Sequence[routing.RoutingRule],
        incidents: Sequence[IncidentSnapshot],
        known: Mapping[tuple[str, Severity], str | None] | None = None,
    ) -> dict[tuple[str, Severity], str | None]:
        """Who is on call for each (team, severity) of ``incidents`` whose routing pages the
        on-call person, unless ``known`` already; asked of escalation concurrently, at the
        moment of routing (answers are not kept: shifts and overrides change at any time)."""
        keys = sorted(
            {
                _on_call_key(i)
                for i in incidents
                if routing.asks_on_call(rules, i) and _on_call_key(i) not in (known or {})
            }
        )
        answers = await asyncio.gather(*(self._ask_on_call(*key) for key in keys))
        return dict(zip(keys, answers, strict=True))

    async def _ask_on_call(self, team_id: str, severity: Severity) -> str | None:
        """The team's on-call person, asked of escalation; None when it does not answer."""
        if self.bus is None:
            return None
        try:
            reply = await self.bus.request(
                WhoIsOnCall(team_id=team_id, severity=severity),
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

    async def on_requested(self, event: NotificationRequested, _: Delivery | None = None) -> None:
        """Page the targets an escalation step (or a handoff, a reminder) asked for. Safe to
        run twice: the inbox and the idempotency keys make a redelivered request record
        nothing new (and escalation's step 0 finds the triggered page of the team channel
        under its own key). Acks once recorded; an invalid incident id is dead-lettered."""
        if store.parse_uuid(event.incident_id) is None:
            raise Reject(f"incident_id is not a UUID: {event.incident_id!r}")
        await self._record_then_send(lambda conn, held: self._route_request(conn, event, held))

    async def _route_request(
        self, conn: AsyncConnection, event: NotificationRequested, held: list[Any]
    ) -> None:
        if not await claim(conn, inbox, REQUESTS_CONSUMER, event.event_id):
            return
        config = await self.routing_config.current(conn)
        directory, configured = config.directory, config.configured
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
        await self._record(conn, [(event.incident_id, pages)], held)

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
            await store.add_pages(conn, [(incident.id, p) for p in pages], threads)
        self.wake()

    async def _record_then_send(
        self, route: Callable[[AsyncConnection, list[Any]], Awaitable[None]]
    ) -> None:
        """Run ``route`` in a transaction; once it commits, hand the pages it recorded leased
        to their providers and wake the dispatcher for the others. ``route`` records through
        :meth:`_record`, which fills the list it is given with the rows recorded."""
        recorded: list[Any] = []
        try:
            async with self.engine.begin() as conn:
                await route(conn, recorded)
        except BaseException:
            # Not committed: free the sending slots held for the rows.
            self._reserved -= sum(r.status == "sending" for r in recorded)
            raise
        sending = [r for r in recorded if r.status == "sending"]
        self._reserved -= len(sending)
        self._start([([row], None) for row in sending])
        if len(sending) < len(recorded):
            self.wake()

    async def _record(
        self,
        conn: AsyncConnection,
        planned: Sequence[tuple[str, Sequence[domain.Page]]],
        recorded: list[Any],
    ) -> None:
        """Hold SMS back so each phone gets at most one per ``sms_interval`` (the dispatcher
        bundles what piles up), then write the rows of every incident in one statement.
        Incidents of one batch are spaced as if recorded one after the other.

        Pages due now (not SMS, which may bundle) are recorded leased as far as free sending
        slots allow, the slots held for them until :meth:`_record_then_send` starts their
        senders; the others wait for the dispatcher. The rows recorded go to ``recorded``."""
        interval = self.tuning.sms_interval
        recorded_wait: dict[str, float] = {}  # phone → wait due to pages already recorded
        latest: dict[str, float] = {}  # phone → latest delay given earlier in this batch
        rows: list[tuple[str, domain.Page]] = []
        for incident_id, pages in planned:
            mine: dict[str, float] = {}
            for page in pages:
                if page.channel == "sms" and page.address:
                    phone = page.address
                    if phone not in recorded_wait:
                        recorded_wait[phone] = await store.next_sms_slot(conn, phone, interval)
                    wait = recorded_wait[phone]
                    if phone in latest:
                        wait = max(wait, latest[phone] + interval)
                    page = dataclasses.replace(page, delay_seconds=max(page.delay_seconds, wait))
                    mine[phone] = max(mine.get(phone, 0.0), page.delay_seconds)
                rows.append((incident_id, page))
            for phone, delay in mine.items():
                latest[phone] = max(latest.get(phone, delay), delay)
        slots = max(0, self._free_slots())
        leased: list[bool] = []
        for _, page in rows:
            leased.append(page.channel != "sms" and page.delay_seconds <= 0 and slots > 0)
            slots -= leased[-1]
        reserved = sum(leased)
        self._reserved += reserved
        try:
            rows_recorded = await store.add_pages(
                conn, rows, leased=leased, lease_seconds=self.tuning.lease_seconds
            )
        except BaseException:
            self._reserved -= reserved
            raise
        # Pages already recorded (same idempotency key) were not inserted: free their slots.
        self._reserved -= reserved - sum(r.status == "sending" for r in rows_recorded)
        recorded.extend(rows_recorded)

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

    def _free_slots(self) -> int:
        return self.tuning.send_concurrency - len(self._inflight) - self._reserved

    def _start(self, groups: Sequence[tuple[list[Any], str | None]]) -> None:
        """A sender per leased page (or SMS bundle), with the thread it follows up if any."""
        for rows, thread_ref in groups:
            task = asyncio.create_task(self._send(rows, thread_ref))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def dispatch_once(self) -> int:
        """Lease what free slots allow and start sending it; answers how many were leased."""
        free = self._free_slots()
        if free <= 0:
            if not self._inflight:
                return 0  # the slots are promised to pages being recorded: they wake us
            done = asyncio.Event()
            for task in self._inflight:
                task.add_done_callback(lambda _: done.set())
            await done.wait()
            return 1
        async with self.engine.begin() as conn:
            rows = await store.claim_due(conn, free, self.tuning.lease_seconds)
            if not rows:
                return 0
            groups = []
            for row in rows:
                group = [row]
                if row.channel == "sms" and row.address:
                    group += await store.claim_same_address(
                        conn, "sms", row.address, self.tuning.lease_seconds
                    )
                groups.append(group)
            # Everything a send needs is read here, so sending touches no database.
            await self.providers.refresh(conn)
            refs = await store.provider_refs(
                conn, [g[0].thread_of for g in groups if g[0].thread_of]
            )
        self._start([(g, refs.get(g[0].thread_of) if g[0].thread_of else None) for g in groups])
        return len(rows)

    async def _send(self, rows: list[Any], thread_ref: str | None) -> None:
        """Hand a leased page (or an SMS bundle) to its provider and record the outcome. The
        sender's slot is held until the outcome is committed, so at most ``send_concurrency``
        pages are ever sent but not yet marked (the duplicates a crash can cause)."""
        first = rows[0]
        try:
            provider = self.providers.named(first.provider)
            page = Outgoing(
                delivery_id=str(first.id),
                idempotency_key=first.idempotency_key,
                channel=first.channel,
                recipient=first.recipient,
                address=first.address,
                message=domain.bundle_text([r.message for r in rows]),
                content=first.content if len(rows) == 1 else {"text": first.message},
                kind=first.kind,
                thread_ref=thread_ref,
            )
            response = await provider.send(page)
        except ProviderError as exc:
            await self._failed(rows, str(exc), exc.retryable, exc.retry_after)
        except Exception as exc:
            log.warning("page send crashed", error=repr(exc))
            await self._failed(rows, repr(exc), True, None)
        else:
            try:
                await self._marks.submit((rows, response))
            except Exception as exc:
                # Left ``sending``: sent again once the lease lapses (at-least-once).
                log.warning("page sent but not marked", provider=first.provider, error=repr(exc))

    async def _mark_sent(self, sent: list[tuple[list[Any], str]]) -> None:
        """Mark the pages of every finished send in one statement, with their
        ``notifications.sent`` events in the outbox."""
        async with self.engine.begin() as conn:
            marked = await store.mark_all_sent(
                conn, [(row.id, response) for rows, response in sent for row in rows]
            )
            events = [
                _event(NotificationSent, row)
                for rows, _ in sent
                for row in rows
                if row.id in marked
            ]
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


def _on_call_key(incident: IncidentSnapshot) -> tuple[str, Severity]:
    return (incident.team.id if incident.team else "", incident.severity)


def _person_rules(pages: list[domain.Page], config: RoutingConfig) -> list[domain.Page]:
    """A person with notification rules is paged per their rules (push now, SMS after a
    minute, …) instead of the routing channels."""
    result: list[domain.Page] = []
    replaced: set[str] = set()
    configured = config.configured
    for page in pages:
        person_id = _person_id(page.recipient)
        if person_id is None:
            result.append(page)
            continue
        rules = config.person_rules.get(person_id)
        person = config.directory.person(person_id)
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
