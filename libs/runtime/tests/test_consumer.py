"""Consumers against real JetStream: ack, retry with backoff, reject, dead-letter."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec
import pytest
from prometheus_client import REGISTRY

from imas_contracts import new_event_id, utcnow
from imas_contracts.deadletter import DEADLETTER_STREAM, DeadLettered, deadletter_subject
from imas_contracts.escalation import ESCALATION_STREAM, EscalationStopped
from imas_runtime.bus import Bus
from imas_runtime.consumer import Consumer, ConsumerSpec, Delivery, Reject, Retry
from imas_runtime.supervision import Health
from imas_testing import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def bus(nats_url: str) -> AsyncIterator[Bus]:
    bus = Bus("test", nats_url)
    await bus.connect()
    await bus.provision([ESCALATION_STREAM, DEADLETTER_STREAM])
    yield bus
    await bus.close()


def stopped(run_id: str | None = None) -> EscalationStopped:
    return EscalationStopped(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        incident_id=str(uuid.uuid4()),
        run_id=run_id or uuid.uuid4().hex,
        reason="acknowledged",
    )


async def run_consumer(
    bus: Bus,
    handler: object,
    *,
    health: Health | None = None,
    restore_streams: Callable[[], Awaitable[None]] | None = None,
    **options: object,
) -> Consumer:
    spec = ConsumerSpec(
        service=f"t{uuid.uuid4().hex[:8]}",
        stream=ESCALATION_STREAM.name,
        event_types=(EscalationStopped,),
        handler=handler,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )
    consumer = Consumer(bus, spec, health=health, restore_streams=restore_streams)
    await consumer.provision()
    consumer.start()
    return consumer


async def dead_letters(bus: Bus, consumer: Consumer) -> list[DeadLettered]:
    subject = deadletter_subject(consumer.spec.durable)
    sub = await bus.js.subscribe(subject, ordered_consumer=True)
    letters = []
    try:
        while True:
            msg = await sub.next_msg(timeout=0.5)
            letters.append(msgspec.json.decode(msg.data, type=DeadLettered))
    except Exception:
        pass
    finally:
        await sub.unsubscribe()
    return letters


async def pending_of(bus: Bus, consumer: Consumer) -> tuple[int, int]:
    info = await bus.js.consumer_info(consumer.spec.stream, consumer.spec.durable)
    return info.num_pending or 0, info.num_ack_pending or 0


async def test_handled_event_is_acked_once(bus: Bus) -> None:
    seen: list[str] = []

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        seen.append(event.run_id)

    consumer = await run_consumer(bus, handler)
    run_id = uuid.uuid4().hex
    await bus.publish(stopped(run_id))

    async def acked() -> None:
        assert run_id in seen
        assert await pending_of(bus, consumer) == (0, 0)

    await eventually(acked)
    await consumer.stop()
    assert seen.count(run_id) == 1


async def test_failing_handler_is_retried_until_it_succeeds(bus: Bus) -> None:
    attempts: list[int] = []
    run_id = uuid.uuid4().hex

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id != run_id:
            return
        attempts.append(delivery.num_delivered)
        if len(attempts) < 3:
            raise ConnectionError("provider down")

    consumer = await run_consumer(bus, handler, backoff=(0.1,))
    await bus.publish(stopped(run_id))

    async def succeeded() -> None:
        assert attempts == [1, 2, 3]
        assert await pending_of(bus, consumer) == (0, 0)

    await eventually(succeeded)
    await consumer.stop()
    assert await dead_letters(bus, consumer) == []


async def test_retry_honours_the_requested_delay(bus: Bus) -> None:
    seen_at: list[float] = []
    run_id = uuid.uuid4().hex

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id != run_id:
            return
        seen_at.append(time.monotonic())
        if len(seen_at) == 1:
            raise Retry(0.8, "provider said Retry-After")

    consumer = await run_consumer(bus, handler)
    await bus.publish(stopped(run_id))
    await eventually(lambda: _assert_len(seen_at, 2), timeout=5)
    await consumer.stop()
    assert seen_at[1] - seen_at[0] >= 0.75


def _assert_len(items: list[float], n: int) -> None:
    assert len(items) == n


async def test_rejected_event_is_dead_lettered_and_not_redelivered(bus: Bus) -> None:
    calls: list[str] = []
    run_id = uuid.uuid4().hex

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id == run_id:
            calls.append(event.run_id)
            raise Reject("references an unknown policy")

    consumer = await run_consumer(bus, handler, backoff=(0.05,))
    assert counted("imas_dead_letters_total", consumer) == 0  # a series to alert on, from 0
    event = stopped(run_id)
    await bus.publish(event)

    async def dead_lettered() -> list[DeadLettered]:
        letters = await dead_letters(bus, consumer)
        assert len(letters) == 1
        return letters

    letters = await eventually(dead_lettered)
    assert "unknown policy" in letters[0].reason
    assert msgspec.json.decode(letters[0].payload, type=EscalationStopped) == event
    assert await pending_of(bus, consumer) == (0, 0)
    await consumer.stop()
    assert calls == [run_id]
    assert counted("imas_dead_letters_total", consumer) == 1
    assert counted("imas_consumer_redeliveries_total", consumer) == 0


async def test_poison_event_is_dead_lettered_after_max_deliver(bus: Bus) -> None:
    calls: list[int] = []
    run_id = uuid.uuid4().hex

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id == run_id:
            calls.append(delivery.num_delivered)
            raise RuntimeError("always fails")

    consumer = await run_consumer(bus, handler, max_deliver=3, backoff=(0.05,))
    await bus.publish(stopped(run_id))

    letters = await eventually(lambda: _one_letter(bus, consumer), timeout=10)
    assert letters[0].deliveries == 3
    assert "always fails" in letters[0].reason
    await consumer.stop()
    assert calls == [1, 2, 3]
    # What an operator's dashboard shows: two redeliveries, then one dead letter.
    assert counted("imas_consumer_redeliveries_total", consumer) == 2
    assert counted("imas_dead_letters_total", consumer) == 1


def counted(metric: str, consumer: Consumer) -> float | None:
    return REGISTRY.get_sample_value(metric, {"consumer": consumer.spec.durable})


async def _one_letter(bus: Bus, consumer: Consumer) -> list[DeadLettered]:
    letters = await dead_letters(bus, consumer)
    assert len(letters) == 1
    return letters


async def test_undecodable_message_is_dead_lettered(bus: Bus) -> None:
    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        return None

    consumer = await run_consumer(bus, handler)
    await bus.js.publish(EscalationStopped.type_name(), b'{"type": "escalation.stopped.v1"}')
    letters = await eventually(lambda: _one_letter(bus, consumer))
    assert letters[0].reason.startswith("undecodable")
    assert letters[0].payload == b'{"type": "escalation.stopped.v1"}'
    assert await eventually(lambda: _settled(bus, consumer))
    await consumer.stop()


async def _settled(bus: Bus, consumer: Consumer) -> bool:
    assert await pending_of(bus, consumer) == (0, 0)
    return True


async def test_same_event_id_published_twice_is_stored_once(bus: Bus) -> None:
    event = stopped()
    await bus.publish(event)
    await bus.publish(event)
    info = await bus.js.stream_info(ESCALATION_STREAM.name, subjects_filter=">")
    before = info.state.messages
    await bus.publish(event)
    info = await bus.js.stream_info(ESCALATION_STREAM.name)
    assert info.state.messages == before


async def test_outage_of_a_dependency_is_retried_past_max_deliver_not_dead_lettered(
    bus: Bus,
) -> None:
    from sqlalchemy.exc import OperationalError

    attempts: list[int] = []
    run_id = uuid.uuid4().hex

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id != run_id:
            return
        attempts.append(delivery.num_delivered)
        if len(attempts) <= 4:  # the database is down for four attempts
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    consumer = await run_consumer(bus, handler, max_deliver=2, backoff=(0.05,))
    await bus.publish(stopped(run_id))

    async def recovered() -> None:
        assert attempts == [1, 2, 3, 4, 5]
        assert await pending_of(bus, consumer) == (0, 0)

    await eventually(recovered, timeout=10)
    await consumer.stop()
    letters = await dead_letters(bus, consumer)
    assert [x for x in letters if run_id.encode() in x.payload] == []


async def test_waiting_messages_reach_the_batch_handler_together_and_a_failed_batch_one_by_one(
    bus: Bus,
) -> None:
    run_ids = [uuid.uuid4().hex for _ in range(20)]
    bad = run_ids[7]
    for run_id in run_ids:
        await bus.publish(stopped(run_id))
    batch_sizes: list[int] = []
    handled: list[str] = []

    async def handle_batch(items: list[tuple[EscalationStopped, Delivery]]) -> None:
        batch_sizes.append(len(items))
        if any(event.run_id == bad for event, _ in items):
            raise RuntimeError("a bad message in the batch")
        handled.extend(event.run_id for event, _ in items)

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id == bad:
            raise Reject("cannot be handled")
        handled.append(event.run_id)

    consumer = await run_consumer(bus, handler, batch_handler=handle_batch)

    async def settled() -> None:
        assert await pending_of(bus, consumer) == (0, 0)
        assert {r for r in run_ids if r != bad} <= set(handled)

    await eventually(settled)
    await consumer.stop()
    assert batch_sizes and max(batch_sizes) > 1
    mine = [r for r in handled if r in run_ids]
    assert sorted(mine) == sorted(r for r in run_ids if r != bad)  # each once
    rejected = [d for d in await dead_letters(bus, consumer) if d.reason.startswith("rejected")]
    assert [msgspec.json.decode(d.payload, type=EscalationStopped).run_id for d in rejected] == [
        bad
    ]


async def test_a_failed_batch_is_split_so_the_good_messages_stay_in_batches(bus: Bus) -> None:
    run_ids = [uuid.uuid4().hex for _ in range(40)]
    bad = run_ids[23]
    together: list[str] = []
    alone: list[str] = []

    async def handle_batch(items: list[tuple[EscalationStopped, Delivery]]) -> None:
        if any(event.run_id == bad for event, _ in items):
            raise ValueError("a message no code path can take")
        together.extend(event.run_id for event, _ in items)

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        alone.append(event.run_id)
        if event.run_id == bad:
            raise Reject("cannot be handled")

    # Published before the consumer exists, so they arrive together.
    for run_id in run_ids:
        await bus.publish(stopped(run_id))
    consumer = await run_consumer(bus, handler, batch_handler=handle_batch)

    async def settled() -> None:
        assert await pending_of(bus, consumer) == (0, 0)
        handled = [r for r in together + alone if r in run_ids and r != bad]
        assert sorted(handled) == sorted(set(run_ids) - {bad})  # each once

    await eventually(settled)
    await consumer.stop()
    # Halves of halves found the message at fault: a few good ones ended up alone beside it,
    # not the whole batch one by one.
    assert bad in alone
    assert len([r for r in alone if r in run_ids]) <= 10


async def test_a_message_that_failed_alone_is_not_put_back_in_a_batch(bus: Bus) -> None:
    bad = uuid.uuid4().hex
    failed_batches: list[int] = []
    attempts: list[int] = []

    async def handle_batch(items: list[tuple[EscalationStopped, Delivery]]) -> None:
        if any(event.run_id == bad for event, _ in items):
            failed_batches.append(len(items))
            raise ValueError("poison")

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id == bad:
            attempts.append(delivery.num_delivered)
            raise ValueError("poison")

    consumer = await run_consumer(
        bus, handler, batch_handler=handle_batch, max_deliver=3, backoff=(0.2,)
    )
    await bus.publish(stopped(bad))
    for _ in range(30):  # a steady flow of good messages around the poison one
        await bus.publish(stopped())

    async def dead_lettered() -> DeadLettered:
        mine = [x for x in await dead_letters(bus, consumer) if bad.encode() in x.payload]
        assert len(mine) == 1
        return mine[0]

    letter = await eventually(dead_lettered, timeout=15)
    assert letter.deliveries == 3
    await consumer.stop()
    assert attempts == [1, 2, 3]
    # Its redeliveries went straight to the one-by-one path: at most its first batch failed.
    assert len(failed_batches) <= 1 + 6  # the first batch and its halves, at most


async def test_a_dead_letter_that_cannot_be_published_stops_nothing(bus: Bus) -> None:
    """The DEADLETTER stream is gone (an operator deleted it, a cluster was rebuilt without
    it): the poison message is kept, readiness says why, the stream is asked back, and every
    other message is handled meanwhile."""
    await bus.js.delete_stream(DEADLETTER_STREAM.name)
    health = Health()
    seen_in_readiness: list[str] = []

    async def restore() -> None:
        seen_in_readiness.append(health.status()[consumer.name])
        await bus.provision([DEADLETTER_STREAM])

    handled: list[str] = []

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        handled.append(event.run_id)

    consumer = await run_consumer(bus, handler, health=health, restore_streams=restore)
    await bus.js.publish(EscalationStopped.type_name(), b"not json at all")
    after = [uuid.uuid4().hex for _ in range(5)]
    for run_id in after:
        await bus.publish(stopped(run_id))

    await eventually(lambda: _assert_subset(after, handled))

    async def dead_lettered() -> None:
        letters = await dead_letters(bus, consumer)
        assert [x for x in letters if x.payload == b"not json at all"]

    await eventually(dead_lettered, timeout=20)
    assert seen_in_readiness and "dead letters cannot be published" in seen_in_readiness[0]
    await eventually(lambda: _assert_equal(health.status()[consumer.name], "ok"))
    await eventually(lambda: _settled(bus, consumer))
    await consumer.stop()


async def test_a_deleted_durable_consumer_is_recreated(bus: Bus) -> None:
    handled: list[str] = []

    async def handler(event: EscalationStopped, delivery: Delivery) -> None:
        handled.append(event.run_id)

    consumer = await run_consumer(bus, handler)
    first = uuid.uuid4().hex
    await bus.publish(stopped(first))
    await eventually(lambda: _assert_subset([first], handled))
    await bus.js.delete_consumer(ESCALATION_STREAM.name, consumer.spec.durable)
    second = uuid.uuid4().hex
    await bus.publish(stopped(second))
    await eventually(lambda: _assert_subset([second], handled), timeout=20)
    await consumer.stop()


def _assert_subset(wanted: list[str], seen: list[str]) -> None:
    assert set(wanted) <= set(seen)


def _assert_equal(left: object, right: object) -> None:
    assert left == right
