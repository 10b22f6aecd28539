"""Escalation against late and out-of-order incident events, on real NATS and PostgreSQL with
the notifier paging a webhook receiver: what counts is what reaches the receiver.

- An acknowledgement published before its trigger starts no run and pages nobody.
- An acknowledgement committed in incidents just before a step is due leaves no page, even
  though its event has not reached escalation yet (escalation asks incidents at firing).
- When incidents cannot answer, a due step pages (a pager pages when in doubt)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from imas_contracts import new_event_id
from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.escalation import (
    EscalationHistory,
    GetHistory,
    PolicySpec,
    PolicyStep,
    PolicyView,
    PutPolicy,
    StepTarget,
)
from imas_contracts.incidents import (
    INCIDENTS_STREAM,
    ApplyCatalog,
    CatalogApplied,
    CatalogChanged,
    IncidentAcknowledged,
    IncidentSnapshot,
    IncidentTriggered,
    IncidentView,
    OpenOrAttach,
    OpenOrAttachReply,
    ServiceSpec,
    TeamSpec,
    TransitionIncident,
)
from imas_contracts.notifier import ProviderView, PutProvider
from imas_escalation.app import EscalationRuntime
from imas_escalation.app import create_runtime as create_escalation
from imas_escalation.settings import EscalationSettings
from imas_escalation.timers.scheduler import ManualClock
from imas_incidents.app import create_runtime as create_incidents
from imas_incidents.settings import IncidentsSettings
from imas_notifier.app import create_runtime as create_notifier
from imas_notifier.settings import NotifierSettings
from imas_testing import LOOPBACK, eventually, factories
from imas_testing.factories import lifecycle
from imas_testing.fake_providers import WebhookReceiver

pytestmark = pytest.mark.integration


@dataclass
class World:
    """The notifier paging ``receiver`` (every channel ``webhook``), and what is needed to
    start escalation (on a manual clock) and incidents beside it."""

    stack: AsyncExitStack
    common: dict[str, str]
    receiver: WebhookReceiver
    clock: ManualClock
    escalation_settings: EscalationSettings
    fresh_database: Callable[[str], Awaitable[str]]

    async def escalation(self, *, lagging: bool = False) -> EscalationRuntime:
        """Escalation on its database (stopped with the world unless stopped before);
        ``lagging``: its consumer of incident events does not run (events committed and
        published by incidents have not reached it)."""
        runtime = create_escalation(self.escalation_settings, clock=self.clock)
        if lagging:
            runtime.consumer_specs = [
                s for s in runtime.consumer_specs if s.stream != INCIDENTS_STREAM.name
            ]
        await runtime.start()

        async def stop_if_running() -> None:
            if runtime.started:
                await runtime.stop()

        self.stack.push_async_callback(stop_if_running)
        return runtime

    def pages(self, incident_id: str, step: int) -> list[Any]:
        """Escalation's pages of one step of an incident that reached the receiver."""
        prefix = f"esc:{incident_id}:step{step}:"
        return [
            r
            for r in self.receiver.requests
            if r.body.get("type") == "incident.page"
            and r.body["idempotency_key"].startswith(prefix)
        ]

    def paged_about(self, incident_id: str) -> list[Any]:
        return [r for r in self.receiver.requests if incident_id in str(r.body)]


