"""Rate limits in the gateway's memory, kept in step across gateways, and shedding past
capacity: pure logic on a driven clock, then two gateways' buckets on a real NATS."""

from __future__ import annotations

import asyncio

import pytest

from imas_contracts import new_event_id, utcnow
from imas_contracts.gateway import LimitsSpent
from imas_gateway.auth.ratelimit import Limit
from imas_gateway.auth.shared_buckets import SharedBuckets
from imas_gateway.inbound.overload import Overload
from imas_runtime.bus import Bus
from imas_testing import eventually


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def spent_by(gateway: str, **spent: int) -> LimitsSpent:
    return LimitsSpent(event_id=new_event_id(), occurred_at=utcnow(), gateway=gateway, spent=spent)


@pytest.mark.unit
def test_a_bucket_grants_its_burst_then_refuses_until_it_refills() -> None:
    clock = Clock()
    buckets = SharedBuckets(clock=clock)
    limit = Limit(capacity=3, per_second=0.5)
    verdicts = [buckets.hit("integration:a", limit) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts[:3]] == [2, 1, 0]
    refused = verdicts[3]
    assert refused.headers()["Retry-After"] == "2" and refused.headers()["X-RateLimit-Limit"] == "3"
    clock.now += 2
    assert buckets.hit("integration:a", limit).allowed
    assert not buckets.hit("integration:a", limit).allowed
    # Another key has its own bucket.
    assert buckets.hit("integration:b", limit).allowed


@pytest.mark.unit
def test_what_other_gateways_spent_is_taken_from_the_buckets_here() -> None:
    clock = Clock()
    here = SharedBuckets(clock=clock, gateway="here")
    limit = Limit(capacity=10, per_second=1)
    assert here.hit("token:t", limit).remaining == 9
    here.heard(spent_by("there", **{"token:t": 8}))
    assert here.hit("token:t", limit).remaining == 0
    assert not here.hit("token:t", limit).allowed
    # Its own spending, heard back, is not taken twice.
    here.heard(spent_by("here", **{"token:t": 5}))
    clock.now += 1
    assert here.hit("token:t", limit).allowed
    # A key only the others spent from starts full less their spending.
    here.heard(spent_by("there", **{"token:u": 4}))
    assert here.hit("token:u", limit).remaining == 5
    # However much the others say, the debt stays within one burst.
    here.heard(spent_by("there", **{"token:u": 1_000_000}))
    clock.now += 10
    assert not here.hit("token:u", limit).allowed
    clock.now += 11
    assert here.hit("token:u", limit).allowed


@pytest.mark.unit
def test_spending_is_told_once() -> None:
    buckets = SharedBuckets(clock=Clock())
    limit = Limit(capacity=5, per_second=1)
    for _ in range(3):
        buckets.hit("integration:a", limit)
    buckets.hit("integration:b", limit)
    assert buckets.take_spent() == {"integration:a": 3, "integration:b": 1}
    assert buckets.take_spent() == {}


@pytest.mark.integration
async def test_two_gateways_hold_one_limit_together(nats_url: str) -> None:
    limit = Limit(capacity=10, per_second=0.001)
    first, second = SharedBuckets(gateway="first"), SharedBuckets(gateway="second")
    buses = [Bus(f"gateway-{n}", nats_url) for n in ("first", "second")]
    stopping = asyncio.Event()
    for bus in buses:
        await bus.connect()
    tasks = [
        asyncio.create_task(buckets.run(bus, stopping))
        for buckets, bus in zip((first, second), buses, strict=True)
    ]
    try:
        # Both listen before anything is spent.
        await asyncio.wait_for(first.listening.wait(), timeout=30)
        await asyncio.wait_for(second.listening.wait(), timeout=30)
        assert all(first.hit("integration:x", limit).allowed for _ in range(7))

        def spent_elsewhere() -> None:
            assert second.remaining("integration:x", limit) == 3

        await eventually(spent_elsewhere, timeout=10)
        assert [second.hit("integration:x", limit).allowed for _ in range(4)] == [True] * 3 + [
            False
        ]
    finally:
        stopping.set()
        await asyncio.gather(*tasks)
        for bus in buses:
            await bus.close()


@pytest.mark.unit
def test_past_capacity_repeats_are_shed_before_new_alerts() -> None:
    overload = Overload(answer_seconds=0.1, min_in_flight=10)
    repeat = overload.fingerprint("integration-1", b'{"title": "disk full"}')
    overload.remember(repeat)
    assert overload.seen(repeat)
    assert not overload.seen(overload.fingerprint("integration-2", b'{"title": "disk full"}'))
    in_hand = []
    for _ in range(6):
        hand = overload.in_hand()
        hand.__enter__()
        in_hand.append(hand)
    # Six in hand of ten: repeats are refused, new alerts taken.
    assert overload.refuses(duplicate=True)
    assert not overload.refuses(duplicate=False)
    for _ in range(5):
        hand = overload.in_hand()
        hand.__enter__()
        in_hand.append(hand)
    # Eleven of ten: everything is refused.
    assert overload.refuses(duplicate=False)
    for hand in in_hand:
        hand.__exit__(None, None, None)
    assert overload.in_flight == 0
    assert not overload.refuses(duplicate=True)


@pytest.mark.unit
def test_the_calls_taken_in_time_set_how_many_may_be_in_hand() -> None:
    clock = Clock()
    overload = Overload(answer_seconds=0.1, min_in_flight=10, clock=clock)
    assert overload.capacity() == 10
    for _ in range(3000):
        clock.now += 0.0005
        overload.taken()
    # 2,000 taken a second: 200 may be in hand (a tenth of a second's worth).
    clock.now += 0.001
    overload.taken()
    assert 190 <= overload.capacity() <= 210
    # A quiet spell says nothing of capacity: back to the least.
    clock.now += 5
    overload.taken()
    assert overload.capacity() == 10
