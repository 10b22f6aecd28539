from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts import new_event_id
from imas_contracts.changes import ChangeLink, ListChanges, RecordChange
from imas_contracts.incidents import GetIncident, OpenOrAttach, TransitionIncident
from imas_incidents.changes.usecases import ChangeUseCases
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.errors import Invalid
from imas_runtime.service import ServiceRuntime

pytestmark = pytest.mark.integration

AT = datetime(2026, 2, 5, 18, 20, tzinfo=UTC)


async def test_a_change_sent_twice_is_recorded_and_noted_once(
    incidents_runtime: ServiceRuntime, usecases: IncidentUseCases
) -> None:
    changes = ChangeUseCases(incidents_runtime.engine)
    open_one = await usecases.open_or_attach(
        OpenOrAttach(title="Redis slow", service_name="redis-prod", severity="SEV2_HIGH")
    )
    resolved = await usecases.open_or_attach(
        OpenOrAttach(
            title="Redis down", service_name="redis-prod", severity="SEV1_CRITICAL", dedup_key="d"
        )
    )
    await usecases.transition(
        TransitionIncident(id=resolved.incident.id, action="resolve", actor="alice")
    )
    record = RecordChange(
        id=new_event_id(),
        service_name="redis-prod",
        summary="Raise maxmemory to 8 GB",
        source="ansible",
        occurred_at=AT,
        links=[ChangeLink(href="https://git.example.com/ops/pull/7")],
    )
    first = await changes.record(record)
    again = await changes.record(record)
    assert first == again
    assert first.change.incident_ids == [open_one.incident.id]
    assert first.change.service is not None and first.change.service.name == "redis-prod"

    timeline = (await usecases.get(GetIncident(id=open_one.incident.id))).timeline
    noted = [(e.type, e.message, e.actor, e.created_at) for e in timeline if e.type == "CHANGE"]
    assert noted == [
        (
            "CHANGE",
            "Change: Raise maxmemory to 8 GB (https://git.example.com/ops/pull/7)",
            "ansible",
            AT,
        )
    ]
    untouched = (await usecases.get(GetIncident(id=resolved.incident.id))).timeline
    assert "CHANGE" not in {e.type for e in untouched}

    page = await changes.list_changes(ListChanges(service=first.change.service.id))
    assert (page.count, [c.id for c in page.results]) == (1, [first.change.id])
    assert (await changes.list_changes(ListChanges(service="checkout-api"))).count == 0


async def test_a_change_without_summary_or_service_is_refused_by_name(
    incidents_runtime: ServiceRuntime,
) -> None:
    changes = ChangeUseCases(incidents_runtime.engine)
    for fields, field in (
        ({"service_name": "redis-prod", "summary": " "}, "summary"),
        ({"service_name": "", "summary": "Deploy"}, "service_name"),
        ({"service_name": "redis-prod", "summary": "x" * 1025}, "summary"),
    ):
        with pytest.raises(Invalid) as refused:
            await changes.record(RecordChange(id=new_event_id(), occurred_at=AT, **fields))
        assert refused.value.errors[0].field == field


async def test_an_incident_shows_the_changes_of_the_hour_before_it_opened(
    incidents_runtime: ServiceRuntime, usecases: IncidentUseCases
) -> None:
    changes = ChangeUseCases(incidents_runtime.engine)
    now = datetime.now(UTC)

    async def record(summary: str, at: datetime) -> None:
        change = RecordChange(
            id=new_event_id(), service_name="checkout-api", summary=summary, occurred_at=at
        )
        await changes.record(change)

    await record("Yesterday's deploy", now - timedelta(days=1))
    await record("Deploy v42", now - timedelta(minutes=20))
    opened = await usecases.open_or_attach(
        OpenOrAttach(title="Checkout 500s", service_name="checkout-api", severity="SEV2_HIGH")
    )
    await record("Roll back to v41", now + timedelta(minutes=1))

    view = await usecases.get(GetIncident(id=opened.incident.id))
    lines = [e.message for e in view.timeline if e.type == "CHANGE"]
    assert lines == ["Change: Deploy v42", "Change: Roll back to v41"]
    assert view.timeline[0].message == "Change: Deploy v42"
    newest_first = await usecases.get(GetIncident(id=opened.incident.id, timeline_order="desc"))
    assert newest_first.timeline[-1].message == "Change: Deploy v42"
