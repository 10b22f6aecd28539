from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from imas_contracts.escalation import GetHistory, PutPolicy
from imas_escalation import store
from imas_escalation.timers.scheduler import Scheduler
from imas_escalation.usecases import RunUseCases
from imas_testing import eventually
from services.escalation.tests.conftest import (
    T0,
    Harness,
    acknowledged,
    incident,
    reopened,
    resolved,
    triggered,
    two_step_policy,
)

pytestmark = pytest.mark.integration

MS = timedelta(milliseconds=1)


async def test_each_step_fires_at_its_due_time_and_not_before(h: Harness) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    assert await h.scheduler.tick() == 1  # the 0-minute step, at once
    h.clock.set(T0 + timedelta(minutes=5) - MS)
    assert await h.scheduler.tick() == 0
    h.clock.set(T0 + timedelta(minutes=5))
    assert await h.scheduler.tick() == 1
    history = await h.runs.history(GetHistory(incident_id=snapshot.id))
    assert [(e.step, e.status, e.channels, e.names) for e in history.entries] == [
        (0, "fired", ["slack"], ["team-1"]),
        (1, "fired", ["sms"], ["alice"]),
    ]
    assert history.entries[1].fired_at == T0 + timedelta(minutes=5)
    assert history.status == "exhausted"
    assert await h.pages(snapshot.id) == 2


async def test_redelivered_trigger_starts_one_run(h: Harness) -> None:
    event = triggered(incident())
    await h.runs.on_triggered(event)
    await h.runs.on_triggered(event)
    await h.runs.on_triggered(triggered(event.incident))  # same incident, new event id
    assert await h.scalar("SELECT count(*) FROM runs") == 1
    assert await h.scalar("SELECT count(*) FROM timers") == 5  # the default policy's steps


async def test_reopened_incident_escalates_again_from_step_0(h: Harness) -> None:
    """Trigger, ack, resolve, reopen: the team is paged again at once, with keys the notifier
    has not seen, and Alice 5 minutes after the reopening. Redelivery starts nothing more."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    assert await h.scheduler.tick() == 1
    h.clock.set(T0 + timedelta(minutes=2))
    await h.runs.on_stopped(acknowledged(snapshot))
    await h.runs.on_stopped(resolved(snapshot))
    h.clock.set(T0 + timedelta(hours=1))
    assert await h.scheduler.tick() == 0  # the first run's step 1 stays cancelled

    reopen_at = T0 + timedelta(hours=1)
    reopen = reopened(snapshot, reopen_at)
    await h.runs.on_reopened(reopen)
    await h.runs.on_reopened(reopen)  # redelivered
    await h.runs.on_reopened(reopened(snapshot, reopen_at))  # replayed under a new event id
    assert await h.scalar("SELECT count(*) FROM runs") == 2
    assert await h.scheduler.tick() == 1
    h.clock.set(reopen_at + timedelta(minutes=5) - MS)
    assert await h.scheduler.tick() == 0
    h.clock.set(reopen_at + timedelta(minutes=5))
    assert await h.scheduler.tick() == 1

    keys = await _page_keys(h, snapshot.id)
    assert len(keys) == len(set(keys)) == 3
    assert keys[0] == f"esc:{snapshot.id}:step0:0:team:team-1:slack"
    assert keys[1] == f"esc:{snapshot.id}:run2:step0:0:team:team-1:slack"
    history = await h.runs.history(GetHistory(incident_id=snapshot.id))
    assert [(e.run, e.step, e.status) for e in history.entries] == [
        (1, 0, "fired"),
        (1, 1, "cancelled"),
        (2, 0, "fired"),
        (2, 1, "fired"),
    ]
    assert history.entries[2].fired_at == reopen_at
    assert history.status == "exhausted"

    # Reopened again after the second run ended: a third run, whose keys are its own.
    await h.runs.on_stopped(resolved(snapshot))
    await h.runs.on_reopened(reopened(snapshot, reopen_at + timedelta(hours=1)))
    h.clock.set(reopen_at + timedelta(hours=1))
    assert await h.scheduler.tick() == 1
    assert (await _page_keys(h, snapshot.id))[-1].startswith(f"esc:{snapshot.id}:run3:step0:")


async def _page_keys(h: Harness, incident_id: str) -> list[str]:
    async with h.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT convert_from(payload, 'UTF8')::jsonb->>'idempotency_key' FROM outbox "
                "WHERE subject = 'notifications.requested.v1' "
                "AND convert_from(payload, 'UTF8')::jsonb->>'incident_id' = :i ORDER BY id"
            ),
            {"i": incident_id},
        )
        return [r[0] for r in rows]


async def test_ack_before_due_never_pages(h: Harness) -> None:
    """300 incidents, each acknowledged 1 ms before its 5-minute step while a scheduler
    runs; one incident in ten is left unacknowledged and must be paged on time."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    incidents = [incident(T0 + i * 10 * MS) for i in range(300)]
    for snapshot in incidents:
        await h.runs.on_triggered(triggered(snapshot))
    await h.scheduler.tick()  # every 0-minute step
    stopping = asyncio.Event()
    loop = asyncio.create_task(h.scheduler.run(stopping))
    try:
        for i, snapshot in enumerate(incidents):
            due = snapshot.created_at + timedelta(minutes=5)
            h.clock.set(due - MS)
            if i % 10:
                await h.runs.on_stopped(acknowledged(snapshot))
            h.clock.set(due)
            h.scheduler.wake()
        h.clock.set(T0 + timedelta(minutes=10))
        h.scheduler.wake()

        async def all_due_handled() -> None:
            assert await h.scalar("SELECT count(*) FROM timers WHERE status = 'pending'") == 0

        await eventually(all_due_handled, timeout=30)
    finally:
        stopping.set()
        await loop
    sms = await h.scalar(
        "SELECT count(*) FROM outbox WHERE subject = 'notifications.requested.v1' "
        "AND convert_from(payload, 'UTF8')::jsonb->>'step' = '1'"
    )
    assert sms == 30  # only the unacknowledged tenth
    paged_after_ack = await h.scalar(
        "SELECT count(*) FROM timers t JOIN runs r ON r.id = t.run_id "
        "WHERE t.step = 1 AND t.status = 'fired' AND r.stop_reason = 'acknowledged'"
    )
    assert paged_after_ack == 0


