from __future__ import annotations

import msgspec
import pytest

from imas_contracts.incidents import (
    AddComment,
    DeleteComment,
    EditComment,
    GetIncident,
    GetIncidentStates,
    ListComments,
    ListIncidents,
    OpenOrAttach,
    TransitionIncident,
    TransitionOpenIncident,
    UpdateIncident,
)
from imas_incidents.domain import Forbidden
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.errors import Conflict, Invalid, NotFound
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually

pytestmark = pytest.mark.integration


def alert(**overrides: object) -> OpenOrAttach:
    fields: dict[str, object] = {
        "title": "Redis Cluster Down",
        "service_name": "redis-prod",
        "severity": "SEV2_HIGH",
    }
    fields.update(overrides)
    return OpenOrAttach(**fields)  # type: ignore[arg-type]


def act(incident_id: str, action: str, note: str = "") -> TransitionIncident:
    return TransitionIncident(id=incident_id, action=action, note=note, actor="alice")  # type: ignore[arg-type]


async def published(runtime: ServiceRuntime, incident_id: str) -> list[str]:
    """Subjects published on the INCIDENTS stream about ``incident_id``, in order."""
    sub = await runtime.bus.js.pull_subscribe("incidents.>", stream="INCIDENTS")
    subjects: list[str] = []
    try:
        while True:
            try:
                msgs = await sub.fetch(500, timeout=0.5)
            except Exception:
                break
            for msg in msgs:
                data = msgspec.json.decode(msg.data)
                about = data.get("incident", {}).get("id") or data.get("incident_id")
                if about == incident_id:
                    subjects.append(msg.subject)
    finally:
        await sub.unsubscribe()
    return subjects


async def test_lifecycle_sets_each_time_once_and_publishes_every_transition(
    usecases: IncidentUseCases, incidents_runtime: ServiceRuntime
) -> None:
    opened = (await usecases.open_or_attach(alert())).incident
    acked = await usecases.transition(act(opened.id, "acknowledge", "on it"))
    assert acked.incident.status == "ACKNOWLEDGED"
    assert acked.incident.acknowledged_at is not None
    assert acked.timeline[-1].message == "Incident acknowledged (TRIGGERED → ACKNOWLEDGED): on it"
    assert acked.timeline[-1].actor == "alice"

    with pytest.raises(Conflict):
        await usecases.transition(act(opened.id, "acknowledge"))
    mitigated = await usecases.transition(act(opened.id, "mitigate"))
    resolved = await usecases.transition(act(f"INC-{opened.short_id}", "resolve"))
    assert resolved.incident.status == "RESOLVED" and resolved.incident.mttr_seconds is not None
    reopened = await usecases.transition(act(opened.id, "reopen"))
    assert reopened.incident.status == "TRIGGERED"
    again = await usecases.transition(act(opened.id, "acknowledge"))
    # Set by the first acknowledgement and never overwritten.
    assert again.incident.acknowledged_at == acked.incident.acknowledged_at
    assert again.incident.mitigated_at == mitigated.incident.mitigated_at

    expected = [
        "incidents.triggered.v1",
        "incidents.acknowledged.v1",
        "incidents.mitigated.v1",
        "incidents.resolved.v1",
        "incidents.reopened.v1",
        "incidents.acknowledged.v1",
    ]

    async def all_published() -> None:
        assert await published(incidents_runtime, opened.id) == expected

    await eventually(all_published, timeout=10)


async def test_a_refused_transition_changes_nothing(usecases: IncidentUseCases) -> None:
    opened = (await usecases.open_or_attach(alert())).incident
    await usecases.transition(act(opened.id, "resolve"))
    before = await usecases.get(GetIncident(id=opened.id))
    for action in ("acknowledge", "mitigate", "resolve"):
        with pytest.raises(Conflict):
            await usecases.transition(act(opened.id, action))
    assert await usecases.get(GetIncident(id=opened.id)) == before


