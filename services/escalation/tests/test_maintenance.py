"""A run whose incident's service is in maintenance: its due step is held until the
maintenance ends, the later steps keep their spacing, the held step pages at the end (marked
resumed) unless the incident was acknowledged meanwhile, and an early end brings it forward."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from imas_contracts import new_event_id
from imas_contracts.escalation import PutPolicy
from imas_contracts.incidents import CatalogChanged, IncidentSnapshot
from imas_escalation import domain
from imas_escalation.timers.firing import Firer, States
from imas_escalation.timers.scheduler import Scheduler
from services.escalation.tests.conftest import (
    T0,
    Harness,
    incident,
    triggered,
    two_step_policy,
)

pytestmark = pytest.mark.integration

UNTIL = T0 + timedelta(hours=1)


def _asking(
    h: Harness,
    statuses: Mapping[str, str],
    until: Mapping[str, datetime],
    service_windows: Mapping[str, tuple[datetime, str]] | None = None,
) -> Scheduler:
    async def incident_states(ids: Sequence[str]) -> States:
        return States(
            statuses={i: statuses[i] for i in ids if i in statuses},
            maintenance_until={i: until[i] for i in ids if i in until},
            service_windows=service_windows or {},
        )

    firer = Firer(h.engine, public_url="http://imas.test", incident_states=incident_states)
    return Scheduler(h.engine, firer, clock=h.clock, replica="asks-incidents")


async def _steps(h: Harness, incident_id: str) -> list[dict[str, object]]:
    async with h.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT convert_from(payload, 'UTF8') FROM outbox"
                " WHERE subject = 'escalation.step_fired.v1' ORDER BY id"
            )
        )
        found = [json.loads(r[0]) for r in rows]
    return [e for e in found if e["incident_id"] == incident_id]


async def _held_at_its_second_step(h: Harness) -> IncidentSnapshot:
    """An incident paged by its first step, whose second step (at 5 min) is held."""
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    assert await _asking(h, {snapshot.id: "TRIGGERED"}, {}).tick() == 1
    h.clock.set(T0 + timedelta(minutes=5))
    assert await _asking(h, {snapshot.id: "TRIGGERED"}, {snapshot.id: UNTIL}).tick() == 0
    return snapshot


async def test_a_step_due_in_maintenance_waits_for_its_end_and_then_pages(h: Harness) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    open_ = {snapshot.id: "TRIGGERED"}
    assert await _asking(h, open_, {}).tick() == 1  # step 1, before the maintenance
    h.clock.set(T0 + timedelta(minutes=5))
    held = _asking(h, open_, {snapshot.id: UNTIL})
    assert await held.tick() == 0
    assert await h.pages(snapshot.id) == 1
    (announced,) = [e for e in await _steps(h, snapshot.id) if e["result"] == "held"]
    assert announced["step"] == 1
    assert announced["window"] == f"maintenance of {snapshot.service.name}"
    assert announced["held_until"].startswith("2026-03-02T11:00:00")

    h.clock.set(UNTIL - timedelta(seconds=1))
    assert await held.tick() == 0  # still within it
    h.clock.set(UNTIL)
    assert await _asking(h, open_, {}).tick() == 1
    assert await h.pages(snapshot.id) == 2
    fired = (await _steps(h, snapshot.id))[-1]
    assert (fired["step"], fired["result"], fired["resumed"]) == (1, "paged", True)


async def test_a_held_step_of_an_incident_resolved_meanwhile_never_pages(h: Harness) -> None:
    snapshot = await _held_at_its_second_step(h)
    h.clock.set(UNTIL)
    assert await _asking(h, {snapshot.id: "RESOLVED"}, {}).tick() == 0
    assert await h.pages(snapshot.id) == 1


async def test_a_maintenance_ended_early_brings_the_held_step_forward(h: Harness) -> None:
    snapshot = await _held_at_its_second_step(h)

    h.clock.set(T0 + timedelta(minutes=20))
    ended = CatalogChanged(
        event_id=new_event_id(),
        occurred_at=h.clock.now(),
        kind="service",
        action="upserted",
        id="svc-1",
        name=snapshot.service.name,
        data={"name": snapshot.service.name, "maintenance_until": None},
    )
    await h.config.on_catalog_changed(ended)
    due = await h.scalar("SELECT min(due_at) FROM timers WHERE status = 'pending'")
    assert due == T0 + timedelta(minutes=20)
    assert await _asking(h, {snapshot.id: "TRIGGERED"}, {}).tick() == 1
    assert await h.pages(snapshot.id) == 2


async def test_a_step_due_in_a_recurring_window_of_its_service_waits_for_the_window_end(
    h: Harness,
) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    open_ = {snapshot.id: "TRIGGERED"}
    assert await _asking(h, open_, {}).tick() == 1
    h.clock.set(T0 + timedelta(minutes=5))
    end = T0 + timedelta(minutes=30)
    windowed = _asking(h, open_, {}, {snapshot.service.name: (end, "silence s-1 (nightly batch)")})
    assert await windowed.tick() == 0
    (announced,) = [e for e in await _steps(h, snapshot.id) if e["result"] == "held"]
    assert announced["window"] == "silence s-1 (nightly batch)"
    h.clock.set(end)
    assert await _asking(h, open_, {}).tick() == 1
    assert await h.pages(snapshot.id) == 2
    fired = (await _steps(h, snapshot.id))[-1]
    assert (fired["resumed"], fired["window"]) == (True, "silence s-1 (nightly batch)")


async def test_a_service_changed_during_a_silence_of_it_keeps_the_run_held(h: Harness) -> None:
    await h.config.put_policy(PutPolicy(policy=two_step_policy()))
    snapshot = incident()
    await h.runs.on_triggered(triggered(snapshot))
    open_ = {snapshot.id: "TRIGGERED"}
    assert await _asking(h, open_, {}).tick() == 1
    h.clock.set(T0 + timedelta(minutes=5))
    end = T0 + timedelta(minutes=30)
    windows = {snapshot.service.name: (end, "silence s-2 (reindex)")}
    assert await _asking(h, open_, {}, windows).tick() == 0
    # The service edited meanwhile (not in maintenance): what the silence holds stays held.
    edited = CatalogChanged(
        event_id=new_event_id(),
        occurred_at=h.clock.now(),
        kind="service",
        action="upserted",
        id="svc-1",
        name=snapshot.service.name,
        data={"name": snapshot.service.name, "maintenance_until": None},
    )
    await h.config.on_catalog_changed(edited)
    assert await h.scalar("SELECT min(due_at) FROM timers WHERE status = 'pending'") == end
    # Every pending timer of the run moved with it, and stays held by the silence.
    pending = await h.scalar("SELECT count(*) FROM timers WHERE status = 'pending'")
    moved = await h.scalar(
        "SELECT count(*) FROM timers WHERE status = 'pending' AND held_window IS NOT NULL"
    )
    assert moved == pending


def test_a_maintenance_planned_for_later_ends_what_it_held_now() -> None:
    now = datetime(2026, 12, 8, 2, tzinfo=UTC)
    later, end = (now + timedelta(hours=h) for h in (1, 3))
    assert domain.maintenance_end(end.isoformat(), now) == end
    assert domain.maintenance_end(end.isoformat(), now, now.isoformat()) == end
    assert domain.maintenance_end(end.isoformat(), now, later.isoformat()) == now
    assert domain.maintenance_end(None, now) == now
