from __future__ import annotations

import asyncio

import pytest

from imas_contracts.incidents import GetIncident, OpenOrAttach, OpenOrAttachReply, SettleCounts
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.errors import Conflict, Invalid, NotFound, RequestFailed
from imas_runtime.service import ServiceRuntime

pytestmark = pytest.mark.integration


def alert(**overrides: object) -> OpenOrAttach:
    fields: dict[str, object] = {
        "title": "Redis Cluster Down",
        "service_name": "redis-prod",
        "severity": "SEV1_CRITICAL",
    }
    fields.update(overrides)
    return OpenOrAttach(**fields)  # type: ignore[arg-type]


async def test_first_alert_opens_a_triggered_incident(usecases: IncidentUseCases) -> None:
    reply = await usecases.open_or_attach(alert())
    assert reply.created
    incident = reply.incident
    assert incident.status == "TRIGGERED"
    assert incident.service.name == "redis-prod"
    assert incident.team is not None and incident.team.name == "SRE Core"
    assert incident.short_id == incident.id.replace("-", "")[:8].upper()
    assert incident.alert_count == 1


async def test_duplicate_alert_attaches_to_open_incident(usecases: IncidentUseCases) -> None:
    first = await usecases.open_or_attach(alert())
    second = await usecases.open_or_attach(alert(title="Redis still down"))
    assert not second.created
    assert second.incident.id == first.incident.id
    assert second.incident.alert_count == 2
    view = await usecases.get(GetIncident(id=f"INC-{first.incident.short_id}"))
    assert [e.type for e in view.timeline] == ["STATUS_CHANGE", "ALERT_RECEIVED"]


async def test_other_dedup_key_opens_another_incident(usecases: IncidentUseCases) -> None:
    first = await usecases.open_or_attach(alert(dedup_key="node-1"))
    other = await usecases.open_or_attach(alert(dedup_key="node-2"))
    assert other.created and other.incident.id != first.incident.id


async def test_concurrent_identical_alerts_make_one_incident(usecases: IncidentUseCases) -> None:
    replies: list[OpenOrAttachReply] = await asyncio.gather(
        *(usecases.open_or_attach(alert(dedup_key="storm")) for _ in range(1000))
    )
    assert sum(r.created for r in replies) == 1
    assert len({r.incident.id for r in replies}) == 1
    view = await usecases.get(GetIncident(id=replies[0].incident.id))
    assert view.incident.alert_count == 1000


async def test_unknown_service_is_refused_naming_the_field(usecases: IncidentUseCases) -> None:
    with pytest.raises(Invalid) as refused:
        await usecases.open_or_attach(alert(service_name="nope"))
    assert refused.value.errors[0].field == "service_name"


async def test_unknown_incident_is_not_found(usecases: IncidentUseCases) -> None:
    with pytest.raises(NotFound):
        await usecases.get(GetIncident(id="INC-DEADBEEF"))


async def test_open_or_attach_answers_over_request_reply(
    incidents_runtime: ServiceRuntime, usecases: IncidentUseCases
) -> None:
    bus = incidents_runtime.bus
    reply = await bus.request(alert(), OpenOrAttachReply)
    assert reply.created and reply.incident.severity == "SEV1_CRITICAL"
    with pytest.raises(RequestFailed) as refused:
        await bus.request(alert(service_name="ghost"), OpenOrAttachReply)
    assert refused.value.code == "invalid"
    assert refused.value.errors[0].field == "service_name"


async def test_occurrences_sent_again_after_a_lost_answer_count_once(
    usecases: IncidentUseCases,
) -> None:
    """Ingest's flusher sends a storm's count again when the answer did not come back (this
    service killed after its commit, a reply timeout): the repeat counts nothing and answers
    as the first did."""
    first = await usecases.open_or_attach(
        alert(dedup_key="storm", occurrences=40, idempotency_key="flush-7:redis-prod|storm")
    )
    again = await usecases.open_or_attach(
        alert(dedup_key="storm", occurrences=40, idempotency_key="flush-7:redis-prod|storm")
    )
    assert (again.created, again.incident.id) == (True, first.incident.id)
    assert again.incident.alert_count == 40
    later = await usecases.open_or_attach(
        alert(dedup_key="storm", occurrences=2, idempotency_key="flush-8:redis-prod|storm")
    )
    assert (later.created, later.incident.alert_count) == (False, 42)
    view = await usecases.get(GetIncident(id=first.incident.id))
    assert [e.type for e in view.timeline] == ["STATUS_CHANGE", "ALERT_RECEIVED"]


async def test_settling_lost_counts_answers_what_was_counted_and_voids_the_rest(
    usecases: IncidentUseCases,
) -> None:
    """Ingest lost a storm flush's state with Redis's data: for each key, what was counted
    under it, or a promise that nothing ever will be. A flush of a voided key still on its way
    counts nothing (``conflict``); the answers never change."""
    counted = await usecases.open_or_attach(
        alert(dedup_key="settled", occurrences=7, idempotency_key="epoch-a:settled")
    )
    settle = SettleCounts(keys=["epoch-a:settled", "epoch-a:lost"])
    first = await usecases.settle_counts(settle)
    assert first.voided == ["epoch-a:lost"]
    assert first.counted["epoch-a:settled"].incident.id == counted.incident.id
    with pytest.raises(Conflict):
        await usecases.open_or_attach(
            alert(dedup_key="lost", occurrences=3, idempotency_key="epoch-a:lost")
        )
    assert await usecases.settle_counts(settle) == first
    again = await usecases.open_or_attach(
        alert(dedup_key="lost", occurrences=3, idempotency_key="epoch-b:lost")
    )
    assert (again.created, again.incident.alert_count) == (True, 3)
    with pytest.raises(Invalid):
        await usecases.settle_counts(SettleCounts(keys=[f"k{i}" for i in range(1001)]))