async def test_states_answer_the_committed_status_of_each_known_incident(
    usecases: IncidentUseCases,
) -> None:
    """What escalation asks before a step pages: an acknowledgement shows as soon as it is
    committed; ids that name no incident are left out."""
    taken = (await usecases.open_or_attach(alert(dedup_key="taken"))).incident
    still = (await usecases.open_or_attach(alert(dedup_key="still"))).incident
    await usecases.transition(act(taken.id, "acknowledge"))
    unknown = "00000000-0000-0000-0000-000000000001"
    states = await usecases.states(
        GetIncidentStates(ids=[taken.id, still.id, unknown, "not-an-id"])
    )
    assert states.statuses == {taken.id: "ACKNOWLEDGED", still.id: "TRIGGERED"}
    with pytest.raises(Invalid) as refused:
        await usecases.states(GetIncidentStates(ids=[unknown] * 1001))
    assert refused.value.errors[0].field == "ids"


async def test_reopen_is_refused_while_another_incident_is_open_for_the_key(
    usecases: IncidentUseCases,
) -> None:
    first = (await usecases.open_or_attach(alert())).incident
    await usecases.transition(act(first.id, "resolve"))
    second = (await usecases.open_or_attach(alert())).incident
    assert second.id != first.id
    with pytest.raises(Conflict) as refused:
        await usecases.transition(act(first.id, "reopen"))
    assert f"INC-{second.short_id} is open" in refused.value.message


async def test_edits_are_timeline_events_and_severity_change_is_published(
    usecases: IncidentUseCases, incidents_runtime: ServiceRuntime
) -> None:
    opened = (await usecases.open_or_attach(alert())).incident
    view = await usecases.update(
        UpdateIncident(
            id=opened.id,
            severity="SEV1_CRITICAL",
            lead="alice",
            impacted_scopes=["Security"],
            add_tags=["database"],
            actor="bob",
            source="ui",
        )
    )
    assert view.incident.severity == "SEV1_CRITICAL"
    assert view.incident.lead == "alice"
    assert [s.name for s in view.incident.impacted_scopes] == ["Security"]
    assert [(e.type, e.actor, e.source) for e in view.timeline[1:]] == [
        ("SEVERITY_CHANGE", "bob", "ui"),
        ("LEAD_ASSIGNED", "bob", "ui"),
        ("SCOPE_ADDED", "bob", "ui"),
        ("TAG_ADDED", "bob", "ui"),
    ]
    unchanged = await usecases.update(UpdateIncident(id=opened.id, severity="SEV1_CRITICAL"))
    assert len(unchanged.timeline) == len(view.timeline)
    newest_first = await usecases.get(GetIncident(id=opened.id, timeline_order="desc"))
    assert newest_first.timeline == list(reversed(view.timeline))

    async def published_once() -> None:
        assert await published(incidents_runtime, opened.id) == [
            "incidents.triggered.v1",
            "incidents.severity_changed.v1",
            "incidents.updated.v1",
        ]

    await eventually(published_once, timeout=10)


async def test_comments_are_edited_and_deleted_by_their_author_only(
    usecases: IncidentUseCases,
) -> None:
    alice = {"actor": "alice", "actor_id": "user:0a1"}
    bob = {"actor": "bob", "actor_id": "user:0b2"}
    opened = (await usecases.open_or_attach(alert())).incident
    first = (
        await usecases.add_comment(AddComment(id=opened.id, body="Failover started", **alice))
    ).comment
    second = (
        await usecases.add_comment(AddComment(id=opened.id, body="Looks stable", **bob))
    ).comment
    assert (first.author, first.author_id) == ("alice", "user:0a1")
    # Neither as himself nor under her name: ownership goes by identity.
    for impostor in (bob, {**bob, "actor": "alice"}):
        with pytest.raises(Forbidden):
            await usecases.edit_comment(
                EditComment(id=opened.id, comment_id=first.id, body="hijacked", **impostor)
            )
        with pytest.raises(Forbidden):
            await usecases.delete_comment(
                DeleteComment(id=opened.id, comment_id=first.id, **impostor)
            )
    edited = await usecases.edit_comment(
        EditComment(id=opened.id, comment_id=first.id, body="Failover done", **alice)
    )
    assert edited.comment.body == "Failover done" and edited.comment.edited_at is not None
    await usecases.edit_comment(
        EditComment(id=opened.id, comment_id=second.id, pinned=True, **alice)
    )
    listed = await usecases.list_comments(ListComments(id=opened.id))
    assert [(c.body, c.pinned) for c in listed.results] == [
        ("Looks stable", True),
        ("Failover done", False),
    ]
    await usecases.delete_comment(DeleteComment(id=opened.id, comment_id=first.id, **alice))
    assert [c.id for c in (await usecases.list_comments(ListComments(id=opened.id))).results] == [
        second.id
    ]
    timeline = (await usecases.get(GetIncident(id=opened.id))).timeline
    notes = [(e.message, e.actor, e.actor_id) for e in timeline if e.type == "NOTE"]
    assert notes == [
        ("(comment deleted)", "alice", "user:0a1"),
        ("Looks stable", "bob", "user:0b2"),
    ]


