"""Events out of order and acknowledgements still on their way: a stop that arrives before its
trigger (or reopen) is remembered and the late start never pages; a step due after an
acknowledgement committed in incidents, but before its event arrived, asks incidents and does
not page; when incidents cannot answer, the step waits for it, and pages unconfirmed only once
incidents stayed away for the whole patience."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta

import pytest

from imas_contracts.escalation import GetHistory, PutPolicy
from imas_escalation.timers.firing import Firer, States
from imas_escalation.timers.scheduler import Scheduler
from imas_runtime.errors import Unavailable
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


async def test_an_acknowledgement_before_its_trigger_starts_no_run(h: Harness) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    late, on_time = incident(), incident()
    await h.runs.on_stopped(acknowledged(late))
    await h.runs.on_triggered(triggered(late))
    await h.runs.on_triggered(triggered(on_time))
    h.clock.set(T0 + timedelta(hours=1))
    assert await h.scheduler.tick() == 2  # the on-time incident's two steps
    assert await h.pages(late.id) == 0
    assert (await h.runs.history(GetHistory(incident_id=late.id))).entries == []
    assert await h.pages(on_time.id) == 2


async def test_a_stop_that_overtook_its_reopen_keeps_the_reopen_from_paging(h: Harness) -> None:
    """Resolved, reopened at +1 h and acknowledged at +2 h; the acknowledgement arrives before
    the reopen. A later reopen (+3 h) escalates again."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    await h.runs.on_stopped(resolved(snapshot, T0 + timedelta(minutes=1)))
    await h.runs.on_stopped(acknowledged(snapshot, T0 + timedelta(hours=2)))
    await h.runs.on_reopened(reopened(snapshot, T0 + timedelta(hours=1)))
    assert await h.scalar("SELECT count(*) FROM runs") == 1
    await h.runs.on_reopened(reopened(snapshot, T0 + timedelta(hours=3)))
    assert await h.scalar("SELECT count(*) FROM runs") == 2


def _firer(h: Harness, states: Mapping[str, str] | Exception) -> Scheduler:
    async def incident_states(ids: Sequence[str]) -> States:
        if isinstance(states, Exception):
            raise states
        return States(statuses={i: states[i] for i in ids if i in states})

    firer = Firer(h.engine, public_url="http://imas.test", incident_states=incident_states)
    return Scheduler(h.engine, firer, clock=h.clock, replica="asks-incidents")


