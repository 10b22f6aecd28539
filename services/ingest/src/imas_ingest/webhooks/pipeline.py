"""The webhook pipeline: ``ingest--ALERTS`` consumes raw payloads in batches, normalises them,
applies rules, silences and flap protection, and hands firing alerts to the storm coalescer.

A batch is acknowledged only when every effect is durable: the counts are committed by
incidents (see :mod:`imas_ingest.webhooks.storm`) and the alert rows and inbox claims are committed
here, in one transaction. Safe to run twice: a redelivered event is neither counted (Redis
``seen``) nor recorded (inbox) again, which is also what lets a failed batch be split in
halves (until the message at fault is alone) without counting anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NotFoundError
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.alert_payloads import PayloadError
from imas_contracts.incidents import Action, TransitionOpenIncident
from imas_contracts.ingest import ALERTS_STREAM, RAW_ALERT_SUBJECT_PREFIX, AlertReceived
from imas_ingest import domain, store
from imas_ingest.domain import Alert, Decision, FlapState
from imas_ingest.usecases import IngestUseCases
from imas_ingest.webhooks import sources
from imas_ingest.webhooks.storm import Coalescer, Occurrence
from imas_runtime.bus import Bus
from imas_runtime.consumer import (
    ConsumerSpec,
    DeadLetters,
    Redeliveries,
    RestoreStreams,
    Suspects,
    isolate,
    settle,
)
from imas_runtime.errors import RequestFailed, is_transient
from imas_runtime.logs import get_logger
from imas_runtime.metrics import BATCH_SPLITS
from imas_runtime.supervision import Health
from imas_runtime.telemetry import TRACEPARENT, batch_span, span_in

log = get_logger(__name__)

DURABLE = "ingest--ALERTS"
OUTCOME = store.ALERT_COLUMNS.index("outcome")


@dataclass(frozen=True)
class RawAlertsSpec(ConsumerSpec):
    """Raw payloads are published on ``alerts.raw.<source>``, not on their tag."""

    @property
    def subjects(self) -> list[str]:
        return [f"{RAW_ALERT_SUBJECT_PREFIX}.>"]


@dataclass
class Item:
    """One alert of one message, with what was decided for it."""

    alert: Alert
    decision: Decision
    outcome: str = "ignored"
    key: str = ""
    incident_id: str | None = None
    note: str = ""
    # The window that suppressed it (see domain.silence_name).
    suppressed_by: str = ""


@dataclass(frozen=True)
class Raw:
    """A fetched message, decoded and parsed once however many times it is handled."""

    msg: Msg
    event: AlertReceived
    alerts: list[Alert]


@dataclass
class Received:
    msg: Msg
    event: AlertReceived
    items: list[Item] = field(default_factory=list)
    failure: str = ""


ALERTS = Counter(
    "imas_alerts_total",
    "Alerts handled by ingest, by outcome: created (opened an incident), attached (counted on "
    "an open one), resolved, acknowledged, suppressed (a silence), flapping (held), ignored "
    "(a rule's choice, or a resolution with nothing open)",
    ["outcome"],
)
_by_outcome: dict[str, Any] = {}


def _counted(outcome: str) -> None:
    child = _by_outcome.get(outcome)
    if child is None:
        child = _by_outcome[outcome] = ALERTS.labels(outcome)
    child.inc()


def _trace(msg: Msg) -> str:
    """The trace a message came in (its ``traceparent``), empty when none."""
    return (msg.headers or {}).get(TRACEPARENT, "")


def _key(decision: Decision) -> str:
    return f"{decision.service}|{decision.dedup_key}"


class ConsumerMissing(RuntimeError):
    """The ``ALERTS`` consumer was deleted under a running ingest."""


class AlertPipeline:
    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        redis: Any,
        usecases: IngestUseCases,
        coalescer: Coalescer,
        *,
        prefix: str,
        triage_service: str,
        flap_changes: int,
        flap_window: timedelta,
        batch: int = 500,
        health: Health | None = None,
        restore_streams: RestoreStreams | None = None,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.redis = redis
        self.usecases = usecases
        self.coalescer = coalescer
        self.prefix = prefix
        self.triage_service = triage_service
        self.flap_changes = flap_changes
        self.flap_window = flap_window
        self.spec = RawAlertsSpec(
            service="ingest",
            stream=ALERTS_STREAM.name,
            event_types=(AlertReceived,),
            handler=lambda *_: asyncio.sleep(0),
            ack_wait=60.0,
            batch=batch,
        )
        self._decoder = msgspec.json.Decoder(AlertReceived)
        self._integrations: dict[str, tuple[str, str]] = {}
        self._suspects = Suspects()
        self._redeliveries = Redeliveries(DURABLE)
        self.dead_letters = DeadLetters(
            bus,
            DURABLE,
            ALERTS_STREAM.name,
            health=health,
            restore_streams=restore_streams,
        )

    async def run(self, stopping: asyncio.Event) -> None:
        """Fetch and handle batches until ``stopping``; unacked messages are redelivered.

        Its durable consumer (or the stream) deleted under it, it raises: its supervisor
        shows it down in readiness and starts it again, which creates them again."""
        js = self.bus.js
        await self._provision()
        sub = await js.pull_subscribe_bind(durable=self.spec.durable, stream=self.spec.stream)
        try:
            while not stopping.is_set():
                try:
                    msgs = await sub.fetch(self.spec.batch, timeout=0.5)
                except (TimeoutError, NatsTimeoutError):
                    continue
                except Exception as exc:
                    if stopping.is_set():
                        break
                    if await self._consumer_missing():
                        raise ConsumerMissing(
                            f"durable consumer {self.spec.durable} of stream"
                            f" {self.spec.stream} is missing"
                        ) from exc
                    log.warning("fetch failed", error=str(exc))
                    await asyncio.sleep(0.5)
                    continue
                await self.handle(msgs)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _provision(self) -> None:
        """Create the durable consumer, and the streams first when ``ALERTS`` is gone."""
        js = self.bus.js
        try:
            await js.add_consumer(self.spec.stream, self.spec.config())
        except NotFoundError:
            await self.dead_letters.restore_streams()
            await js.add_consumer(self.spec.stream, self.spec.config())

    async def _consumer_missing(self) -> bool:
        """True when the server says our durable consumer (or its stream) does not exist; a
        server that does not answer is an outage, not a deletion."""
        try:
            await self.bus.js.consumer_info(self.spec.stream, self.spec.durable)
        except NotFoundError:
            return True
        except Exception:
            return False
        return False

    async def handle(self, msgs: list[Msg]) -> None:
        """Handle a fetched batch so that no message holds up the others: the unreadable are
        dead-lettered, those that failed alone before are handled alone, the rest together;
        a batch that fails because of one of its messages is split until that one is alone.
        Never raises: a message not acknowledged is redelivered.

        With tracing on, the batch is a span of its own trace linked to each message's; a
        message handled alone is handled in its own trace."""
        for msg in msgs:
            self._redeliveries.seen(msg)
        with batch_span("ingest", "ingest alerts", (m.headers for m in msgs)) as current:
            current.set_attribute("imas.messages", len(msgs))
            await self._handle(msgs)

    async def _handle(self, msgs: list[Msg]) -> None:
        raws: list[Raw] = []
        for msg in msgs:
            try:
                event = self._decoder.decode(msg.data)
                alerts = sources.parse(event.source, event.payload, dedup_key=event.dedup_key)
            except (msgspec.DecodeError, msgspec.ValidationError, PayloadError) as exc:
                await self.dead_letters.send(msg, f"unreadable: {exc}")
                continue
            raws.append(Raw(msg=msg, event=event, alerts=alerts))
        for raw in [r for r in raws if r.msg.metadata.sequence.stream in self._suspects]:
            await self._alone(raw)
        rest = [r for r in raws if r.msg.metadata.sequence.stream not in self._suspects]
        if rest:
            await isolate(
                rest, self._together, self._alone, self._retry_later, on_split=self._split
            )

    async def _together(self, raws: Sequence[Raw]) -> None:
        for msg, reason in await self.process(raws):
            await self.dead_letters.send(msg, reason)

    async def _alone(self, raw: Raw) -> None:
        """A message handled on its own: retried with backoff, dead-lettered after
        ``max_deliver`` attempts (unless a dependency is away: then retried for as long)."""
        meta = raw.msg.metadata
        try:
            with span_in("ingest", "ingest alert", _trace(raw.msg)):
                await self._together([raw])
        except Exception as exc:
            if is_transient(exc):
                await self._retry_later([raw], exc)
                return
            self._suspects.add(meta.sequence.stream)
            if meta.num_delivered >= self.spec.max_deliver:
                self._suspects.discard(meta.sequence.stream)
                await self.dead_letters.send(raw.msg, f"gave up: {exc!r}")
                return
            log.warning(
                "alert message failed, will retry",
                subject=raw.msg.subject,
                attempt=meta.num_delivered,
                error=repr(exc),
            )
            await settle(raw.msg.nak(delay=self.spec.delay_for(meta.num_delivered)), DURABLE)
            return
        self._suspects.discard(meta.sequence.stream)

    async def _retry_later(self, raws: Sequence[Raw], exc: Exception) -> None:
        log.warning("alert batch failed, dependency away, will retry", error=repr(exc))
        for raw in raws:
            delay = self.spec.delay_for(raw.msg.metadata.num_delivered)
            await settle(raw.msg.nak(delay=delay), DURABLE)

    def _split(self, exc: Exception) -> None:
        BATCH_SPLITS.labels(DURABLE).inc()
        log.info("alert batch failed, splitting it to find the message at fault", error=repr(exc))

    async def process(self, raws: Sequence[Raw]) -> list[tuple[Msg, str]]:
        """Decide, count, record, then ack the batch. Answers the messages that failed on
        their own in a way no retry can change (incidents gave up on their count): they are
        neither recorded nor acknowledged here."""
        rules = await self.usecases.rules()
        batch: list[Received] = []
        for raw in raws:
            service = await self._integration_service(raw.event.integration_id)
            items = [
                Item(
                    alert=a,
                    decision=domain.decide(
                        a, rules, integration_service=service, triage_service=self.triage_service
                    ),
                )
                for a in raw.alerts
            ]
            batch.append(Received(msg=raw.msg, event=raw.event, items=items))
        batch = await self._unprocessed(batch)
        await self._classify(batch)
        await self._count(batch)
        failed = [(r.msg, r.failure) for r in batch if r.failure]
        batch = [r for r in batch if not r.failure]
        await self._transitions(batch)
        await self._record(batch)
        for received in batch:
            await settle(received.msg.ack(), DURABLE)
        return failed

    async def _unprocessed(self, batch: list[Received]) -> list[Received]:
        """Ack the events already recorded (a redelivery after the ack was lost); keep the rest.

        Their counts are committed, and the inbox in PostgreSQL says so even when Redis lost
        the mark that would have kept them from being counted again."""
        if not batch:
            return batch
        async with self.engine.connect() as conn:
            done = await store.processed_events(conn, DURABLE, [r.event.event_id for r in batch])
        for received in batch:
            if received.event.event_id in done:
                await settle(received.msg.ack(), DURABLE)
        return [r for r in batch if r.event.event_id not in done]

    async def _integration_service(self, integration_id: str | None) -> str:
        if not integration_id:
            return ""
        cached = self._integrations.get(integration_id)
        if cached is None:
            async with self.engine.connect() as conn:
                row = await store.find_integration(conn, id=uuid.UUID(integration_id))
            cached = (row.service if row else "", row.type if row else "")
            self._integrations[integration_id] = cached
        return cached[0]

    async def _classify(self, batch: list[Received]) -> None:
        """Silences and services in maintenance first, then flap protection, then the
        alert's own status."""
        silences = await self.usecases.silences()
        maintenance = await self.usecases.maintenance()
        items = [(r, i) for r in batch for i in r.items]
        flap_keys = sorted({self._flap_key(i) for _, i in items})
        stored = await self.redis.mget(flap_keys) if flap_keys else []
        states = {
            k: FlapState(**{**json.loads(v), "changes": tuple(json.loads(v)["changes"])})
            if v
            else FlapState()
            for k, v in zip(flap_keys, stored, strict=True)
        }
        for received, item in items:
            at = received.event.occurred_at
            item.key = _key(item.decision)
            silence = domain.silenced_by(silences, item.alert, at)
            if silence is not None:
                item.outcome = "suppressed"
                item.suppressed_by = domain.silence_name(silence)
                continue
            window = domain.in_maintenance(maintenance, item.decision.service, item.alert, at)
            if window:
                item.outcome = "suppressed"
                item.suppressed_by = window
                continue
            flap_key = self._flap_key(item)
            states[flap_key], verdict = domain.flap_step(
                states[flap_key],
                item.alert.status,
                at,
                max_changes=self.flap_changes,
                window=self.flap_window,
            )
            if verdict == "hold":
                item.outcome = "flapping"
                continue
            if verdict == "report":
                item.outcome = "flapping"
                item.note = (
                    f"This alert is flapping: more than {self.flap_changes} status changes in "
                    f"{int(self.flap_window.total_seconds() // 60)} minutes; further changes "
                    "are held until it settles."
                )
                continue
            if item.alert.status == "firing":
                item.outcome = "attached" if item.decision.auto_create else "ignored"
            elif item.alert.status == "resolved":
                item.outcome = "resolved" if item.decision.auto_resolve else "ignored"
            elif item.alert.status == "acknowledged":
                item.outcome = "acknowledged"
        if states:
            pipe = self.redis.pipeline(transaction=False)
            ttl = int(self.flap_window.total_seconds() * 2) + 60
            for key, state in states.items():
                data = {**state.__dict__, "changes": list(state.changes)}
                pipe.set(key, json.dumps(data), ex=ttl)
            await pipe.execute()

    def _flap_key(self, item: Item) -> str:
        return f"{self.prefix}:flap:{_key(item.decision)}"

    async def _count(self, batch: list[Received]) -> None:
        """Firing alerts (and the one report of a flapping alert) go to the coalescer, which
        returns once incidents committed their counts. A message whose count was given up
        says why in its ``failure``."""
        events: list[tuple[str, list[Occurrence]]] = []
        for received in batch:
            per_key: dict[str, Occurrence] = {}
            for item in received.items:
                counted = item.outcome == "attached" or (item.outcome == "flapping" and item.note)
                if not counted:
                    continue
                previous = per_key.get(item.key)
                request = domain.open_or_attach(item.alert, item.decision, note=item.note)
                per_key[item.key] = Occurrence(
                    key=item.key,
                    count=(previous.count if previous else 0) + 1,
                    request=request,
                    trace=_trace(received.msg),
                )
            if per_key:
                events.append((received.event.event_id, list(per_key.values())))
        if not events:
            return
        results = await self.coalescer.count(events)
        created_seen: set[str] = set()
        for received in batch:
            found = results.get(received.event.event_id, {})
            for item in received.items:
                if item.outcome not in ("attached", "flapping") or item.key not in found:
                    continue
                result = found[item.key]
                if result is None:  # incidents refused it for good (see the storm module)
                    item.outcome = "ignored"
                    continue
                if result.error:
                    received.failure = f"incidents failed on this alert: {result.error}"
                    continue
                item.incident_id = result.incident_id
                first = result.incident_id not in created_seen
                if item.outcome == "attached" and result.created and first:
                    item.outcome = "created"
                    created_seen.add(result.incident_id)

    async def _transitions(self, batch: list[Received]) -> None:
        """Resolve (or acknowledge) the open incident of each resolved alert's key, in order,
        after every earlier firing alert was counted. Incidents finds that incident by its key
        (PostgreSQL), so a resolution never depends on what Redis still holds."""
        todo = [(r, i) for r in batch for i in r.items if i.outcome in ("resolved", "acknowledged")]
        if not todo:
            return
        await self.coalescer.flush_now()
        for received, item in todo:
            action: Action = "resolve" if item.outcome == "resolved" else "acknowledge"
            command = TransitionOpenIncident(
                service_name=item.decision.service,
                dedup_key=item.decision.dedup_key,
                action=action,
                source="alert",
                actor=f"{item.alert.source} alert",
                note=f"{item.alert.source}: {item.alert.name} {item.alert.status}",
            )
            try:
                # In the alert's trace: the resolution and what it causes follow from it.
                with span_in("ingest", f"{action} open incident", _trace(received.msg)):
                    reply = await self.usecases.transition_open(command)
                item.incident_id = reply.incident.id
            except RequestFailed as exc:
                if exc.code not in ("conflict", "not_found"):
                    raise
                item.outcome = "ignored"

    async def _record(self, batch: list[Received]) -> None:
        now = datetime.now(UTC)
        async with self.engine.begin() as conn:
            claimed = await store.claim_events(conn, DURABLE, [r.event.event_id for r in batch])
            rows = [
                self._row(r, item, now)
                for r in batch
                if r.event.event_id in claimed
                for item in r.items
            ]
            await store.record_alerts(conn, rows)
        for row in rows:
            _counted(row[OUTCOME])

    def _row(self, received: Received, item: Item, now: datetime) -> tuple[Any, ...]:
        """The alert's row, in :data:`store.ALERT_COLUMNS` order."""
        alert, decision = item.alert, item.decision
        return (
            uuid.uuid4(),
            alert.source,
            decision.dedup_key,
            (alert.summary or alert.name)[:500],
            alert.name[:500],
            decision.service,
            decision.severity,
            alert.dedup_key,
            uuid.UUID(item.incident_id) if item.incident_id else None,
            item.outcome == "created",
            received.event.occurred_at or now,
            uuid.UUID(received.event.integration_id) if received.event.integration_id else None,
            alert.status,
            item.outcome,
            store.json_text(alert.labels),
            store.json_text(alert.raw),
            alert.detected_at,
            received.event.event_id,
            item.suppressed_by or None,
        )
