"""The escalation service on real NATS with the notifier: pages flow end to end, an overdue
step fires after a restart, and an acknowledgement stops the rest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from imas_cli.demo import DEMO_PROVIDER
from imas_contracts import new_event_id
from imas_contracts.escalation import (
    EscalationHistory,
    GetHistory,
    PolicySpec,
    PolicyStep,
    PolicyView,
    PutPolicy,
    PutSchedule,
    ScheduleSpec,
    ScheduleView,
    StepTarget,
)
from imas_contracts.incidents import (
    CatalogChanged,
    IncidentAcknowledged,
    IncidentTriggered,
    Ref,
)
from imas_contracts.notifier import ProviderView
from imas_escalation.app import EscalationRuntime, create_runtime
from imas_escalation.settings import EscalationSettings
from imas_escalation.timers.scheduler import ManualClock
from imas_notifier.app import create_runtime as create_notifier
from imas_notifier.settings import NotifierSettings
from imas_runtime.errors import RequestFailed
from imas_testing import LOOPBACK, eventually, factories
from imas_testing.factories import lifecycle

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TEAM = Ref(id="team-1", name="SRE Core")


def catalog(kind: str, id_: str, name: str, **data: object) -> CatalogChanged:
    return CatalogChanged(
        event_id=new_event_id(),
        occurred_at=T0,
        kind=kind,  # type: ignore[arg-type]
        action="upserted",
        id=id_,
        name=name,
        data=data,
    )


THREE_STEPS = PolicySpec(
    team_id=TEAM.id,
    name="Three steps",
    steps=[
        PolicyStep(delay_minutes=0, targets=[StepTarget(kind="team")], channels=["slack"]),
        PolicyStep(
            delay_minutes=5, targets=[StepTarget(kind="person", id="alice")], channels=["sms"]
        ),
        PolicyStep(delay_minutes=10, targets=[StepTarget(kind="manager")], channels=["email"]),
    ],
)


async def test_pages_flow_survive_a_restart_and_stop_on_ack(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    common = {"nats_url": nats_url, "database_url": postgres_url, "redis_url": redis_url}
    settings = EscalationSettings(
        service="escalation", database=await fresh_database("esc"), poll_interval=0.02, **common
    )
    notifier = create_notifier(
        NotifierSettings(
            service="notifier",
            database=await fresh_database("ntf"),
            retry_interval=0.2,
            outbound_allow=LOOPBACK,
            **common,
        )
    )
    clock = ManualClock(T0)
    escalation: EscalationRuntime = create_runtime(settings, clock=clock)
    await notifier.start()
    await escalation.start()
    try:
        bus = escalation.bus
        await bus.request(DEMO_PROVIDER, ProviderView)  # pages printed and sent, as in the demo
        for event in (
            catalog("team", TEAM.id, TEAM.name, manager={"id": "maud", "name": "Maud"}),
            catalog("person", "alice", "Alice", phone="+33600000001"),
            catalog("person", "maud", "Maud", email="maud@example.com"),
        ):
            await bus.publish(event)
        with pytest.raises(RequestFailed) as refused:
            await bus.request(
                PutSchedule(schedule=ScheduleSpec(team_id=TEAM.id, name="x", time_zone="Nowhere")),
                ScheduleView,
            )
        assert refused.value.errors[0].field == "time_zone"
        await bus.request(PutPolicy(policy=THREE_STEPS), PolicyView)

        async def pages() -> list[tuple[str, str, str]]:
            async with notifier.engine.connect() as conn:
                rows = await conn.execute(
                    text(
                        "SELECT channel, recipient, status FROM deliveries "
                        "WHERE idempotency_key LIKE 'esc:%' ORDER BY created_at"
                    )
                )
                return [tuple(r) for r in rows]  # type: ignore[misc]

        snapshot = factories.incident(at=T0)
        await bus.publish(lifecycle(IncidentTriggered, snapshot, at=T0))

        async def team_paged_once() -> None:
            # Step 0 and the notifier's own page at trigger share one idempotency key: the
            # team hears once, through whichever arrives first.
            sent = await pages()
            assert len(sent) == 1
            assert "SRE Core" in sent[0][1]
            assert sent[0][2] == "sent"

        await eventually(team_paged_once, timeout=15)

        # The service stops before the 5-minute step, and comes back once it is overdue.
        await escalation.stop()
        clock.advance(timedelta(minutes=6))
        escalation = create_runtime(settings, clock=clock)
        await escalation.start()

        async def alice_paged_by_sms() -> None:
            assert (await pages())[1:] == [("sms", "Alice (person:alice)", "sent")]

        await eventually(alice_paged_by_sms, timeout=15)

        await escalation.bus.publish(lifecycle(IncidentAcknowledged, snapshot, at=T0))

        async def stopped() -> EscalationHistory:
            history = await escalation.bus.request(
                GetHistory(incident_id=snapshot.id), EscalationHistory
            )
            assert history.stop_reason == "acknowledged"
            return history

        await eventually(stopped, timeout=15)
        clock.advance(timedelta(minutes=10))
        await escalation.scheduler.tick()
        history = await stopped()
        assert [(e.step, e.status) for e in history.entries] == [
            (0, "fired"),
            (1, "fired"),
            (2, "cancelled"),
        ]
        assert history.entries[1].fired_at == T0 + timedelta(minutes=6)
        assert len(await pages()) == 2  # the manager was never paged
    finally:
        await escalation.stop()
        await notifier.stop()
