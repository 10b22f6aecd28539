"""Use cases of paging: route an incident or an escalation request into ledger rows, send
follow-ups, and hand every due page to its provider.

Delivery guarantee: a page is leased (status ``sending``, the attempt counted, a new fencing
token) in one transaction — the one recording it when it is due now and a sending slot is
free, else the dispatcher's — handed to the provider, then marked in another, and only if the
sender still holds that token. The send is cut at ``send_timeout``, counted from before the
lease was taken, and the lease lasts longer (``lease_seconds``): no other sender can take a
page while it may still be in flight. A process killed between the two leaves the row
``sending``; once its lease lapses any replica takes it over (a new token, so the lost
sender's late result is dropped) and sends it again.

At-least-once, with a bound on copies: an attempt whose outcome is unknown (cut at the
deadline, a dropped connection after the request left, a sender lost in mid-send) may have
reached the receiver. It is retried with backoff, but once ``max_unanswered`` (2) such attempts
were made the page is given up (``dead``, an alert raised) instead of sent again. So a receiver
gets at most ``max_unanswered`` copies of a page it accepted, however slow it is; in steady
state a page is sent once: rows are unique per idempotency key and leased with SKIP LOCKED.

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
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id, utcnow
from imas_contracts.alert_payloads import CustomAlert
from imas_contracts.escalation import OnCallReply, WhoIsOnCall
from imas_contracts.incidents import (
    CatalogChanged,
    IncidentAcknowledged,
    IncidentResolved,
    IncidentSnapshot,
    IncidentTriggered,
    Severity,
)
from imas_contracts.ingest import AlertReceived, Silence, raw_alert_subject
from imas_contracts.notifier import (
    NotificationFailed,
    NotificationRequested,
    NotificationSent,
    NotificationsPlanned,
    PlannedPage,
)
from imas_notifier import domain, store
from imas_notifier.config.cache import ConfigCache, RoutingConfig
from imas_notifier.metrics import (
    DELIVERY_SECONDS,
    PAGES,
    STALE_RESULTS,
    UNANSWERED,
    UNDELIVERABLE,
)
from imas_notifier.models import inbox, outbox
from imas_notifier.page_actions.usecases import PageActions
from imas_notifier.providers.base import Outgoing, ProviderError
from imas_notifier.providers.cache import ProviderCache
from imas_notifier.routing import domain as routing
from imas_runtime.bus import Bus
from imas_runtime.catalog import Entity
from imas_runtime.consumer import Delivery, Reject
from imas_runtime.errors import ServiceError
from imas_runtime.group_commit import GroupCommit
from imas_runtime.logs import get_logger
from imas_runtime.outbox import claim, emit
from imas_runtime.silences import SilenceCache
from imas_runtime.telemetry import span_in
from imas_runtime.windows import in_maintenance, service_windows

log = get_logger(__name__)

CONSUMER = "notifier--INCIDENTS"
CUSTOM_SOURCE = "custom"  # IMAS's generic alert format (see imas_contracts.alert_payloads)
REQUESTS_CONSUMER = "notifier--NOTIFICATIONS"


@dataclasses.dataclass(frozen=True)
class Tuning:
    max_attempts: int = 8
    retry_base: float = 1.0
    # One send, from before its lease is taken to the provider's answer, is cut after
    # ``send_timeout``; the lease lasts longer, the rest of it being for recording the outcome.
    send_timeout: float = 10.0
    lease_seconds: float = 15.0
    # Attempts whose outcome is unknown after which a page is given up: the copy bound.
    max_unanswered: int = 2
    send_concurrency: int = 64
    oncall_timeout: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.send_timeout < self.lease_seconds:
            raise ValueError(
                f"the send timeout ({self.send_timeout:g} s) must be positive and shorter than "
                f"the lease ({self.lease_seconds:g} s), or a page could be sent twice at once"
            )
        if self.max_unanswered < 1:
            raise ValueError("max_unanswered must be at least 1")


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
        actions: PageActions | None = None,
        routing_config: ConfigCache | None = None,
        silences: SilenceCache | None = None,
    ) -> None:
        self.engine = engine
        # Silences of a whole service hold its pages as its maintenance does.
        self.silences = silences
        # Pages to people over SMS, voice, e-mail and ntfy carry what answers them.
        self.actions = actions
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
        self.routing_config = routing_config or ConfigCache(providers)
        # The services' maintenance windows, computed once per catalog the cache loads.
        self._windows: tuple[object, dict[str, tuple[datetime | None, datetime]]] = (None, {})
        # Pages sent by concurrent senders are marked together, one transaction per flush.
        self._marks: GroupCommit[tuple[list[Any], str]] = GroupCommit(self._mark_sent)

    # -- routing --------------------------------------------------------------------------------

    async def on_triggered(self, event: IncidentTriggered, _: Delivery | None = None) -> None:
        """Page the people of a new incident per the routing rules (see
        :meth:`on_triggered_batch`)."""
        await self.on_triggered_batch([event])

    async def on_triggered_batch(
        self, events: Sequence[IncidentTriggered], traces: Mapping[str, str] | None = None
    ) -> None:
        """Page the people of new incidents per the routing rules, all in one transaction:
        one inbox insert, one ledger insert, whatever the number of incidents. Safe to run
        twice: the inbox and the idempotency keys make a redelivered event record nothing new.
        Acks once recorded; the pages are handed to their providers right after the commit.
        ``traces`` maps an event id to the trace it came in (its pages are sent in it)."""
        events = list({e.event_id: e for e in events}.values())
        if not events:
            return
        # Escalation is asked before the transaction opens (no connection held meanwhile),
        # once per team and severity of the batch, and only where the rules page the on-call.
        on_call = await self._on_call(self.routing_config.last.rules, [e.incident for e in events])
        await self._record_then_send(
            lambda conn, held: self._route_triggered(conn, events, on_call, held, traces or {})
        )

    async def _route_triggered(
        self,
        conn: AsyncConnection,
        events: Sequence[IncidentTriggered],
        on_call: dict[tuple[str, Severity], str | None],
        held: list[Any],
        traces: Mapping[str, str],
    ) -> None:
        fresh = await store.claim_events(conn, CONSUMER, [e.event_id for e in events])
        events = [e for e in events if e.event_id in fresh]
        if not events:
            return
        config = await self.routing_config.current(conn)
        # The rules may have changed since they were last read: ask what is still unknown.
        on_call |= await self._on_call(config.rules, [e.incident for e in events], on_call)
        planned: list[tuple[str, list[domain.Page]]] = []
        now = datetime.now(UTC)
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
            pages = domain.settle(_person_rules(pages, config))
            pages = domain.held_by_maintenance(pages, incident.service.id, event.held_until, now)
            failing = domain.failing_provider(incident.dedup_key)
            if failing is not None:
                # An incident about a failing provider is not paged through it.
                await store.record_internal_incident(conn, incident.id, *failing)
                pages = domain.avoid_provider(pages, failing[1], config.configured)
            if not pages and incident.severity != "SEV4_LOW":
                # Its plan says "no page to send" in the timeline; the log says it too, since
                # nobody hears of such an incident unless they look (SEV4 pages nobody by
                # default).
                log.warning(
                    "new incident pages nobody: its routing rules page no target",
                    incident_id=incident.id,
                    severity=incident.severity,
                    team=incident.team.id if incident.team else "",
                )
            planned.append((incident.id, pages))
        by_incident = {e.incident.id: traces[e.event_id] for e in events if e.event_id in traces}
        await self._record(conn, planned, held, by_incident)
        # An acknowledgement or resolution that came first (this trigger was held back by a
        # retry) owes its follow-up to the pages just recorded.
        owed = await store.mark_routed(conn, [incident_id for incident_id, _ in planned])
        for incident_id, follow_ups in owed.items():
            await store.cancel_delayed(conn, incident_id)
            for follow_up in follow_ups:
                held.extend(await self._record_follow_up(conn, incident_id, **follow_up))
        await emit(conn, outbox, [_plan(i, p) for i, p in planned])

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
                        directory, kind, id_, domain.resolve_channel(channel, configured)
                    )
        pages = domain.settle(
            [
                dataclasses.replace(
                    p,
                    channel=domain.resolve_channel(p.channel, configured),
                    provider=domain.choose_provider(
                        domain.resolve_channel(p.channel, configured), configured
                    ),
                )
                for p in domain.pages_for_request(event, addresses, _names(directory, event))
            ]
        )
        failing = await store.failing_provider_of(conn, uuid.UUID(event.incident_id))
        if failing is not None:
            pages = domain.avoid_provider(pages, failing, configured)
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
        content = {
            **domain.incident_content(incident, self.public_url),
            "ack": False,
            "follow_up": line,
        }
        message = f"{content['title']}: {line}"
        async with self.engine.begin() as conn:
            if not await claim(conn, inbox, CONSUMER, event.event_id):
                return
            await store.cancel_delayed(conn, incident.id)
            # Kept for the trigger's pages if they are not recorded yet; the places recorded
            # already (escalation's pages may come first) are followed up now.
            follow_up = {"verb": verb, "message": message, "content": content}
            await store.owe_follow_up(conn, incident.id, follow_up)
            await self._record_follow_up(conn, incident.id, verb, message, content)
        self.wake()

    async def _record_follow_up(
        self,
        conn: AsyncConnection,
        incident_id: str,
        verb: str,
        message: str,
        content: dict[str, Any],
    ) -> list[Any]:
        """Record the follow-up ``verb`` to every place the incident was paged, threaded under
        its first page there; one already recorded (same place, same verb) is skipped."""
        pages, threads = [], {}
        for place in await store.page_places(conn, incident_id):
            key = f"{incident_id}:follow:{verb}:{place.id}"
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
        return await store.add_pages(conn, [(incident_id, p) for p in pages], threads)

    async def _record_then_send(
        self, route: Callable[[AsyncConnection, list[Any]], Awaitable[None]]
    ) -> None:
        """Run ``route`` in a transaction; once it commits, hand the pages it recorded leased
        to their providers and wake the dispatcher for the others. ``route`` records through
        :meth:`_record`, which fills the list it is given with the rows recorded."""
        recorded: list[Any] = []
        leased_at = _now()  # before the lease: the deadline falls inside it
        try:
            async with self.engine.begin() as conn:
                await route(conn, recorded)
        except BaseException:
            # Not committed: free the sending slots held for the rows.
            self._reserved -= sum(r.status == "sending" for r in recorded)
            raise
        # A new incident's plan of pages, undeliverable pages' events and alerts: in the outbox.
        self._on_commit()
        sending = [r for r in recorded if r.status == "sending"]
        self._reserved -= len(sending)
        self._start([([row], None) for row in sending], leased_at)
        if len(sending) < len(recorded):
            self.wake()

    async def _record(
        self,
        conn: AsyncConnection,
        planned: Sequence[tuple[str, Sequence[domain.Page]]],
        recorded: list[Any],
        traces: Mapping[str, str] | None = None,
    ) -> None:
        """Write the rows of every incident in one statement.

        Pages due now (not SMS, which the dispatcher bundles with the others due now to the
        same phone) are recorded leased as far as free sending slots allow, the slots held for
        them until :meth:`_record_then_send` starts their senders; the others wait for the
        dispatcher. The rows recorded go to ``recorded``."""
        rows = [(incident_id, page) for incident_id, pages in planned for page in pages]
        if self.actions is not None:
            rows = await self.actions.attach(conn, rows)
        slots = max(0, self._free_slots())
        leased: list[bool] = []
        for _, page in rows:
            sendable = page.channel != "sms" and not page.undeliverable
            leased.append(sendable and page.delay_seconds <= 0 and slots > 0)
            slots -= leased[-1]
        reserved = sum(leased)
        self._reserved += reserved
        try:
            rows_recorded = await store.add_pages(
                conn, rows, leased=leased, lease_seconds=self.tuning.lease_seconds, traces=traces
            )
        except BaseException:
            self._reserved -= reserved
            raise
        # Pages already recorded (same idempotency key) were not inserted: free their slots.
        self._reserved -= reserved - sum(r.status == "sending" for r in rows_recorded)
        recorded.extend(rows_recorded)
        if self.actions is not None:
            await self.actions.record(conn, rows_recorded)
        await self._undeliverable(conn, [r for r in rows_recorded if r.status == "undeliverable"])

    async def _undeliverable(self, conn: AsyncConnection, rows: Sequence[Any]) -> None:
        """Pages recorded undeliverable are told like pages given up: an error in the log,
        ``notifications.failed`` (the incident's timeline) and the internal alert of their
        channel, once per channel and incident (not for the internal incidents' own pages)."""
        if not rows:
            return
        events: list[Event] = []
        alerted: set[tuple[Any, str]] = set()
        for row in rows:
            UNDELIVERABLE.labels(row.channel).inc()
            PAGES.labels(row.channel, row.provider, "undeliverable").inc()
            log.error(
                "page undeliverable",
                channel=row.channel,
                recipient=row.recipient,
                reason=row.last_error,
                incident_id=str(row.incident_id),
            )
            events.append(_event(NotificationFailed, row, error=f"undeliverable: {row.last_error}"))
            if (row.incident_id, row.channel) in alerted or not self.internal_alert_service:
                continue
            alerted.add((row.incident_id, row.channel))
            if await store.failing_provider_of(conn, row.incident_id) is not None:
                continue
            alert = domain.undeliverable_pages_alert(
                self.internal_alert_service, row.channel, row.recipient, row.last_error or ""
            )
            events.append(_raw_alert(alert))
        await emit(conn, outbox, events, _subjects(events))

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

    def _start(self, groups: Sequence[tuple[list[Any], str | None]], leased_at: float) -> None:
        """A sender per leased page (or SMS bundle), with the thread it follows up if any; each
        is cut ``send_timeout`` after ``leased_at`` (the loop's clock, read before the leasing
        transaction began, so the cut always comes before the lease lapses)."""
        deadline = leased_at + self.tuning.send_timeout
        for rows, thread_ref in groups:
            task = asyncio.create_task(self._send(rows, thread_ref, deadline))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def dispatch_once(self) -> int:
        """Lease what free slots allow and start sending it; answers how many were leased.
        Pages to one phone due now leave as one SMS; a page whose unanswered attempts are
        used up is given up instead of sent."""
        free = self._free_slots()
        if free <= 0:
            if not self._inflight:
                return 0  # the slots are promised to pages being recorded: they wake us
            done = asyncio.Event()
            for task in self._inflight:
                task.add_done_callback(lambda _: done.set())
            await done.wait()
            return 1
        leased_at = _now()
        silenced = self.silences.latest() if self.silences is not None else []
        async with self.engine.begin() as conn:
            await self._hold_in_maintenance(conn, silenced)
            rows = await store.claim_due(
                conn, free, self.tuning.lease_seconds, self.tuning.max_unanswered
            )
            if not rows:
                return 0
            spent = [r for r in rows if r.unanswered >= self.tuning.max_unanswered]
            groups: list[list[Any]] = []
            by_phone: dict[str, list[Any]] = {}
            for row in rows:
                if row.unanswered >= self.tuning.max_unanswered:
                    continue
                if row.channel != "sms" or not row.address:
                    groups.append([row])
                elif row.address in by_phone:
                    by_phone[row.address].append(row)
                else:
                    by_phone[row.address] = group = [row]
                    group += await store.claim_same_address(
                        conn, "sms", row.address, self.tuning.lease_seconds
                    )
                    groups.append(group)
            # Everything a send needs is read here, so sending touches no database.
            await self.providers.refresh(conn)
            refs = await store.provider_refs(
                conn, [g[0].thread_of for g in groups if g[0].thread_of]
            )
        self._start(
            [(g, refs.get(g[0].thread_of) if g[0].thread_of else None) for g in groups],
            leased_at,
        )
        if spent:
            # Their last sender was lost in mid-send with the copy budget used up.
            await self._failed(spent, "the sender was lost in mid-send", True, None)
        return len(rows)

    async def _hold_in_maintenance(self, conn: AsyncConnection, silenced: list[Silence]) -> None:
        """Pages routing made of an incident that come due while its service is in
        maintenance, or in a window of a silence of the whole service (``silenced``), wait
        for its end: a person's later rules, a retry. Escalation holds its own steps; a page
        someone asks for during the window (Escalate) still leaves."""
        directory = (await self.routing_config.current(conn)).directory
        if directory is not self._windows[0]:
            self._windows = (directory, domain.maintenance_windows(directory.services))
        now = datetime.now(UTC)
        held = {
            service: until
            for service, (since, until) in self._windows[1].items()
            if in_maintenance(since, until, now)
        }
        if silenced:
            ids = {entity.name: id_ for id_, entity in directory.services.items()}
            for name, (end, _) in service_windows(silenced, now).items():
                if name in ids:
                    held[ids[name]] = max(end, held.get(ids[name], end))
        if held:
            await store.hold_pages(conn, held)

    async def on_service_changed(self, event: CatalogChanged) -> None:
        """A service whose maintenance ended, or now ends earlier, or is now planned to begin
        later, lets the pages it held go on at the new end (now, at the latest). Safe to run
        twice: only pages held past that end move."""
        if event.kind != "service" or event.action != "upserted":
            return
        now = datetime.now(UTC)
        window = domain.maintenance_windows({event.id: Entity(event.id, event.name, event.data)})
        since, until = window.get(event.id, (None, now))
        end = until if in_maintenance(since, until, now) else now
        async with self.engine.begin() as conn:
            moved = await store.end_hold(conn, event.id, end)
        if moved:
            self.wake()

    async def _send(self, rows: list[Any], thread_ref: str | None, deadline: float) -> None:
        """Hand a leased page (or an SMS bundle) to its provider, cut at ``deadline``, and
        record the outcome. The sender's slot is held until the outcome is committed, so at
        most ``send_concurrency`` pages are ever sent but not yet marked."""
        first = rows[0]
        if _now() >= deadline:
            # The lease was taken too long ago (a slow commit): nothing sent, try again later.
            await self._failed(rows, "the lease ran out before the send began", True, None)
            return
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
            # A page printed by the log provider carries no answer: its links would be in
            # the log, where anyone reading it could use them.
            if self.actions is not None and getattr(provider, "kind", "") != "log":
                page = self.actions.dress(page, rows)
            with span_in("notifier", "send page", first.traceparent) as current:
                current.set_attributes(
                    {"imas.channel": first.channel, "imas.provider": first.provider}
                )
                async with asyncio.timeout_at(deadline):
                    response = await provider.send(page)
            _handed_over(rows)
        except TimeoutError:
            error = f"no answer within {self.tuning.send_timeout:g} s"
            await self._failed(rows, error, True, None, unanswered=True)
        except ProviderError as exc:
            await self._failed(
                rows, str(exc), exc.retryable, exc.retry_after, unanswered=exc.unanswered
            )
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
        ``notifications.sent`` events in the outbox; a send whose lease was taken over in the
        meantime is not recorded (the current holder's outcome is the one that counts)."""
        async with self.engine.begin() as conn:
            marked = await store.mark_all_sent(
                conn,
                [(row.id, row.lease_token, response) for rows, response in sent for row in rows],
            )
            events = [
                _event(NotificationSent, row)
                for rows, _ in sent
                for row in rows
                if row.id in marked
            ]
            if events:
                await emit(conn, outbox, events)
        self._on_commit()
        for rows, _ in sent:
            for row in rows:
                if row.id not in marked:
                    _stale(row, "sent")

    async def _failed(
        self,
        rows: list[Any],
        error: str,
        retryable: bool,
        retry_after: float | None,
        *,
        unanswered: bool = False,
    ) -> None:
        """Record a failed attempt of each page of ``rows``: retry with backoff, or give it
        up. ``unanswered`` when the attempt's outcome is unknown (counted against the copy
        bound). Ignored for a page whose lease was taken over meanwhile."""
        events: list[Event] = []
        alerts: list[Event] = []
        async with self.engine.begin() as conn:
            if unanswered:
                UNANSWERED.labels(rows[0].provider).inc()
            for row in rows:
                count = row.unanswered + unanswered
                outcome = domain.after_failure(
                    row.attempts,
                    self.tuning.max_attempts,
                    retryable=retryable,
                    retry_after=retry_after,
                    unanswered=count,
                    max_unanswered=self.tuning.max_unanswered,
                    base=self.tuning.retry_base,
                    rng=self._rng,
                )
                why = error
                if outcome.status == "dead" and count >= self.tuning.max_unanswered:
                    why = (
                        f"{error}; {count} attempts without an answer, the provider may have "
                        "delivered it: not sent again"
                    )
                if not await store.mark_failed(
                    conn, row.id, row.lease_token, why, outcome.status, outcome.retry_in, count
                ):
                    _stale(row, outcome.status)
                    continue
                PAGES.labels(
                    row.channel, row.provider, "retried" if outcome.status == "retry" else "failed"
                ).inc()
                if outcome.status == "retry":
                    log.warning(
                        "page not delivered, retrying",
                        provider=row.provider,
                        attempt=row.attempts,
                        error=why,
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
                    error=why,
                )
                # The event reaches the incident's timeline, which every viewer reads.
                public = domain.public_reason(error) + why.removeprefix(error)
                events.append(_event(NotificationFailed, row, error=f"{outcome.status}: {public}"))
                alert = await self._failing_pages_alert(conn, row, why)
                if alert is not None:
                    alerts.append(alert)
            if events:
                await emit(conn, outbox, events)
            if alerts:
                subjects = [raw_alert_subject(CUSTOM_SOURCE)] * len(alerts)
                await emit(conn, outbox, alerts, subjects)
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
        return _raw_alert(alert)


def _raw_alert(alert: CustomAlert) -> Event:
    """An alert of IMAS's own, as ingest receives monitoring alerts (``alerts.raw.custom``)."""
    return AlertReceived(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        source=CUSTOM_SOURCE,
        payload=msgspec.json.encode([alert]),
    )


def _subjects(events: Sequence[Event]) -> list[str]:
    """Each event's subject: its own, or the raw alert subject for alerts."""
    return [
        raw_alert_subject(CUSTOM_SOURCE) if isinstance(e, AlertReceived) else e.type_name()
        for e in events
    ]


def _now() -> float:
    return asyncio.get_running_loop().time()


def _handed_over(rows: Sequence[Any]) -> None:
    """Count the pages a provider accepted, and how long first attempts waited for it."""
    now = datetime.now(UTC)
    for row in rows:
        PAGES.labels(row.channel, row.provider, "sent").inc()
        if row.attempts == 1 and row.next_attempt_at is not None:
            waited = (now - row.next_attempt_at).total_seconds()
            DELIVERY_SECONDS.labels(row.channel, row.provider).observe(max(waited, 0.0))


def _stale(row: Any, outcome: str) -> None:
    """A sender's result for a page whose lease another sender took over (the first one was
    too slow, or thought lost): dropped, the current holder's counts."""
    STALE_RESULTS.labels(outcome).inc()
    log.warning(
        "a send's result came after its lease was taken over: dropped",
        delivery_id=str(row.id),
        lease_token=row.lease_token,
        outcome=outcome,
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


def _plan(incident_id: str, pages: Sequence[domain.Page]) -> NotificationsPlanned:
    """The pages a new incident gets now (not those a person's rules hold back)."""
    return NotificationsPlanned(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        incident_id=incident_id,
        pages=[
            PlannedPage(
                idempotency_key=p.idempotency_key,
                channel=p.channel,  # type: ignore[arg-type]  # a plan's Channel
                recipient=p.recipient,
            )
            for p in pages
            if p.delay_seconds <= 0
        ],
    )


def _on_call_key(incident: IncidentSnapshot) -> tuple[str, Severity]:
    return (incident.team.id if incident.team else "", incident.severity)


def _person_rules(pages: list[domain.Page], config: RoutingConfig) -> list[domain.Page]:
    """A person with notification rules is paged per their rules (push now, SMS after a
    minute, …) instead of the routing channels."""
    result: list[domain.Page] = []
    replaced: set[str] = set()
    configured = config.configured
    for page in pages:
        person_id = domain.person_of(page.recipient)
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


def _names(
    directory: routing.Directory, event: NotificationRequested
) -> dict[tuple[str, str], str]:
    """The names of a request's targets, as far as the catalog knows them."""
    found = {("person", i): directory.people.get(i) for i in event.person_ids}
    found |= {("team", i): directory.teams.get(i) for i in event.team_ids}
    return {key: entity.name for key, entity in found.items() if entity is not None}


def _address(directory: routing.Directory, kind: str, id_: str, channel: str) -> str:
    if kind == "person":
        person = directory.person(id_)
        return routing.person_address(person, channel) if person else ""
    return routing.team_address(directory.teams.get(id_), channel)
