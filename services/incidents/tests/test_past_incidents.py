"""Past incidents recorded with the times they had: counted by KPIs as they were, once per
key, never published; refused when their times are out of order or their service unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from imas_contracts.incidents import GetIncident, ListIncidents, PastIncident, RecordPastIncidents
from imas_contracts.kpis import GetKpiSummary
from imas_incidents.kpis.usecases import KpiUseCases
from imas_incidents.models import outbox
from imas_incidents.past.usecases import PastIncidentUseCases
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.errors import Invalid
from imas_runtime.service import ServiceRuntime

pytestmark = pytest.mark.integration

OPENED = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
PAST = PastIncident(
    key="outage-1",
    title="Redis down",
    service_name="redis-prod",
    severity="SEV1_CRITICAL",
    detected_at=OPENED - timedelta(minutes=2),
    created_at=OPENED,
    acknowledged_at=OPENED + timedelta(minutes=5),
    resolved_at=OPENED + timedelta(minutes=45),
    lead="Maud Leroy",
    acknowledged_by="Alice Martin",
)


async def _outbox_rows(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as conn:
        return len((await conn.execute(outbox.select())).all())


async def test_a_past_incident_is_recorded_once_with_its_times_and_pages_nobody(
    incidents_runtime: ServiceRuntime, usecases: IncidentUseCases
) -> None:
    past = PastIncidentUseCases(incidents_runtime.engine)
    published = await _outbox_rows(incidents_runtime)
    first = await past.record(RecordPastIncidents(incidents=[PAST]))
    again = await past.record(RecordPastIncidents(incidents=[PAST]))
    assert (first.recorded, first.existing) == (1, 0)
    assert (again.recorded, again.existing) == (0, 1)
    assert await _outbox_rows(incidents_runtime) == published

    [listed] = (await usecases.list_incidents(ListIncidents())).results
    view = await usecases.get(GetIncident(id=listed.id))
    incident = view.incident
    assert (incident.status, incident.lead, incident.tags) == (
        "RESOLVED",
        "Maud Leroy",
        ["imported"],
    )
    assert (incident.mttd_seconds, incident.mtta_seconds, incident.mttr_seconds) == (120, 300, 2700)
    assert [(e.message, e.actor, e.created_at) for e in view.timeline] == [
        ("Incident imported: recorded once it was over", None, OPENED),
        ("Incident acknowledged (TRIGGERED → ACKNOWLEDGED)", "Alice Martin", PAST.acknowledged_at),
        ("Lead assigned to Maud Leroy", None, PAST.acknowledged_at),
        ("Incident resolved (ACKNOWLEDGED → RESOLVED)", None, PAST.resolved_at),
    ]
    summary = await KpiUseCases(incidents_runtime.engine).summary(
        GetKpiSummary(start=OPENED - timedelta(days=1), end=datetime.now(UTC))
    )
    assert summary.current.count == 1
    assert summary.current.mtta.mean == 300


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"acknowledged_at": OPENED - timedelta(minutes=1)}, "incidents[0].acknowledged_at"),
        ({"resolved_at": OPENED + timedelta(minutes=1)}, "incidents[0].resolved_at"),
        ({"resolved_at": datetime.now(UTC) + timedelta(days=1)}, "incidents[0].resolved_at"),
        ({"service_name": "nowhere"}, "incidents[0].service_name"),
        ({"key": " "}, "incidents[0].key"),
    ],
)
async def test_a_past_incident_out_of_order_is_refused_naming_the_field(
    incidents_runtime: ServiceRuntime,
    usecases: IncidentUseCases,
    change: dict[str, object],
    field: str,
) -> None:
    refused = msgspec.structs.replace(PAST, **change)
    past = PastIncidentUseCases(incidents_runtime.engine)
    with pytest.raises(Invalid) as raised:
        await past.record(RecordPastIncidents(incidents=[refused]))
    assert [e.field for e in raised.value.errors] == [field]
    assert (await usecases.list_incidents(ListIncidents())).count == 0
