from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts import new_event_id
from imas_contracts.escalation import (
    CheckConfig,
    DeleteSchedule,
    GetCalendar,
    GetSchedule,
    Layer,
    ListSchedules,
    NextShifts,
    PolicySpec,
    PolicyStep,
    PreviewShifts,
    PutPolicy,
    PutSchedule,
    Restriction,
    ScheduleSpec,
    StepTarget,
    WhoIsOnCall,
)
from imas_contracts.incidents import CatalogChanged
from imas_runtime.errors import Invalid, NotFound
from services.escalation.tests.conftest import T0, TEAM, Harness

pytestmark = pytest.mark.integration


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


async def load_people(h: Harness) -> None:
    for event in (
        catalog("team", TEAM.id, TEAM.name, manager={"id": "maud", "name": "Maud"}),
        catalog("person", "alice", "Alice", email="alice@example.com"),
        catalog("person", "bob", "Bob"),
        catalog("person", "maud", "Maud", phone="+33600000000"),
    ):
        await h.config.on_catalog_changed(event)


def rota(**extra: object) -> ScheduleSpec:
    fields: dict[str, object] = {
        "team_id": TEAM.id,
        "name": "Primary",
        "time_zone": "Europe/Paris",
        "layers": [
            Layer(members=["alice", "bob"], shift="daily", start=datetime(2026, 3, 1, 9, 0))
        ],
    }
    fields.update(extra)
    return ScheduleSpec(**fields)  # type: ignore[arg-type]


