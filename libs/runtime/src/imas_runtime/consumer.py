"""Long-running pull consumers: decode, handle, then ack, nak with backoff, or term.

A handler returns normally to ack. It raises :class:`Retry` to be redelivered after a delay,
:class:`Reject` when the message can never succeed (it goes to the dead-letter subject and is
terminated), or anything else to be retried with backoff. After ``max_deliver`` attempts the
message is dead-lettered instead of looping forever; while a dependency is away (database, bus,
another service) it is retried for as long as the outage lasts instead.

One message never holds up the others: a batch that fails because of one of its messages is
split in halves until that message is handled alone, and a dead letter that cannot be
published (the DEADLETTER stream is gone) keeps its message in the stream, never stops the
consumer, and shows in readiness.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry.trace import SpanKind

from imas_contracts import Event, new_event_id, utcnow
from imas_contracts.deadletter import DeadLettered, deadletter_subject
from imas_runtime.bus import Bus, encode
from imas_runtime.errors import Reject, Retry, is_transient
from imas_runtime.logs import get_logger
from imas_runtime.metrics import (
    BATCH_SPLITS,
    CONSUMED,
    DEAD_LETTER_FAILURES,
    DEAD_LETTERS,
    HANDLE_SECONDS,
    REDELIVERIES,
)
from imas_runtime.supervision import Health
from imas_runtime.telemetry import span_from_headers

log = get_logger(__name__)

PULL_EXPIRES_SECONDS = 5.0
# A message whose dead letter could not be published is offered again after this long.
DEAD_LETTER_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Delivery:
    """What a handler may want to know about the message besides the event itself."""

    subject: str
    stream_sequence: int
    num_delivered: int
    headers: dict[str, str]


EventHandler = Callable[[Any, Delivery], Awaitable[None]]
BatchHandler = Callable[[list[tuple[Any, Delivery]]], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer: named ``<service>--<STREAM>``, filtered to the events it handles."""

    service: str
    stream: str
    event_types: tuple[type[Event], ...]
    handler: EventHandler
    max_deliver: int = 6
    # A message fetched by a process that then died is redelivered after this long.
    ack_wait: float = 10.0
    backoff: tuple[float, ...] = (0.5, 2.0, 5.0, 15.0, 30.0)
    batch: int = 64
    extra_subjects: tuple[str, ...] = field(default=())
    # Optional: handles every message already waiting (up to ``batch``, in stream order) in
    # one call, e.g. one transaction for all of them. Returning acks them all; raising falls
    # back to ``handler`` message by message, with its usual ack / retry / reject.
    batch_handler: BatchHandler | None = None
    # Subjects to consume instead of the event types' own: for events published on other
    # subjects than their tag (dead letters on ``deadletter.<consumer>``).
    filter_subjects: tuple[str, ...] = ()

    @property
    def durable(self) -> str:
        return f"{self.service}--{self.stream}"

    @property
    def subjects(self) -> list[str]:
        if self.filter_subjects:
            return list(self.filter_subjects)
        return [*(t.type_name() for t in self.event_types), *self.extra_subjects]

    def delay_for(self, attempt: int) -> float:
        return self.backoff[min(attempt - 1, len(self.backoff) - 1)] if self.backoff else 1.0

    def config(self) -> ConsumerConfig:
        subjects = self.subjects
        return ConsumerConfig(
            durable_name=self.durable,
            name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            # Unlimited on the server: our loop dead-letters poison messages at max_deliver,
            # and keeps retrying those that only wait for a dependency to come back.
            max_deliver=-1,
            filter_subject=subjects[0] if len(subjects) == 1 else None,
            filter_subjects=subjects if len(subjects) > 1 else None,
            max_ack_pending=10_000,
        )


RestoreStreams = Callable[[], Awaitable[None]]
T = TypeVar("T")


async def _nothing() -> None:
    return None


