from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from imas_contracts import new_event_id
from imas_contracts.escalation import EscalationStepFired
from imas_contracts.incidents import GetIncident, IncidentView, OpenOrAttach
from imas_contracts.notifier import (
    NotificationFailed,
    NotificationSent,
    NotificationsPlanned,
    PlannedPage,
)
from imas_contracts.warroom import (
    DocumentCreated,
    LidExported,
    RunbookStepExecuted,
    WarRoomCreated,
    WarRoomFailed,
)
from imas_incidents.app import create_runtime
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.foreign_events.usecases import describe
from imas_incidents.handlers import FOREIGN_STREAMS
from imas_incidents.settings import IncidentsSettings
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.bus import Bus
from imas_testing import eventually

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
            # Paged while this service could not say whether the incident was acknowledged.
            EscalationStepFired(
                **common,
                run_id="r1",
                step=3,
                due_at=now,
                fired_at=now,
                targets=["carol"],
                unconfirmed=True,
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
        # Steps are numbered from 1, as policies show them.
        steps = [e.message for e in before.timeline if e.type == "ESCALATION"]
        assert steps == [
            "Escalation step 3 fired: paged bob",
            "Escalation step 4 fired: paged carol"
            " (incidents could not confirm it was still unacknowledged)",
        ]
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


async def _runtime(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    **settings: Any,
) -> Any:
    runtime = create_runtime(
        IncidentsSettings(
            service="incidents",
            nats_url=nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=await fresh_database("incidents"),
            **settings,
        )
    )
    await runtime.start()
    await CatalogUseCases(runtime.engine).apply(CATALOG)
    return runtime


async def _lines(runtime: Any, incident_id: str, kind: str) -> list[str]:
    view = await IncidentUseCases(runtime.engine).get(GetIncident(id=incident_id))
    return [e.message for e in view.timeline if e.type == kind]


async def _summaries(runtime: Any, incident_id: str) -> list[str]:
    """The incident's ORCHESTRATION_COMPLETE lines, once there is one."""

    async def written() -> list[str]:
        lines = await _lines(runtime, incident_id, "ORCHESTRATION_COMPLETE")
        assert lines
        return lines

    return await eventually(written, timeout=15)


async def test_orchestration_complete_says_what_was_done_and_what_was_not(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    runtime = await _runtime(nats_url, postgres_url, redis_url, fresh_database)
    try:
        opened = await IncidentUseCases(runtime.engine).open_or_attach(
            OpenOrAttach(title="Redis down", service_name="redis-prod", severity="SEV1_CRITICAL")
        )
        incident_id = opened.incident.id
        now = datetime.now(UTC)
        common = {"occurred_at": now, "incident_id": incident_id}
        wiki = "https://wiki.example.com/pages/1"
        page = {"delivery_id": "d", "provider": "p"}
        events: list[Any] = [
            DocumentCreated(**common, event_id=new_event_id(), document_id="doc1", title="LID",
                            link="https://imas.example.com/lid", room_requested=True,
                            exports=["Wiki"]),
            NotificationsPlanned(**common, event_id=new_event_id(), pages=[
                PlannedPage(idempotency_key="k1", channel="slack", recipient="team:SRE Core"),
                PlannedPage(idempotency_key="k2", channel="sms", recipient="Alice"),
            ]),
            NotificationSent(**common, **page, event_id=new_event_id(), idempotency_key="k1",
                             channel="slack", recipient="team:SRE Core"),
            WarRoomFailed(**common, event_id=new_event_id(), platform="slack", operation="open",
                          error="ratelimited", will_retry=True),
            WarRoomCreated(**common, event_id=new_event_id(), platform="slack", channel_id="C1",
                           channel_name="inc-1", link="https://chat.example.com/C1"),
            # A page of a later escalation step is not this orchestration's.
            NotificationSent(**common, **page, event_id=new_event_id(), idempotency_key="esc1",
                             channel="email", recipient="Bob"),
            LidExported(**common, event_id=new_event_id(), exporter="Wiki", kind="confluence",
                        link=wiki, created=True, primary=True),
        ]  # fmt: skip
        for event in events:
            await runtime.bus.publish(event)

        async def lid_outside() -> None:
            view = await IncidentUseCases(runtime.engine).get(GetIncident(id=incident_id))
            assert view.incident.lid_link == wiki

        await eventually(lid_outside, timeout=10)
        assert await _lines(runtime, incident_id, "ORCHESTRATION_COMPLETE") == []  # SMS pending
        failed = NotificationFailed(
            **common,
            **page,
            event_id=new_event_id(),
            idempotency_key="k2",
            channel="sms",
            recipient="Alice",
            error="undeliverable: no SMS provider is configured",
        )
        await runtime.bus.publish(failed)
        await runtime.bus.publish(msgspec.structs.replace(failed, event_id=new_event_id()))

        [line] = await _summaries(runtime, incident_id)
        assert line == (
            "Orchestration complete. Done: incident document https://imas.example.com/lid; "
            f"document in Wiki {wiki}; war room https://chat.example.com/C1; 1 of 2 page(s) "
            "sent. Not done: page to Alice via sms (no SMS provider is configured)."
        )
    finally:
        await runtime.stop()


async def test_at_its_deadline_the_orchestration_writes_down_what_never_answered(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    runtime = await _runtime(
        nats_url, postgres_url, redis_url, fresh_database, orchestration_deadline=1.0
    )
    try:
        # The service's own use cases give new incidents its deadline.
        opened = await IncidentUseCases(runtime.engine, orchestration_deadline=1.0).open_or_attach(
            OpenOrAttach(title="Redis down", service_name="redis-prod", severity="SEV2_HIGH")
        )
        incident_id = opened.incident.id
        created = DocumentCreated(
            event_id=new_event_id(), occurred_at=datetime.now(UTC), incident_id=incident_id,
            document_id="doc1", title="LID", link="https://imas.example.com/lid",
            room_requested=True, exports=["Drive"],
        )  # fmt: skip
        await runtime.bus.publish(created)

        [line] = await _summaries(runtime, incident_id)
        assert line == (
            "Orchestration complete (stopped waiting after 1 s). Done: incident document "
            "https://imas.example.com/lid. Not done: document in Drive (no answer within 1 s); "
            "war room (no answer within 1 s); pages (notifier: no answer within 1 s)."
        )
        # What comes after the deadline is in the timeline, not in a second summary.
        late = WarRoomCreated(
            event_id=new_event_id(), occurred_at=datetime.now(UTC), incident_id=incident_id,
            platform="slack", channel_id="C2", channel_name="inc-2", link="https://chat/C2",
        )  # fmt: skip
        await runtime.bus.publish(late)

        async def room_noted() -> None:
            assert await _lines(runtime, incident_id, "WAR_ROOM_CREATED")

        await eventually(room_noted, timeout=10)
        assert len(await _lines(runtime, incident_id, "ORCHESTRATION_COMPLETE")) == 1
    finally:
        await runtime.stop()


def test_timeline_lines_name_people_and_teams_not_their_ids() -> None:
    now = datetime.now(UTC)
    common = {"event_id": "e", "occurred_at": now, "incident_id": "i", "delivery_id": "d"}
    sent = NotificationSent(
        **common, idempotency_key="k", channel="sms", provider="ovh",
        recipient="Alice Martin (person:99284862-5742-44bc-889a-4b73f28a2c5e)",
    )  # fmt: skip
    failed = NotificationFailed(
        **common, idempotency_key="k", channel="slack", provider="slack",
        recipient="team:SRE Core", error="timed out",
    )  # fmt: skip
    assert describe(sent) == ("ALERT_SENT", "Page sent to Alice Martin via sms", None)
    assert describe(failed) == (
        "ALERT_FAILED",
        "Page to team SRE Core via slack failed: timed out",
        None,
    )
