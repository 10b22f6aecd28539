"""Long-running pull consumers: decode, handle, then ack, nak with backoff, or term.

A handler returns normally to ack. It raises :class:`Retry` to be redelivered after a delay,
:class:`Reject` when the message can never succeed (it goes to the dead-letter subject and is
terminated), or anything else to be retried with backoff. After ``max_deliver`` attempts the
message is dead-lettered instead of looping forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry.trace import SpanKind
from sqlalchemy import exc as sa_exc

from imas_contracts import Event, new_event_id, utcnow
from imas_contracts.deadletter import DeadLettered, deadletter_subject
from imas_runtime.bus import Bus, encode
from imas_runtime.errors import Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.metrics import CONSUMED, HANDLE_SECONDS
from imas_runtime.telemetry import span_from_headers

log = get_logger(__name__)

PULL_EXPIRES_SECONDS = 5.0


class Retry(Exception):
    """Redeliver this message after ``delay`` seconds (e.g. a provider said Retry-After)."""

    def __init__(self, delay: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {delay}s")
        self.delay = delay


class Reject(Exception):
    """This message can never be processed: dead-letter it and stop redelivering."""


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

    @property
    def durable(self) -> str:
        return f"{self.service}--{self.stream}"

    @property
    def subjects(self) -> list[str]:
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


class Consumer:
    """Runs one :class:`ConsumerSpec` until stopped."""

    def __init__(self, bus: Bus, spec: ConsumerSpec) -> None:
        self.bus = bus
        self.spec = spec
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(
            spec.event_types[0] if len(spec.event_types) == 1 else _union(spec.event_types)
        )
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._idle = 0
        self._waiting = False

    async def provision(self) -> None:
        """Create the durable consumer, or update it to the declared filter (idempotent)."""
        js = self.bus.js
        try:
            await js.consumer_info(self.spec.stream, self.spec.durable)
        except NotFoundError:
            await js.add_consumer(self.spec.stream, self.spec.config())
        else:
            await js.add_consumer(self.spec.stream, self.spec.config())

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"consumer {self.spec.durable}")

    async def stop(self) -> None:
        """Stop taking messages; a message being handled is finished first."""
        self._stopping.set()
        if self._task is not None:
            if self._waiting:
                self._task.cancel()  # idle: nothing to finish
            try:
                await asyncio.wait_for(self._task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        """Keep pull requests outstanding and handle each message the moment it arrives.

        A plain ``fetch`` waits to fill its batch, which would add up to its timeout to every
        message's latency; instead we ask for ``batch`` messages, handle them as they stream in,
        and ask again when half are used, so the server always has somewhere to send.
        """
        nc = self.bus.nc
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox)
        pull_subject = f"$JS.API.CONSUMER.MSG.NEXT.{self.spec.stream}.{self.spec.durable}"
        batch = self.spec.batch
        expires = PULL_EXPIRES_SECONDS
        request = json.dumps({"batch": batch, "expires": int(expires * 1e9)}).encode()
        credits = 0  # messages the server may still send us for our outstanding requests
        try:
            while not self._stopping.is_set():
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
                    self._waiting = True
                    msg = await sub.next_msg(timeout=min(expires, 1.0))
                except (TimeoutError, NatsTimeoutError):
                    self._idle += 1
                    if self._idle * 1.0 >= expires:
                        credits, self._idle = 0, 0  # every request has expired by now
                    continue
                except Exception as exc:
                    if self._stopping.is_set():
                        break
                    log.warning("pull failed", consumer=self.spec.durable, error=str(exc))
                    credits = 0
                    await asyncio.sleep(0.5)
                    continue
                finally:
                    self._waiting = False
                self._idle = 0
                if (msg.headers or {}).get("Status") is not None:
                    credits = _credits_after_status(msg, credits, batch)
                    continue
                credits -= 1
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
                    msgs.append(more)
                await self.process_batch(msgs)
        finally:
            # Unacked messages are redelivered to the next consumer after ack_wait.
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def process(self, msg: Msg) -> None:
        """Handle one message and settle it (ack / nak / term). Never raises."""
        delivery = _delivery(msg)
        started = time.perf_counter()
        with span_from_headers(
            self.bus.service, f"consume {msg.subject}", msg.headers, SpanKind.CONSUMER
        ) as current:
            outcome = await self._handle(msg, delivery)
            current.set_attribute("imas.outcome", outcome)
        CONSUMED.labels(self.spec.durable, outcome).inc()
        HANDLE_SECONDS.labels(self.spec.durable).observe(time.perf_counter() - started)

    async def process_batch(self, msgs: list[Msg]) -> None:
        """Hand the decodable messages to the batch handler and ack them all; if it fails,
        process each message alone (so each gets its own retry or dead letter). Never raises."""
        assert self.spec.batch_handler is not None
        if len(msgs) == 1:
            await self.process(msgs[0])
            return
        started = time.perf_counter()
        items: list[tuple[Msg, Any, Delivery]] = []
        for msg in msgs:
            delivery = _delivery(msg)
            try:
                items.append((msg, self._decoder.decode(msg.data), delivery))
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                await self._dead_letter(msg, delivery, f"undecodable: {exc}")
                CONSUMED.labels(self.spec.durable, "dead_lettered").inc()
        with span_from_headers(
            self.bus.service, f"consume {len(items)} messages", None, SpanKind.CONSUMER
        ) as current:
            try:
                await self.spec.batch_handler([(event, delivery) for _, event, delivery in items])
            except Exception as exc:
                current.set_attribute("imas.outcome", "one_by_one")
                log.info(
                    "batch failed, handling its messages one by one",
                    consumer=self.spec.durable,
                    size=len(items),
                    error=repr(exc),
                )
                for msg, _, _ in items:
                    await self.process(msg)
                return
            current.set_attribute("imas.outcome", "acked")
        for msg, _, _ in items:
            await msg.ack()
        CONSUMED.labels(self.spec.durable, "acked").inc(len(items))
        HANDLE_SECONDS.labels(self.spec.durable).observe(time.perf_counter() - started)

    async def _handle(self, msg: Msg, delivery: Delivery) -> str:
        try:
            event = self._decoder.decode(msg.data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            await self._dead_letter(msg, delivery, f"undecodable: {exc}")
            return "dead_lettered"
        try:
            await self.spec.handler(event, delivery)
        except Reject as exc:
            await self._dead_letter(msg, delivery, f"rejected: {exc}")
            return "dead_lettered"
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
                await msg.nak(delay=delay)
                return "retried"
            if delivery.num_delivered >= self.spec.max_deliver:
                await self._dead_letter(msg, delivery, f"gave up: {exc!r}")
                return "dead_lettered"
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
            await msg.nak(delay=delay)
            return "retried"
        await msg.ack()
        return "acked"

    async def _dead_letter(self, msg: Msg, delivery: Delivery, reason: str) -> None:
        log.error(
            "message dead-lettered",
            consumer=self.spec.durable,
            subject=msg.subject,
            reason=reason,
        )
        letter = DeadLettered(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            consumer=self.spec.durable,
            stream=self.spec.stream,
            subject=msg.subject,
            stream_sequence=delivery.stream_sequence,
            deliveries=delivery.num_delivered,
            reason=reason,
            payload=msg.data,
            headers=delivery.headers,
        )
        # Dead-letter before terminating: if this publish fails the message is redelivered.
        await self.bus.publish(letter, subject=deadletter_subject(self.spec.durable))
        await msg.term()


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


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` says a dependency is away (database, bus, another service) rather than
    that the message itself is bad."""
    if isinstance(exc, Retry | Reject):
        return False
    if isinstance(exc, Unavailable | ConnectionError | TimeoutError | OSError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    if isinstance(exc, sa_exc.TimeoutError | asyncpg.PostgresConnectionError):
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        return True
    cause = exc.__cause__ or exc.__context__
    return cause is not None and cause is not exc and _depth_ok(exc) and is_transient(cause)


def _depth_ok(exc: BaseException, limit: int = 8) -> bool:
    """Exception chains are short; a long (or cyclic) one is not worth walking."""
    depth, current = 0, exc.__cause__ or exc.__context__
    while current is not None and depth < limit:
        depth, current = depth + 1, current.__cause__ or current.__context__
    return depth < limit


def _union(types: Sequence[type[Event]]) -> Any:
    union: Any = types[0]
    for t in types[1:]:
        union = union | t
    return union


__all__ = ["Consumer", "ConsumerSpec", "Delivery", "Reject", "Retry", "encode", "is_transient"]
