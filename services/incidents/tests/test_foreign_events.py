from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec
import pytest

from imas_contracts import new_event_id
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import GetIncident, IncidentView, OpenOrAttach
from imas_contracts.notifier import NotificationSent
from imas_contracts.warroom import DocumentCreated, RunbookStepExecuted, WarRoomCreated
from imas_incidents.app import create_runtime
from imas_incidents.handlers import FOREIGN_STREAMS
from imas_incidents.settings import IncidentsSettings
from imas_incidents.usecases import IncidentUseCases
from imas_incidents.usecases_catalog import CatalogUseCases
from imas_runtime.bus import Bus
from imas_runtime.testing import eventually

from .conftest import CATALOG

pytestmark = pytest.mark.integration


async def test_other_services_events_are_recorded_once_even_when_replayed(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    settings = IncidentsSettings(
        service="incidents",
        nats_url=nats_url,
        database_url=postgres_url,
        redis_url=redis_url,
        database=await fresh_database("incidents"),
    )
    runtime = create_runtime(settings)
    await runtime.start()
    try:
        await CatalogUseCases(runtime.engine).apply(CATALOG)
        opened = await IncidentUseCases(runtime.engine).open_or_attach(
            OpenOrAttach(title="Redis down", service_name="redis-prod", severity="SEV1_CRITICAL")
        )
        incident_id = opened.incident.id
        now = datetime.now(UTC)
        common = {"event_id": "", "occurred_at": now, "incident_id": incident_id}
        events = [
            NotificationSent(
                **common,
                delivery_id="d1",
                idempotency_key="k1",
                channel="sms",
                provider="twilio",
                recipient="alice",
            ),
            EscalationStepFired(
                **common, run_id="r1", step=2, due_at=now, fired_at=now, targets=["bob"]
            ),
            WarRoomCreated(
                **common,
                platform="slack",
                channel_id="C1",
                channel_name="#inc-redis",
                link="https://chat.example.com/C1",
            ),
            DocumentCreated(
                **common, document_id="doc1", title="LID", link="https://docs.example.com/1"
            ),
            RunbookStepExecuted(
                **common,
                runbook_id="rb1",
                step=1,
                title="Fail over",
                outcome="done",
                actor="carol",
            ),
        ]
        for event in events:
            await runtime.bus.publish(msgspec.structs.replace(event, event_id=new_event_id()))

        async def recorded() -> IncidentView:
            view = await IncidentUseCases(runtime.engine).get(GetIncident(id=incident_id))
            # Three streams, three consumers: their lines may interleave either way.
            assert sorted(e.type for e in view.timeline) == [
                "ALERT_SENT",
                "DOCUMENT_CREATED",
                "ESCALATION",
                "RUNBOOK_STEP",
                "STATUS_CHANGE",
                "WAR_ROOM_CREATED",
            ]
            assert view.incident.war_room_link == "https://chat.example.com/C1"
            assert view.incident.lid_link == "https://docs.example.com/1"
            return view

        before = await eventually(recorded, timeout=10)
        assert [e.actor for e in before.timeline if e.type == "RUNBOOK_STEP"] == ["carol"]
    finally:
        await runtime.stop()

    # Replay every stream from the start: new consumers, same inbox.
    bus = Bus("test", nats_url)
    await bus.connect()
    for stream in FOREIGN_STREAMS:
        await bus.js.delete_consumer(stream, f"incidents--{stream}")
    runtime = create_runtime(settings)
    await runtime.start()
    try:

        async def replayed() -> None:
            for stream in FOREIGN_STREAMS:
                info = await bus.js.consumer_info(stream, f"incidents--{stream}")
                assert info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(replayed, timeout=15)
        after = await IncidentUseCases(runtime.engine).get(GetIncident(id=incident_id))
        assert after == before
    finally:
        await runtime.stop()
        await bus.close()