async def test_a_comment_of_no_known_author_is_edited_by_no_one(
    usecases: IncidentUseCases,
) -> None:
    # As written before authors were known by identity: a name and nothing else.
    opened = (await usecases.open_or_attach(alert())).incident
    old = (await usecases.add_comment(AddComment(id=opened.id, body="Old", actor="carol"))).comment
    assert old.author_id == ""
    for caller in ({"actor": "carol"}, {"actor": "carol", "actor_id": "user:0c3"}):
        with pytest.raises(Forbidden):
            await usecases.edit_comment(
                EditComment(id=opened.id, comment_id=old.id, body="mine now", **caller)
            )
    pinned = await usecases.edit_comment(
        EditComment(id=opened.id, comment_id=old.id, pinned=True, actor="dan")
    )
    assert pinned.comment.pinned


async def test_list_filters_and_pages(usecases: IncidentUseCases) -> None:
    a = (await usecases.open_or_attach(alert(dedup_key="a", title="Disk full on db-1"))).incident
    await usecases.open_or_attach(alert(dedup_key="b", severity="SEV4_LOW"))
    await usecases.open_or_attach(alert(dedup_key="c", service_name="checkout-api"))
    await usecases.transition(act(a.id, "acknowledge"))
    assert (await usecases.list_incidents(ListIncidents())).count == 3
    acked = await usecases.list_incidents(ListIncidents(status=["ACKNOWLEDGED"]))
    assert [i.id for i in acked.results] == [a.id]
    assert (await usecases.list_incidents(ListIncidents(q="DISK"))).count == 1
    assert (await usecases.list_incidents(ListIncidents(severity=["SEV4_LOW"]))).count == 1
    assert (await usecases.list_incidents(ListIncidents(service="checkout-api"))).count == 1
    assert (await usecases.list_incidents(ListIncidents(team="SRE Core"))).count == 2
    page = await usecases.list_incidents(ListIncidents(ordering="created_at", offset=2, limit=2))
    assert page.count == 3 and len(page.results) == 1


async def test_an_alert_resolves_the_open_incident_of_its_key(usecases: IncidentUseCases) -> None:
    """What ingest asks when an alert resolves: it knows the key, not the incident."""
    first = (await usecases.open_or_attach(alert(dedup_key="disk"))).incident
    await usecases.transition(act(first.id, "resolve"))
    second = (await usecases.open_or_attach(alert(dedup_key="disk"))).incident
    other = (await usecases.open_or_attach(alert(dedup_key="cpu"))).incident

    resolve = TransitionOpenIncident(service_name="redis-prod", dedup_key="disk", action="resolve")
    view = await usecases.transition_open(resolve)
    assert view.incident.id == second.id
    assert view.incident.status == "RESOLVED"
    assert view.timeline[-1].source == "alert"
    unchanged = await usecases.get(GetIncident(id=other.id))
    assert unchanged.incident.status == "TRIGGERED"

    with pytest.raises(NotFound):
        await usecases.transition_open(resolve)
    with pytest.raises(Invalid) as refused:
        await usecases.transition_open(
            msgspec.structs.replace(resolve, service_name="no-such-service")
        )
    assert refused.value.errors[0].field == "service_name"
