from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from imas_contracts.escalation import Layer, Override, Restriction, ScheduleSpec
from imas_escalation.schedules.domain import Calendar, ScheduleError, validate

pytestmark = pytest.mark.unit

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def schedule(*layers: Layer, tz: str = "UTC", overrides: list[Override] | None = None) -> Calendar:
    return Calendar(
        ScheduleSpec(
            id="s1",
            team_id="t1",
            name="Primary",
            time_zone=tz,
            layers=list(layers),
            overrides=overrides or [],
        )
    )


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)  # type: ignore[misc]


def test_weekly_rotation_takes_turns_in_member_order() -> None:
    cal = schedule(
        Layer(members=["alice", "bob", "carol"], shift="weekly", start=datetime(2026, 3, 2, 9, 0)),
        tz="Europe/Paris",
    )
    monday = local(PARIS, 2026, 3, 2, 10, 0)
    assert [cal.on_call(monday + timedelta(weeks=w)) for w in range(4)] == [
        "alice",
        "bob",
        "carol",
        "alice",
    ]
    # Just before the handoff it is still the previous person.
    assert cal.on_call(local(PARIS, 2026, 3, 9, 8, 59)) == "alice"
    assert cal.on_call(local(PARIS, 2026, 3, 9, 9, 0)) == "bob"