async def test_schedule_crud_and_who_is_on_call_at_each_level(h: Harness) -> None:
    await load_people(h)
    saved = (await h.config.put_schedule(PutSchedule(schedule=rota()))).schedule
    assert saved.id
    policy = PolicySpec(
        team_id=TEAM.id,
        name="Standard",
        steps=[
            PolicyStep(delay_minutes=0, targets=[StepTarget(kind="schedule", id=saved.id)]),
            PolicyStep(delay_minutes=15, targets=[StepTarget(kind="manager")], channels=["email"]),
        ],
    )
    await h.config.put_policy(PutPolicy(policy=policy))
    # 10:00 UTC on March 2nd is 11:00 in Paris: Bob's day (Alice had March 1st).
    answer = await h.config.who_is_on_call(WhoIsOnCall(team_id=TEAM.id, at=T0))
    assert [s.person.name for s in answer.schedules if s.person] == ["Bob"]
    assert answer.schedules[0].start == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert [[t.name for t in level.targets] for level in answer.levels] == [["Bob"], ["Maud"]]
    shifts = await h.config.next_shifts(NextShifts(schedule_id=saved.id, count=3))
    assert [s.person.name if s.person else None for s in shifts.shifts] == ["Bob", "Alice", "Bob"]
    again = await h.config.get_schedule(GetSchedule(id=saved.id))
    assert again.schedule == saved and again.gaps == []
    await h.config.delete_schedule(DeleteSchedule(id=saved.id))
    with pytest.raises(NotFound):
        await h.config.get_schedule(GetSchedule(id=saved.id))


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (rota(time_zone="Paris"), "time_zone"),
        (rota(layers=[Layer(members=[], start=datetime(2026, 1, 1))]), "layers[0].members"),
        (rota(id="nope"), "id"),
    ],
)
async def test_invalid_schedule_is_refused_naming_the_field(
    h: Harness, spec: ScheduleSpec, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await h.config.put_schedule(PutSchedule(schedule=spec))
    assert refused.value.errors[0].field == field


async def test_an_unsaved_schedule_is_previewed_and_nothing_is_stored(h: Harness) -> None:
    await load_people(h)
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    preview = await h.config.preview_shifts(PreviewShifts(schedule=rota(), count=3, start=start))
    assert [s.person.name if s.person else None for s in preview.shifts] == ["Bob", "Alice", "Bob"]
    assert (await h.config.list_schedules(ListSchedules())).schedules == []
    with pytest.raises(Invalid) as refused:
        await h.config.preview_shifts(PreviewShifts(schedule=rota(time_zone="Paris")))
    assert refused.value.errors[0].field == "time_zone"


async def test_policy_pointing_at_an_unknown_schedule_is_refused(h: Harness) -> None:
    policy = PolicySpec(
        team_id=TEAM.id,
        name="Broken",
        steps=[
            PolicyStep(
                delay_minutes=0,
                targets=[StepTarget(kind="schedule", id="6f1c1f5e-0000-4000-8000-000000000000")],
            )
        ],
    )
    with pytest.raises(Invalid) as refused:
        await h.config.put_policy(PutPolicy(policy=policy))
    assert refused.value.errors[0].field == "steps[0].targets[0].id"


async def test_check_reports_gaps_unreachable_steps_and_that_the_notifier_was_not_asked(
    h: Harness,
) -> None:
    await load_people(h)
    office_hours = rota(
        layers=[
            Layer(
                members=["alice", "bob"],
                shift="weekly",
                start=datetime(2026, 3, 2, 9, 0),
                restrictions=[Restriction(days=[0, 1, 2, 3, 4], start="09:00", end="18:00")],
            )
        ]
    )
    saved = await h.config.put_schedule(PutSchedule(schedule=office_hours))
    assert saved.gaps  # reported right away
    await h.config.put_policy(
        PutPolicy(
            policy=PolicySpec(
                team_id=TEAM.id,
                name="CTO only",
                steps=[PolicyStep(delay_minutes=0, targets=[StepTarget(kind="role", id="cto")])],
            )
        )
    )
    report = await h.config.check(CheckConfig(team_id=TEAM.id))
    assert not report.ok
    kinds = {(p.kind, p.subject) for p in report.problems}
    assert ("schedule_gap", saved.schedule.id) in kinds
    nobody = [p for p in report.problems if p.kind == "policy_reaches_nobody"]
    assert [(p.team, p.step, p.channel) for p in nobody] == [
        (TEAM.name, "CTO only policy, step 1 at 0 min", "slack")
    ]
    assert nobody[0].message.endswith("nobody in the catalog holds the role 'cto'")
    # No notifier here: channels and addresses were not checked, and the report says so.
    assert ("check_incomplete", "notifier") in kinds


async def test_ical_feed_of_a_person_lists_their_shifts(h: Harness) -> None:
    await load_people(h)
    saved = (await h.config.put_schedule(PutSchedule(schedule=rota()))).schedule
    feed = await h.config.calendar(GetCalendar(person_id="alice", days=7))
    assert feed.content_type.startswith("text/calendar")
    assert feed.body.startswith("BEGIN:VCALENDAR\r\n") and feed.body.endswith("END:VCALENDAR\r\n")
    # The rotation began on March 1st (Alice); a week ahead of March 2nd reaches March 9th:
    # Alice has the 1st, 3rd, 5th, 7th and 9th.
    assert feed.body.count("BEGIN:VEVENT") == 5
    assert "DTSTART:20260301T080000Z" in feed.body
    assert "SUMMARY:On call: Primary" in feed.body
    schedule_feed = await h.config.calendar(GetCalendar(schedule_id=saved.id, days=7))
    assert schedule_feed.body.count("BEGIN:VEVENT") == 9
    assert "SUMMARY:On call: Bob" in schedule_feed.body


async def test_incoming_person_is_notified_at_handoff(h: Harness) -> None:
    await load_people(h)
    await h.config.put_schedule(PutSchedule(schedule=rota()))
    # Next handoff: March 3rd 09:00 Paris (08:00 UTC), from Bob to Alice.
    h.clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC) - timedelta(milliseconds=1))
    assert await h.scheduler.tick() == 0
    h.clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assert await h.scheduler.tick() == 1
    payload = await h.scalar(
        "SELECT convert_from(payload, 'UTF8') FROM outbox "
        "WHERE subject = 'notifications.requested.v1'"
    )
    assert '"reason":"handoff"' in str(payload) and '"person_ids":["alice"]' in str(payload)
    # The following handoff is planned: March 4th, to Bob.
    due = await h.scalar("SELECT due_at FROM timers WHERE kind = 'handoff' AND status = 'pending'")
    assert due == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