async def test_a_step_due_after_an_acknowledgement_committed_elsewhere_does_not_page(
    h: Harness,
) -> None:
    """Incidents says one incident is acknowledged (its event has not arrived here): its
    5-minute step is cancelled and its run stopped; the other incident is paged."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    taken, open_ = incident(), incident()
    for snapshot in (taken, open_):
        await h.runs.on_triggered(triggered(snapshot))
    scheduler = _firer(h, {taken.id: "TRIGGERED", open_.id: "TRIGGERED"})
    assert await scheduler.tick() == 2  # both 0-minute steps
    h.clock.set(T0 + timedelta(minutes=5))
    scheduler = _firer(h, {taken.id: "ACKNOWLEDGED", open_.id: "TRIGGERED"})
    assert await scheduler.tick() == 1
    assert (await h.pages(taken.id), await h.pages(open_.id)) == (1, 2)
    history = await h.runs.history(GetHistory(incident_id=taken.id))
    assert (history.status, history.stop_reason) == ("stopped", "acknowledged")
    assert [(e.step, e.status, e.result) for e in history.entries][1] == (
        1,
        "cancelled",
        "acknowledged",
    )
    # The acknowledgement's event, when it comes, finds nothing left to stop.
    await h.runs.on_stopped(acknowledged(taken))
    stopped = await h.scalar(
        "SELECT count(*) FROM outbox WHERE subject = 'escalation.stopped.v1' "
        "AND convert_from(payload, 'UTF8')::jsonb->>'incident_id' = :i",
        i=taken.id,
    )
    assert stopped == 1


UNAVAILABLE = Unavailable("incidents.states.v1 did not answer within 0.5s")


async def test_a_step_due_while_incidents_is_away_waits_and_never_pages_an_acknowledged_one(
    h: Harness,
) -> None:
    """Incidents goes away (a restart) just after an acknowledgement committed there, before
    its event reached escalation; the 5-minute step falls due meanwhile. It waits, asking
    again at each tick, and once incidents answers "acknowledged" it is cancelled."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    assert await _firer(h, {snapshot.id: "TRIGGERED"}).tick() == 1  # the 0-minute step
    away = _firer(h, UNAVAILABLE)
    for seconds in (0, 10, 59):  # incidents away for most of the patience (60 s)
        h.clock.set(T0 + timedelta(minutes=5, seconds=seconds))
        assert await away.tick() == 0
        assert away.firer.held == 1
    assert await h.pages(snapshot.id) == 1
    assert await h.scalar("SELECT count(*) FROM timers WHERE status = 'pending'") == 1

    back = _firer(h, {snapshot.id: "ACKNOWLEDGED"})
    assert await back.tick() == 0
    assert (back.firer.held, await h.pages(snapshot.id)) == (0, 1)
    history = await h.runs.history(GetHistory(incident_id=snapshot.id))
    assert (history.status, history.stop_reason) == ("stopped", "acknowledged")
    assert [(e.step, e.status, e.result) for e in history.entries][1] == (
        1,
        "cancelled",
        "acknowledged",
    )


async def test_a_step_pages_unconfirmed_once_incidents_stayed_away_for_the_patience(
    h: Harness,
) -> None:
    """A long outage of incidents never silences escalation: past the patience the step
    pages, and its history, its event and the timeline say it was not confirmed."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    away = _firer(h, UNAVAILABLE)
    h.clock.set(T0 + timedelta(minutes=5))
    # The 0-minute step is 5 minutes overdue (past the patience): it pages; the 5-minute
    # step waits.
    assert await away.tick() == 1
    assert (away.firer.held, await h.pages(snapshot.id)) == (1, 1)
    h.clock.set(T0 + timedelta(minutes=6))
    assert await away.tick() == 1
    assert (away.firer.held, await h.pages(snapshot.id)) == (0, 2)
    history = await h.runs.history(GetHistory(incident_id=snapshot.id))
    assert [(e.step, e.status, e.result) for e in history.entries] == [
        (0, "fired", "paged unconfirmed"),
        (1, "fired", "paged unconfirmed"),
    ]
    fired = await h.scalar(
        "SELECT count(*) FROM outbox WHERE subject = 'escalation.step_fired.v1'"
        " AND (convert_from(payload, 'UTF8')::jsonb->>'unconfirmed')::boolean"
    )
    assert fired == 2


async def test_a_step_waiting_for_incidents_is_asked_about_again_after_a_poll_not_in_a_loop(
    h: Harness,
) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    await h.runs.on_triggered(triggered(incident()))
    asked = 0

    async def away(ids: Sequence[str]) -> States:
        nonlocal asked
        asked += 1
        raise UNAVAILABLE

    firer = Firer(h.engine, public_url="http://imas.test", incident_states=away)
    scheduler = Scheduler(h.engine, firer, clock=h.clock, poll=0.1, replica="asks-again")
    stopping = asyncio.Event()
    started = time.monotonic()
    running = asyncio.create_task(scheduler.run(stopping))

    async def asked_four_times() -> None:
        assert asked >= 4

    try:
        await eventually(asked_four_times, timeout=30, interval=0.01)
    finally:
        stopping.set()
        await running
    # Three pauses of a poll (0.1 s) between the four questions at least: a busy loop would
    # have asked thousands of times meanwhile.
    assert time.monotonic() - started >= 0.3
    assert await h.pages() == 0
