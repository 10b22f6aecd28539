"""An acknowledgement that reaches escalation late: escalation's consumer of the incidents
stream lags (paused on the NATS server, as a backlog or a reconnect after a NATS outage
would hold it) while responders acknowledge. The steps that fall due after the
acknowledgement committed must not page, however late escalation hears of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.incidents import INCIDENTS_STREAM
from imas_runtime.bus import Bus
from imas_testing import eventually
from tests.chaos.conftest import ChaosMesh
from tests.chaos.pager import PAGE
from tests.chaos.scenario import STEP_SECONDS, new_scenario
from tests.chaos.verdict import STEADY, check

pytestmark = pytest.mark.chaos

CONSUMER = "escalation--INCIDENTS"


async def test_steps_due_after_an_acknowledgement_escalation_hears_late_never_page(
    mesh: ChaosMesh,
) -> None:
    scenario = await new_scenario(mesh, "late-ack")
    sent = await scenario.send(20, rate=20.0, ack_every=0)
    ids = set(sent.created)

    def first_steps_paged() -> None:
        paged = {a.incident_id for a in mesh.sink.received(ids) if a.kind == PAGE and a.step == 0}
        assert paged == ids, paged

    await eventually(first_steps_paged, timeout=30, interval=0.1)

    bus = Bus("chaos", mesh.nats.url)
    await bus.connect()
    try:
        # Escalation hears nothing more from the incidents stream until the last step is due.
        until = datetime.now(UTC) + timedelta(seconds=STEP_SECONDS[-1] + 2)
        await bus.js.pause_consumer(
            INCIDENTS_STREAM.name, CONSUMER, until.isoformat().replace("+00:00", "Z")
        )
        await asyncio.gather(*(scenario.acknowledge(i, sent) for i in ids))
        await asyncio.sleep(max((until - datetime.now(UTC)).total_seconds(), 0))
        await bus.js.resume_consumer(INCIDENTS_STREAM.name, CONSUMER)
    finally:
        await bus.close()
    await check(scenario, sent, duplicates=STEADY)