def test_nobody_is_on_call_before_the_rotation_starts() -> None:
    cal = schedule(Layer(members=["alice"], shift="daily", start=datetime(2026, 3, 2, 9, 0)))
    assert cal.on_call(datetime(2026, 3, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("tz", "day", "short_day", "long_day"),
    [
        # Spring forward the night of the 29th in Paris, of the 8th in New York.
        (PARIS, datetime(2026, 3, 26, 9, 0), datetime(2026, 3, 28).date(), None),
        (NEW_YORK, datetime(2026, 3, 5, 9, 0), datetime(2026, 3, 7).date(), None),
        # Fall back the night of the 25th of October in Paris, of the 1st of November in NY.
        (PARIS, datetime(2026, 10, 22, 9, 0), None, datetime(2026, 10, 24).date()),
        (NEW_YORK, datetime(2026, 10, 29, 9, 0), None, datetime(2026, 10, 31).date()),
    ],
)
def test_daily_handoff_stays_at_local_time_across_dst_weeks(
    tz: ZoneInfo, day: datetime, short_day: object, long_day: object
) -> None:
    cal = schedule(Layer(members=["alice", "bob"], shift="daily", start=day), tz=str(tz.key))
    start = day.replace(tzinfo=tz)
    shifts = cal.segments(start, start + timedelta(days=7))
    assert len(shifts) == 7
    for shift in shifts:
        assert shift.start.astimezone(tz).hour == 9 and shift.start.astimezone(tz).minute == 0
        hours = (shift.end - shift.start).total_seconds() / 3600
        begun = shift.start.astimezone(tz).date()
        expected = 23 if begun == short_day else 25 if begun == long_day else 24
        assert hours == expected, (begun, hours)
    assert [s.person for s in shifts] == ["alice", "bob"] * 3 + ["alice"]


def test_weekly_shift_spanning_spring_forward_lasts_167_hours() -> None:
    cal = schedule(
        Layer(members=["alice", "bob"], shift="weekly", start=datetime(2026, 3, 23, 9, 0)),
        tz="Europe/Paris",
    )
    first = cal.next_shifts(local(PARIS, 2026, 3, 23, 9, 0), 2)
    assert (first[0].end - first[0].start) == timedelta(hours=167)
    assert first[1].start.astimezone(PARIS).hour == 9


def test_hourly_shifts_count_elapsed_hours_through_fall_back() -> None:
    cal = schedule(
        Layer(members=["a", "b"], shift="hourly", start=datetime(2026, 11, 1, 0, 0)),
        tz="America/New_York",
    )
    start = local(NEW_YORK, 2026, 11, 1, 0, 0)
    end = local(NEW_YORK, 2026, 11, 2, 0, 0)
    shifts = cal.segments(start, end)
    # The local day of fall-back has 25 hours, hence 25 one-hour shifts.
    assert len(shifts) == 25
    assert all(s.end - s.start == timedelta(hours=1) for s in shifts)


def test_handoff_at_a_skipped_wall_time_happens_just_after_the_gap() -> None:
    cal = schedule(
        Layer(members=["a", "b"], shift="daily", start=datetime(2026, 3, 6, 2, 30)),
        tz="America/New_York",
    )
    handoffs = cal.handoffs(local(NEW_YORK, 2026, 3, 7, 12, 0), local(NEW_YORK, 2026, 3, 9, 12, 0))
    # 02:30 does not exist on the 8th: the shift changes at 03:30 EDT (07:30 UTC).
    assert handoffs[0][0] == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert handoffs[1][0] == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


def test_custom_shift_of_twelve_hours() -> None:
    cal = schedule(
        Layer(
            members=["day", "night"], shift="custom", shift_hours=12, start=datetime(2026, 1, 1, 8)
        )
    )
    assert cal.on_call(datetime(2026, 1, 5, 9, tzinfo=UTC)) == "day"
    assert cal.on_call(datetime(2026, 1, 5, 21, tzinfo=UTC)) == "night"


def test_higher_layer_overrides_lower_within_its_restriction() -> None:
    base = Layer(name="nights", members=["night"], shift="weekly", start=datetime(2026, 3, 2))
    office = Layer(
        name="office",
        members=["alice", "bob"],
        shift="weekly",
        start=datetime(2026, 3, 2, 9, 0),
        restrictions=[Restriction(days=[0, 1, 2, 3, 4], start="09:00", end="18:00")],
    )
    cal = schedule(base, office, tz="Europe/Paris")
    assert cal.on_call(local(PARIS, 2026, 3, 4, 10, 0)) == "alice"  # Wednesday office hours
    assert cal.on_call(local(PARIS, 2026, 3, 4, 19, 0)) == "night"  # Wednesday evening
    assert cal.on_call(local(PARIS, 2026, 3, 7, 10, 0)) == "night"  # Saturday
    assert cal.on_call(local(PARIS, 2026, 3, 11, 10, 0)) == "bob"  # next week
    day = cal.segments(local(PARIS, 2026, 3, 4, 0, 0), local(PARIS, 2026, 3, 5, 0, 0))
    assert [(s.start.astimezone(PARIS).hour, s.person) for s in day] == [
        (0, "night"),
        (9, "alice"),
        (18, "night"),
    ]


def test_restriction_leaves_gaps_that_are_reported() -> None:
    cal = schedule(
        Layer(
            members=["alice"],
            shift="weekly",
            start=datetime(2026, 3, 2, 9, 0),
            restrictions=[Restriction(days=[0, 1, 2, 3, 4], start="09:00", end="18:00")],
        ),
        tz="Europe/Paris",
    )
    gaps = cal.gaps(local(PARIS, 2026, 3, 2, 9, 0), local(PARIS, 2026, 3, 9, 9, 0))
    assert len(gaps) == 5  # four weeknights and the weekend
    weekend = gaps[-1]
    assert weekend.start == local(PARIS, 2026, 3, 6, 18, 0)
    assert weekend.end == local(PARIS, 2026, 3, 9, 9, 0)


def test_overnight_restriction_runs_past_midnight() -> None:
    cal = schedule(
        Layer(
            members=["owl"],
            shift="weekly",
            start=datetime(2026, 3, 2),
            restrictions=[Restriction(start="22:00", end="06:00")],
        )
    )
    assert cal.on_call(datetime(2026, 3, 3, 23, tzinfo=UTC)) == "owl"
    assert cal.on_call(datetime(2026, 3, 4, 5, tzinfo=UTC)) == "owl"
    assert cal.on_call(datetime(2026, 3, 4, 12, tzinfo=UTC)) is None


def test_override_replaces_one_person_only_while_they_are_on_call() -> None:
    rotation = Layer(members=["alice", "bob"], shift="daily", start=datetime(2026, 3, 2, 9, 0))
    cover = Override(
        person_id="carol",
        replaces="alice",
        start=datetime(2026, 3, 2, 12, tzinfo=UTC),
        end=datetime(2026, 3, 4, 12, tzinfo=UTC),
    )
    cal = schedule(rotation, overrides=[cover])
    assert cal.on_call(datetime(2026, 3, 2, 13, tzinfo=UTC)) == "carol"  # alice's day
    assert cal.on_call(datetime(2026, 3, 3, 13, tzinfo=UTC)) == "bob"  # bob's day stays his
    assert cal.on_call(datetime(2026, 3, 4, 13, tzinfo=UTC)) == "alice"  # override over


def test_override_without_replaces_covers_anyone_and_fills_gaps() -> None:
    cover = Override(
        person_id="dave",
        start=datetime(2026, 3, 1, 0, tzinfo=UTC),
        end=datetime(2026, 3, 1, 6, tzinfo=UTC),
    )
    cal = schedule(overrides=[cover])
    segments = cal.segments(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
    assert [(s.person, s.end.hour) for s in segments] == [("dave", 6), (None, 0)]


def test_next_shifts_lists_the_current_one_first() -> None:
    cal = schedule(Layer(members=["a", "b", "c"], shift="daily", start=datetime(2026, 3, 2, 9)))
    shifts = cal.next_shifts(datetime(2026, 3, 10, 12, tzinfo=UTC), 5)
    assert len(shifts) == 5
    assert shifts[0].start == datetime(2026, 3, 10, 9, tzinfo=UTC)
    assert [s.person for s in shifts] == ["c", "a", "b", "c", "a"]


def test_monthly_custom_rotation_finds_enough_shifts() -> None:
    cal = schedule(
        Layer(members=["a", "b"], shift="custom", shift_hours=24 * 30, start=datetime(2026, 1, 1))
    )
    assert len(cal.next_shifts(datetime(2026, 1, 2, tzinfo=UTC), 4)) == 4


def test_next_handoff_names_the_incoming_person() -> None:
    cal = schedule(Layer(members=["a", "b"], shift="daily", start=datetime(2026, 3, 2, 9)))
    at, person = cal.next_handoff(datetime(2026, 3, 2, 10, tzinfo=UTC)) or (None, None)
    assert (at, person) == (datetime(2026, 3, 3, 9, tzinfo=UTC), "b")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (ScheduleSpec(team_id="t", name="x", time_zone="Mars/Olympus"), "time_zone"),
        (ScheduleSpec(team_id="t", name="x", time_zone="Europe"), "time_zone"),  # a folder
        (ScheduleSpec(team_id="t", name="x", time_zone="A" * 5000), "time_zone"),
        (ScheduleSpec(team_id="t", name=" "), "name"),
        (
            ScheduleSpec(
                team_id="t", name="x", layers=[Layer(members=[], start=datetime(2026, 1, 1))]
            ),
            "layers[0].members",
        ),
        (
            ScheduleSpec(
                team_id="t",
                name="x",
                layers=[
                    Layer(
                        members=["a"],
                        start=datetime(2026, 1, 1),
                        restrictions=[Restriction(start="9h")],
                    )
                ],
            ),
            "layers[0].restrictions[0].start",
        ),
    ],
)
def test_invalid_schedule_names_the_field(spec: ScheduleSpec, field: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        validate(spec)
    assert refused.value.field == field
