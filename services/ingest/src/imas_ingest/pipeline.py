"""The webhook pipeline: ``ingest--ALERTS`` consumes raw payloads in batches, normalises them,
applies rules, silences and flap protection, and hands firing alerts to the storm coalescer.

A batch is acknowledged only when every effect is durable: the counts are committed by
incidents (see :mod:`imas_ingest.storm`) and the alert rows and inbox claims are committed
here, in one transaction. Safe to run twice: a redelivered event is neither counted (Redis
``seen``) nor recorded (inbox) again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NotFoundError
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.alert_payloads import PayloadError
from imas_contracts.deadletter import DeadLettered, deadletter_subject
from imas_contracts.incidents import Action, IncidentView, TransitionIncident
from imas_contracts.ingest import ALERTS_STREAM, RAW_ALERT_SUBJECT_PREFIX, AlertReceived
from imas_ingest import domain, sources, store
from imas_ingest.domain import Alert, Decision, FlapState
from imas_ingest.storm import Coalescer, Occurrence
from imas_ingest.usecases import IngestUseCases
from imas_runtime.bus import Bus
from imas_runtime.consumer import ConsumerSpec
from imas_runtime.errors import RequestFailed
from imas_runtime.logs import get_logger

log = get_logger(__name__)

DURABLE = "ingest--ALERTS"


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


@dataclass
class Received:
    msg: Msg
    event: AlertReceived
    items: list[Item] = field(default_factory=list)
    epoch: int | None = None


def _key(decision: Decision) -> str:
    return f"{decision.service}|{decision.dedup_key}"


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

    async def run(self, stopping: asyncio.Event) -> None:
        """Fetch and handle batches until ``stopping``; unacked messages are redelivered."""
        js = self.bus.js
        try:
            await js.consumer_info(self.spec.stream, self.spec.durable)
        except NotFoundError:
            pass
        await js.add_consumer(self.spec.stream, self.spec.config())
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
                    log.warning("fetch failed", error=str(exc))
                    await asyncio.sleep(0.5)
                    continue
                try:
                    await self.handle(msgs)
                except Exception as exc:
                    log.warning("alert batch failed, will retry", error=repr(exc))
                    for msg in msgs:
                        with contextlib.suppress(Exception):
                            await msg.nak(delay=1.0)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def handle(self, msgs: list[Msg]) -> None:
        """Normalise, decide, count, record, then ack the whole batch."""
        batch: list[Received] = []
        for msg in msgs:
            try:
                event = self._decoder.decode(msg.data)
                alerts = sources.parse(event.source, event.payload, dedup_key=event.dedup_key)
            except (msgspec.DecodeError, msgspec.ValidationError, PayloadError) as exc:
                await self._dead_letter(msg, f"unreadable: {exc}")
                continue
            service = await self._integration_service(event.integration_id)
            rules = await self.usecases.rules()
            items = [
                Item(
                    alert=a,
                    decision=domain.decide(
                        a, rules, integration_service=service, triage_service=self.triage_service
                    ),
                )
                for a in alerts
            ]
            batch.append(Received(msg=msg, event=event, items=items))
        if not batch:
            return
        await self._classify(batch)
        await self._count(batch)
        await self._transitions(batch)
        await self._record(batch)
        for received in batch:
            await received.msg.ack()

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
        """Silences first, then flap protection, then the alert's own status."""
        silences = await self.usecases.silences()
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
            if domain.silenced_by(silences, item.alert, at) is not None:
                item.outcome = "suppressed"
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
        """Firing alerts (and the one report of a flapping alert) go to the coalescer."""
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
                    key=item.key, count=(previous.count if previous else 0) + 1, request=request
                )
            if per_key:
                events.append((received.event.event_id, list(per_key.values())))
        if not events:
            return
        epochs = await self.coalescer.add(events)
        by_id = dict(zip((e for e, _ in events), epochs, strict=True))
        for received in batch:
            received.epoch = by_id.get(received.event.event_id)
        wanted = {r.epoch for r in batch if r.epoch is not None}
        await self.coalescer.wait_done(wanted)
        pairs = {(r.epoch, i.key) for r in batch if r.epoch is not None for i in r.items}
        results = await self.coalescer.results(pairs)
        created_seen: set[tuple[int, str]] = set()
        for received in batch:
            if received.epoch is None:
                continue
            for item in received.items:
                if item.outcome not in ("attached", "flapping"):
                    continue
                result = results.get((received.epoch, item.key))
                if result is None:  # incidents refused it for good (see the storm module)
                    item.outcome = "ignored"
                    continue
                item.incident_id = result.incident_id
                pair = (received.epoch, item.key)
                if item.outcome == "attached" and result.created and pair not in created_seen:
                    item.outcome = "created"
                    created_seen.add(pair)

    async def _transitions(self, batch: list[Received]) -> None:
        """Resolve (or acknowledge) the open incident of each resolved alert, in order, after
        every earlier firing alert was counted."""
        todo = [i for r in batch for i in r.items if i.outcome in ("resolved", "acknowledged")]
        if not todo:
            return
        await self.coalescer.flush_now()
        for item in todo:
            incident_id = await self.coalescer.open_incident(item.key)
            if incident_id is None:
                item.outcome = "ignored"
                continue
            action: Action = "resolve" if item.outcome == "resolved" else "acknowledge"
            try:
                await self.bus.request(
                    TransitionIncident(
                        id=incident_id,
                        action=action,
                        source="alert",
                        actor=f"{item.alert.source} alert",
                        note=f"{item.alert.source}: {item.alert.name} {item.alert.status}",
                    ),
                    IncidentView,
                    timeout=self.usecases.incidents_timeout,
                )
            except RequestFailed as exc:
                if exc.code not in ("conflict", "not_found"):
                    raise
                item.outcome = "ignored"
            item.incident_id = incident_id
            if action == "resolve":
                await self.coalescer.forget_open(item.key)

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

    def _row(self, received: Received, item: Item, now: datetime) -> dict[str, Any]:
        alert, decision = item.alert, item.decision
        return {
            "id": uuid.uuid4(),
            "source": alert.source,
            "fingerprint": decision.dedup_key,
            "title": (alert.summary or alert.name)[:500],
            "name": alert.name[:500],
            "service_name": decision.service,
            "severity": decision.severity,
            "dedup_key": alert.dedup_key,
            "incident_id": uuid.UUID(item.incident_id) if item.incident_id else None,
            "opened_incident": item.outcome == "created",
            "received_at": received.event.occurred_at or now,
            "integration_id": uuid.UUID(received.event.integration_id)
            if received.event.integration_id
            else None,
            "status": alert.status,
            "outcome": item.outcome,
            "labels": alert.labels,
            "raw": alert.raw,
            "detected_at": alert.detected_at,
            "event_id": received.event.event_id,
        }

    async def _dead_letter(self, msg: Msg, reason: str) -> None:
        log.error("raw alert dead-lettered", subject=msg.subject, reason=reason)
        meta = msg.metadata
        await self.bus.publish(
            DeadLettered(
                event_id=new_event_id(),
                occurred_at=utcnow(),
                consumer=DURABLE,
                stream=ALERTS_STREAM.name,
                subject=msg.subject,
                stream_sequence=meta.sequence.stream,
                deliveries=meta.num_delivered,
                reason=reason,
                payload=msg.data,
                headers=dict(msg.headers or {}),
            ),
            subject=deadletter_subject(DURABLE),
        )
        await msg.term()