async def test_ack_holding_the_run_lock_wins_over_a_firing_tick(h: Harness) -> None:
    """The firing transaction waits for an acknowledgement in flight, then sees it."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    await h.scheduler.tick()
    h.clock.set(T0 + timedelta(minutes=5))
    async with h.engine.begin() as conn:
        assert await store.stop_run(conn, snapshot.id, "acknowledged", T0) is not None
        tick = asyncio.create_task(h.scheduler.tick())

        async def tick_waits_for_the_lock() -> None:
            waiting = await h.scalar(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            assert waiting == 1

        await eventually(tick_waits_for_the_lock, timeout=10)
    assert await tick == 0
    assert await h.pages(snapshot.id) == 1  # the 0-minute step only
    history = await h.runs.history(GetHistory(incident_id=snapshot.id))
    assert history.entries[1].status == "cancelled"


async def test_reminders_repeat_once_per_period_while_unacknowledged(h: Harness) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy(reminder_minutes=10)))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    fired = "SELECT count(*) FROM timers WHERE kind = 'reminder' AND status = 'fired'"
    # A scheduler back after 35 minutes sends one reminder, not one per missed period.
    h.clock.set(T0 + timedelta(minutes=35))
    await h.scheduler.tick()
    assert await h.scalar(fired) == 1
    h.clock.set(T0 + timedelta(minutes=40) - MS)
    await h.scheduler.tick()
    assert await h.scalar(fired) == 1
    h.clock.set(T0 + timedelta(minutes=40))
    await h.scheduler.tick()
    assert await h.scalar(fired) == 2
    await h.runs.on_stopped(acknowledged(snapshot))
    h.clock.set(T0 + timedelta(hours=2))
    await h.scheduler.tick()
    assert await h.scalar(fired) == 2
    reminder_pages = await h.scalar(
        "SELECT count(*) FROM outbox WHERE subject = 'notifications.requested.v1' "
        "AND convert_from(payload, 'UTF8')::jsonb->>'reason' = 'reminder'"
    )
    assert reminder_pages == 2


async def test_scheduler_wakes_early_for_a_timer_committed_in_this_process(h: Harness) -> None:
    """With a one-minute poll, only the wake-up can make the 0-minute step fire promptly."""
    scheduler = Scheduler(h.engine, h.firer, clock=h.clock, poll=60, replica="slow-poll")
    runs = RunUseCases(h.engine, clock=h.clock, on_timer=scheduler.timer_committed)
    stopping = asyncio.Event()
    loop = asyncio.create_task(scheduler.run(stopping))
    try:
        await eventually(lambda: _assert(scheduler.last_tick is not None))
        snapshot = incident()
        await runs.on_triggered(triggered(snapshot))

        async def paged() -> None:
            assert await h.pages(snapshot.id) == 1

        await eventually(paged, timeout=5)
    finally:
        stopping.set()
        await loop


def _assert(condition: bool) -> None:
    assert condition


async def test_dead_mans_switch_alerts_once_when_ticks_stop(h: Harness) -> None:
    from imas_escalation.timers.scheduler import Watchdog

    watchdog = Watchdog(h.engine, clock=h.clock, stall_after=5, replica="test")
    h.scheduler._last_beat = None
    await h.scheduler.tick()
    assert not await watchdog.check()
    h.clock.set(T0 + timedelta(seconds=30))
    assert h.scheduler.stalled(5)
    assert await watchdog.check()
    assert await watchdog.check()
    alerts = await h.scalar(
        "SELECT count(*) FROM outbox WHERE subject = 'escalation.scheduler_stalled.v1'"
    )
    assert alerts == 1
    await h.scheduler.tick()
    assert not h.scheduler.stalled(5)
    assert not await watchdog.check()


async def test_history_of_an_unknown_incident_is_empty(h: Harness) -> None:
    history = await h.runs.history(GetHistory(incident_id="not-a-uuid"))
    assert history.entries == [] and history.run_id is None
    async with h.engine.connect() as conn:
        assert (await conn.execute(text("SELECT 1"))).scalar() == 1