class DeadLetters:
    """Publishes a consumer's dead letters on ``deadletter.<durable>``, then terminates the
    message. When the publish fails (the DEADLETTER stream is gone, the bus is away) nothing
    is lost and nothing stops: the message is kept (naked, redelivered later), readiness
    names the problem, and the missing stream is asked back."""

    def __init__(
        self,
        bus: Bus,
        durable: str,
        stream: str,
        *,
        health: Health | None = None,
        restore_streams: RestoreStreams | None = None,
    ) -> None:
        self.bus = bus
        self.durable = durable
        self.stream = stream
        self.health = health or Health()
        self.restore_streams = restore_streams or _nothing
        self.name = f"consumer {durable}"
        # Bound now: the series is at 0 from the start, so an alert on its increase works.
        self._sent = DEAD_LETTERS.labels(durable)

    async def send(self, msg: Msg, reason: str) -> str:
        """Dead-letter ``msg``; the outcome: ``dead_lettered`` or ``dead_letter_failed``."""
        meta = msg.metadata
        log.error(
            "message dead-lettered", consumer=self.durable, subject=msg.subject, reason=reason
        )
        letter = DeadLettered(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            consumer=self.durable,
            stream=self.stream,
            subject=msg.subject,
            stream_sequence=meta.sequence.stream,
            deliveries=meta.num_delivered,
            reason=reason,
            payload=msg.data,
            headers=dict(msg.headers or {}),
        )
        try:
            await self.bus.publish(letter, subject=deadletter_subject(self.durable))
        except Exception as exc:
            DEAD_LETTER_FAILURES.labels(self.durable).inc()
            log.error(
                "dead letter not published; the message is kept and retried",
                consumer=self.durable,
                subject=msg.subject,
                error=repr(exc),
                retry_in=DEAD_LETTER_RETRY_SECONDS,
            )
            self.health.report(
                self.name,
                "dead letters",
                f"dead letters cannot be published ({exc!r}); messages kept, retried every "
                f"{DEAD_LETTER_RETRY_SECONDS:g}s",
                ttl=3 * DEAD_LETTER_RETRY_SECONDS,
            )
            try:
                await self.restore_streams()
            except Exception as restore:
                log.error("streams not restored", consumer=self.durable, error=repr(restore))
            await settle(msg.nak(delay=DEAD_LETTER_RETRY_SECONDS), self.durable)
            return "dead_letter_failed"
        self._sent.inc()
        self.health.clear(self.name, "dead letters")
        await settle(msg.term(), self.durable)
        return "dead_lettered"


class Redeliveries:
    """Counts the messages a consumer is given again (``imas_consumer_redeliveries_total``):
    retried, not acknowledged in time, or left unacknowledged by a consumer that stopped. A
    rate that rises says a dependency fails or handling is too slow for ``ack_wait``."""

    def __init__(self, durable: str) -> None:
        self._counter = REDELIVERIES.labels(durable)

    def seen(self, msg: Msg) -> None:
        if msg.metadata.num_delivered > 1:
            self._counter.inc()


async def settle(action: Awaitable[None], consumer: str) -> None:
    """Ack, nak or term; if the bus is away the message is simply redelivered later."""
    try:
        await action
    except Exception as exc:
        log.warning(
            "message not settled, it will be redelivered", consumer=consumer, error=repr(exc)
        )


async def isolate(
    items: Sequence[T],
    together: Callable[[Sequence[T]], Awaitable[None]],
    alone: Callable[[T], Awaitable[None]],
    unavailable: Callable[[Sequence[T], Exception], Awaitable[None]],
    *,
    on_split: Callable[[Exception], None] = lambda _: None,
) -> None:
    """Handle ``items`` together; if that fails because of the items (not of a dependency),
    split them in halves, again and again, so the good ones go through and the one at fault
    ends up handled ``alone`` (with its own retries and dead letter). Halves go in order."""
    if len(items) == 1:
        await alone(items[0])
        return
    try:
        await together(items)
    except Exception as exc:
        if is_transient(exc):
            await unavailable(items, exc)
            return
        on_split(exc)
        middle = len(items) // 2
        await isolate(items[:middle], together, alone, unavailable, on_split=on_split)
        await isolate(items[middle:], together, alone, unavailable, on_split=on_split)