@pytest.fixture
async def world(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[World]:
    common = {"nats_url": fresh_nats_url, "database_url": postgres_url, "redis_url": redis_url}
    notifier = create_notifier(
        NotifierSettings(
            service="notifier",
            database=await fresh_database("ntf"),
            retry_interval=0.2,
            outbound_allow=LOOPBACK,
            **common,
        )
    )
    async with AsyncExitStack() as stack:
        receiver = await stack.enter_async_context(WebhookReceiver())
        await notifier.start()
        stack.push_async_callback(notifier.stop)
        await notifier.bus.request(
            PutProvider(
                name="tickets",
                kind="webhook",
                config={"url": f"{receiver.url}/hook"},
            ),
            ProviderView,
        )
        settings = EscalationSettings(
            service="escalation", database=await fresh_database("esc"), poll_interval=0.02,
            **common,
        )  # fmt: skip
        yield World(
            stack, common, receiver, ManualClock(datetime.now(UTC)), settings, fresh_database
        )


def _policy(team_id: str) -> PutPolicy:
    """The team's channel (a webhook here) at once, and again 5 minutes later."""
    return PutPolicy(
        policy=PolicySpec(
            team_id=team_id,
            name="Webhook twice",
            steps=[
                PolicyStep(delay_minutes=m, targets=[StepTarget(kind="team")], channels=["webhook"])
                for m in (0, 5)
            ],
        )
    )


async def _teams_known(escalation: EscalationRuntime, count: int) -> None:
    async def known() -> None:
        async with escalation.engine.connect() as conn:
            assert (
                await conn.execute(text("SELECT count(*) FROM catalog WHERE kind = 'team'"))
            ).scalar() == count

    await eventually(known, timeout=15)


async def test_an_acknowledgement_published_before_its_trigger_starts_no_run_and_pages_nobody(
    world: World,
) -> None:
    """No incidents service runs here: the control incident's steps also show that a step
    waits for incidents to answer, then pages once the patience (60 s) is over."""
    escalation = await world.escalation()
    bus = escalation.bus
    await bus.publish(
        CatalogChanged(
            event_id=new_event_id(),
            occurred_at=world.clock.now(),
            kind="team",
            action="upserted",
            id="team-1",
            name="SRE Core",
        )
    )
    await _teams_known(escalation, 1)
    await bus.request(_policy("team-1"), PolicyView)

    now = world.clock.now()
    late, control = (
        factories.incident(at=now, short_id="ORDER001", severity="SEV2_HIGH") for _ in range(2)
    )
    ack = lifecycle(IncidentAcknowledged, late, at=now)
    trigger = lifecycle(IncidentTriggered, late, at=now)
    await bus.publish(ack)
    await bus.publish(trigger)
    control_trigger = lifecycle(IncidentTriggered, control, at=now)
    await bus.publish(control_trigger)

    async def triggers_handled() -> None:
        async with escalation.engine.connect() as conn:
            handled = await conn.execute(
                text("SELECT count(*) FROM inbox WHERE event_id = ANY(:e)"),
                {"e": [trigger.event_id, control_trigger.event_id]},
            )
            assert handled.scalar() == 2

    await eventually(triggers_handled, timeout=15)
    # Nobody can say whether the control incident is still unacknowledged: its steps wait.
    assert world.paged_about(control.id) == []
    world.clock.advance(timedelta(minutes=10))  # every step of a run, past the patience

    async def control_paged_unconfirmed() -> None:
        assert (len(world.pages(control.id, 0)), len(world.pages(control.id, 1))) == (1, 1)

    await eventually(control_paged_unconfirmed, timeout=30)
    history = await bus.request(GetHistory(incident_id=late.id), EscalationHistory)
    assert history.entries == [] and history.run_id is None
    assert world.paged_about(late.id) == []


async def test_an_acknowledgement_committed_before_a_step_is_due_leaves_no_page(
    world: World,
) -> None:
    """Two incidents, the same policy; one is acknowledged in incidents while escalation
    does not get the event (its consumer lags). At the 5-minute step escalation asks
    incidents: the acknowledged one is not paged, the other is."""
    incidents = create_incidents(
        IncidentsSettings(
            service="incidents", database=await world.fresh_database("inc"), **world.common
        )
    )
    await incidents.start()
    world.stack.push_async_callback(incidents.stop)
    escalation = await world.escalation()
    bus = incidents.bus
    await bus.request(
        ApplyCatalog(
            teams=[TeamSpec(name="SRE Core")],
            services=[ServiceSpec(name="redis-prod", team="SRE Core")],
        ),
        CatalogApplied,
    )
    [team] = (await bus.request(ListCatalog(kind="team"), CatalogEntries)).teams
    await _teams_known(escalation, 1)
    await bus.request(_policy(team.id), PolicyView)

    async def open_incident(title: str) -> IncidentSnapshot:
        reply = await bus.request(
            OpenOrAttach(
                title=title, service_name="redis-prod", severity="SEV2_HIGH", dedup_key=title
            ),
            OpenOrAttachReply,
        )
        return reply.incident

    taken, control = await open_incident("Disk full"), await open_incident("Replica lag")
    world.clock.set(max(taken.created_at, control.created_at))

    async def first_steps_paged() -> None:
        assert len(world.pages(taken.id, 0)) == len(world.pages(control.id, 0)) == 1

    await eventually(first_steps_paged, timeout=30)
    await escalation.stop()

    await bus.request(TransitionIncident(id=taken.id, action="acknowledge"), IncidentView)
    escalation = await world.escalation(lagging=True)
    world.clock.set(max(taken.created_at, control.created_at) + timedelta(minutes=5))

    async def control_paged_at_5_minutes() -> None:
        assert len(world.pages(control.id, 1)) == 1

    await eventually(control_paged_at_5_minutes, timeout=30)
    assert world.pages(taken.id, 1) == []
    history = await escalation.bus.request(GetHistory(incident_id=taken.id), EscalationHistory)
    assert [(e.step, e.status, e.result) for e in history.entries] == [
        (0, "fired", "paged"),
        (1, "cancelled", "acknowledged"),
    ]
    assert (history.status, history.stop_reason) == ("stopped", "acknowledged")