class Suspects:
    """Stream sequences of messages that failed alone in this process: when redelivered they
    are handled alone at once, instead of failing a batch again."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seqs: dict[int, None] = {}

    def add(self, seq: int) -> None:
        self._seqs[seq] = None
        if len(self._seqs) > self.size:
            del self._seqs[next(iter(self._seqs))]

    def discard(self, seq: int) -> None:
        self._seqs.pop(seq, None)

    def __contains__(self, seq: int) -> bool:
        return seq in self._seqs


class Consumer:
    """Runs one :class:`ConsumerSpec` until stopped."""

    def __init__(
        self,
        bus: Bus,
        spec: ConsumerSpec,
        *,
        health: Health | None = None,
        restore_streams: RestoreStreams | None = None,
    ) -> None:
        self.bus = bus
        self.spec = spec
        self.name = f"consumer {spec.durable}"
        self.health = health or Health()
        self.restore_streams = restore_streams or _nothing
        self.dead_letters = DeadLetters(
            bus, spec.durable, spec.stream, health=self.health, restore_streams=restore_streams
        )
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(
            spec.event_types[0] if len(spec.event_types) == 1 else _union(spec.event_types)
        )
        self._suspects = Suspects()
        self._redeliveries = Redeliveries(spec.durable)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._idle = 0

    async def provision(self) -> None:
        """Create the durable consumer, or update it to the declared filter (idempotent)."""
        await self.bus.js.add_consumer(self.spec.stream, self.spec.config())

    def start(self) -> None:
        """Run on its own (tests); a service runs :meth:`run` under its supervisor."""
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(self._stopping), name=self.name)

    async def stop(self) -> None:
        """Stop taking messages; a message being handled is finished first."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    async def run(self, stopping: asyncio.Event) -> None:
        """Keep pull requests outstanding and handle each message the moment it arrives.

        A plain ``fetch`` waits to fill its batch, which would add up to its timeout to every
        message's latency; instead we ask for ``batch`` messages, handle them as they stream in,
        and ask again when half are used, so the server always has somewhere to send. Returns
        once ``stopping`` is set (within a second when idle)."""
        nc = self.bus.nc
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox)
        pull_subject = f"$JS.API.CONSUMER.MSG.NEXT.{self.spec.stream}.{self.spec.durable}"
        batch = self.spec.batch
        expires = PULL_EXPIRES_SECONDS
        request = json.dumps({"batch": batch, "expires": int(expires * 1e9)}).encode()
        credits = 0  # messages the server may still send us for our outstanding requests
        try:
            while not stopping.is_set():
                if credits <= batch // 2:
                    try:
                        await nc.publish(pull_subject, request, reply=inbox)
                        credits += batch
                    except Exception as exc:
                        log.warning(
                            "pull request failed", consumer=self.spec.durable, error=str(exc)
                        )
                        await asyncio.sleep(0.5)
                        continue
                try:
                    msg = await sub.next_msg(timeout=min(expires, 1.0))
                except (TimeoutError, NatsTimeoutError):
                    self._idle += 1
                    if self._idle * 1.0 >= expires:
                        credits, self._idle = 0, 0  # every request has expired by now
                    continue
                except Exception as exc:
                    if stopping.is_set():
                        break
                    log.warning("pull failed", consumer=self.spec.durable, error=str(exc))
                    credits = 0
                    await asyncio.sleep(0.5)
                    continue
                self._idle = 0
                status = (msg.headers or {}).get("Status")
                if status is not None:
                    if _consumer_gone(msg):
                        await self._recreate(stopping)
                        credits = 0
                        continue
                    credits = _credits_after_status(msg, credits, batch)
                    continue
                self.health.clear(self.name, "missing")
                credits -= 1
                self._redeliveries.seen(msg)
                if self.spec.batch_handler is None:
                    await self.process(msg)
                    continue
                # Under load messages pile up while one is handled: take those already here.
                msgs = [msg]
                while len(msgs) < batch and sub.pending_msgs:
                    more = await sub.next_msg(timeout=0.1)
                    if (more.headers or {}).get("Status") is not None:
                        credits = _credits_after_status(more, credits, batch)
                        continue
                    credits -= 1
                    self._redeliveries.seen(more)
                    msgs.append(more)
                await self.process_batch(msgs)
        finally:
            # Unacked messages are redelivered to the next consumer after ack_wait.
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _recreate(self, stopping: asyncio.Event) -> None:
        """Our durable consumer (or its whole stream) is gone, e.g. a NATS cluster rebuilt
        without it: say so in readiness and create them again, retrying with backoff."""
        delay = 0.5
        while not stopping.is_set():
            try:
                try:
                    await self.provision()
                except NotFoundError:  # the stream itself is missing
                    await self.restore_streams()
                    await self.provision()
            except Exception as exc:
                self.health.report(
                    self.name, "missing", f"durable consumer missing and not recreated: {exc!r}"
                )
                log.error("consumer not recreated", consumer=self.spec.durable, error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=delay)
                delay = min(delay * 2, 10.0)
                continue
            log.warning("durable consumer was missing, recreated", consumer=self.spec.durable)
            return

    async def process(self, msg: Msg) -> None:
        """Handle one message and settle it (ack / nak / term). Never raises."""
        delivery = _delivery(msg)
        started = time.perf_counter()
        with span_from_headers(
            self.bus.service, f"consume {msg.subject}", msg.headers, SpanKind.CONSUMER
        ) as current:
            try:
                outcome = await self._handle(msg, delivery)
            except Exception:
                # A fault of ours while settling: the message comes back, the loop goes on.
                log.exception("message handling failed", consumer=self.spec.durable)
                await settle(
                    msg.nak(delay=self.spec.delay_for(delivery.num_delivered)), self.spec.durable
                )
                outcome = "error"
            current.set_attribute("imas.outcome", outcome)
        CONSUMED.labels(self.spec.durable, outcome).inc()
        HANDLE_SECONDS.labels(self.spec.durable).observe(time.perf_counter() - started)

    async def process_batch(self, msgs: list[Msg]) -> None:
        """Hand the decodable messages to the batch handler and ack them all. If it fails
        because of a message, split the batch until that message is handled alone (its own
        retries, then its dead letter); if a dependency is away, retry them all later. A
        message that failed alone before is handled alone straight away. Never raises."""
        assert self.spec.batch_handler is not None
        items: list[tuple[Msg, Any, Delivery]] = []
        for msg in msgs:
            delivery = _delivery(msg)
            if delivery.stream_sequence in self._suspects:
                await self.process(msg)
                continue
            try:
                items.append((msg, self._decoder.decode(msg.data), delivery))
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                outcome = await self.dead_letters.send(msg, f"undecodable: {exc}")
                CONSUMED.labels(self.spec.durable, outcome).inc()
        if items:
            await isolate(
                items,
                self._handle_together,
                lambda item: self.process(item[0]),
                self._retry_later,
                on_split=self._log_split,
            )

    async def _handle_together(self, items: Sequence[tuple[Msg, Any, Delivery]]) -> None:
        assert self.spec.batch_handler is not None
        started = time.perf_counter()
        with span_from_headers(
            self.bus.service, f"consume {len(items)} messages", None, SpanKind.CONSUMER
        ) as current:
            await self.spec.batch_handler([(event, delivery) for _, event, delivery in items])
            current.set_attribute("imas.outcome", "acked")
        for msg, _, _ in items:
            await settle(msg.ack(), self.spec.durable)
        CONSUMED.labels(self.spec.durable, "acked").inc(len(items))
        HANDLE_SECONDS.labels(self.spec.durable).observe(time.perf_counter() - started)

    async def _retry_later(
        self, items: Sequence[tuple[Msg, Any, Delivery]], exc: Exception
    ) -> None:
        log.warning(
            "dependency unavailable, will retry",
            consumer=self.spec.durable,
            messages=len(items),
            error=repr(exc),
        )
        for msg, _, delivery in items:
            await settle(
                msg.nak(delay=self.spec.delay_for(delivery.num_delivered)), self.spec.durable
            )
        CONSUMED.labels(self.spec.durable, "retried").inc(len(items))

    def _log_split(self, exc: Exception) -> None:
        BATCH_SPLITS.labels(self.spec.durable).inc()
        log.info(
            "batch failed, splitting it to find the message at fault",
            consumer=self.spec.durable,
            error=repr(exc),
        )

    async def _handle(self, msg: Msg, delivery: Delivery) -> str:
        try:
            event = self._decoder.decode(msg.data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            return await self.dead_letters.send(msg, f"undecodable: {exc}")
        try:
            await self.spec.handler(event, delivery)
        except Reject as exc:
            return await self.dead_letters.send(msg, f"rejected: {exc}")
        except Exception as exc:
            if is_transient(exc):
                # The database, the bus or a service is away: not this message's fault, so it
                # is retried (capped backoff) for as long as the outage lasts, never dead-lettered.
                delay = self.spec.delay_for(delivery.num_delivered)
                log.warning(
                    "dependency unavailable, will retry",
                    consumer=self.spec.durable,
                    subject=msg.subject,
                    attempt=delivery.num_delivered,
                    error=repr(exc),
                )
                await settle(msg.nak(delay=delay), self.spec.durable)
                return "retried"
            self._suspects.add(delivery.stream_sequence)
            if delivery.num_delivered >= self.spec.max_deliver:
                self._suspects.discard(delivery.stream_sequence)
                return await self.dead_letters.send(msg, f"gave up: {exc!r}")
            delay = (
                exc.delay if isinstance(exc, Retry) else self.spec.delay_for(delivery.num_delivered)
            )
            if not isinstance(exc, Retry):
                log.warning(
                    "handler failed, will retry",
                    consumer=self.spec.durable,
                    subject=msg.subject,
                    attempt=delivery.num_delivered,
                    error=repr(exc),
                )
            await settle(msg.nak(delay=delay), self.spec.durable)
            return "retried"
        self._suspects.discard(delivery.stream_sequence)
        await settle(msg.ack(), self.spec.durable)
        return "acked"


def _consumer_gone(msg: Msg) -> bool:
    """A status saying our durable consumer does not exist (any more): 503, no responders on
    its pull subject; 409 Consumer Deleted."""
    headers = msg.headers or {}
    status = headers.get("Status")
    return status == "503" or (
        status == "409" and "deleted" in headers.get("Description", "").lower()
    )


def _credits_after_status(msg: Msg, credits: int, batch: int) -> int:
    """Credits left after a status message: 408, a request expired; 409, it was cut short
    (leader change, limits); either takes back what that request had not used."""
    if (msg.headers or {}).get("Status") in ("408", "409"):
        left = (msg.headers or {}).get("Nats-Pending-Messages")
        return max(credits - (int(left) if left else batch), 0)
    return credits


def _delivery(msg: Msg) -> Delivery:
    meta = msg.metadata
    return Delivery(
        subject=msg.subject,
        stream_sequence=meta.sequence.stream,
        num_delivered=meta.num_delivered,
        headers=dict(msg.headers or {}),
    )


def _union(types: Sequence[type[Event]]) -> Any:
    union: Any = types[0]
    for t in types[1:]:
        union = union | t
    return union


__all__ = [
    "Consumer",
    "ConsumerSpec",
    "DeadLetters",
    "Delivery",
    "Redeliveries",
    "Reject",
    "Retry",
    "encode",
    "is_transient",
    "isolate",
]
