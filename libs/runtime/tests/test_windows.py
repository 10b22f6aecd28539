"""Recurring maintenance windows: wall-clock occurrences across DST, and refusals by field."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from imas_contracts.ingest import Matcher, Silence
from imas_runtime.errors import Invalid
from imas_runtime.windows import check_recurrence, in_maintenance, recurrence, silence_end

pytestmark = pytest.mark.unit

SUNDAYS_2AM = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2"
# Sunday 1 March 2026, 02:00 in Paris (winter time, UTC+1).
FIRST = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_window_keeps_its_paris_wall_clock_across_the_march_change() -> None:
    window = recurrence(SUNDAYS_2AM, FIRST, "Europe/Paris", 2 * 3600)
    starts = [s for s, _ in window.occurrences(utc(2026, 3, 14), utc(2026, 4, 13))]
    assert starts == [
        utc(2026, 3, 15, 1),  # 02:00 CET
        utc(2026, 3, 22, 1),  # 02:00 CET
        # 29 March: the clock jumps from 02:00 to 03:00; the skipped 02:00 is read as 03:00
        # summer time, the same instant as 02:00 winter time.
        utc(2026, 3, 29, 1),
        utc(2026, 4, 5, 0),  # 02:00 CEST
        utc(2026, 4, 12, 0),
    ]


def test_weekly_window_keeps_its_paris_wall_clock_across_the_october_change() -> None:
    window = recurrence(SUNDAYS_2AM, FIRST, "Europe/Paris", 2 * 3600)
    found = window.occurrences(utc(2026, 10, 17), utc(2026, 11, 9))
    assert found == [
        (utc(2026, 10, 18, 0), utc(2026, 10, 18, 2)),  # 02:00 CEST, two hours
        # 25 October: 02:00 happens twice; the first (summer time) starts the window, and it
        # lasts two real hours though the clock shows three.
        (utc(2026, 10, 25, 0), utc(2026, 10, 25, 2)),
        (utc(2026, 11, 1, 1), utc(2026, 11, 1, 3)),  # 02:00 CET
        (utc(2026, 11, 8, 1), utc(2026, 11, 8, 3)),
    ]


def test_an_instant_is_in_a_window_only_between_its_start_and_end() -> None:
    window = recurrence(SUNDAYS_2AM, FIRST, "Europe/Paris", 2 * 3600)
    # In summer 00:30 UTC is 02:30 Paris: inside; in winter it is 01:30 Paris: outside.
    assert window.window_at(utc(2026, 4, 5, 0, 30)) == (utc(2026, 4, 5, 0), utc(2026, 4, 5, 2))
    assert window.window_at(utc(2026, 3, 22, 0, 30)) is None
    assert window.window_at(utc(2026, 3, 22, 1, 30)) == (utc(2026, 3, 22, 1), utc(2026, 3, 22, 3))
    assert window.window_at(utc(2026, 3, 22, 3, 0)) is None  # the end is outside
    assert window.window_at(utc(2026, 3, 23, 1, 30)) is None  # a Monday
    assert window.window_at(utc(2026, 2, 22, 1, 30)) is None  # before the first start
    assert window.next_start(utc(2026, 3, 23)) == utc(2026, 3, 29, 1)


def test_instants_asked_in_any_order_get_the_same_answers() -> None:
    window = recurrence(SUNDAYS_2AM, FIRST, "Europe/Paris", 2 * 3600)
    instants = [
        utc(2026, 4, 5, 0, 30),
        utc(2026, 4, 6),
        utc(2026, 3, 22, 1, 30),
        utc(2026, 4, 5, 1),
    ]
    fresh = [recurrence(SUNDAYS_2AM, FIRST, "Europe/Paris", 7200).window_at(i) for i in instants]
    assert [window.window_at(i) for i in instants] == fresh
    assert [w is not None for w in fresh] == [True, False, True, True]


@pytest.mark.parametrize(
    ("rule", "zone", "duration", "field", "says"),
    [
        ("FREQ=SOMETIMES", "UTC", 60, "rrule", "RFC 5545"),
        ("", "UTC", 60, "rrule", "empty"),
        ("FREQ=MINUTELY", "UTC", 60, "rrule", "HOURLY"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "UTC", 60, "rrule", "starts_at"),
        ("FREQ=DAILY;COUNT=1;BYMONTH=2;BYMONTHDAY=30", "UTC", 60, "rrule", "no occurrence"),
        ("FREQ=DAILY", "Europe/Nowhere", 60, "timezone", "IANA"),
        # A folder of the zone database, and a name too long for a file: no zone either.
        ("FREQ=DAILY", "Europe", 60, "timezone", "IANA"),
        ("FREQ=DAILY", "A" * 5000, 60, "timezone", "IANA"),
        ("FREQ=DAILY", "UTC", 0, "duration", "positive"),
        ("FREQ=DAILY", "UTC", 40 * 86400, "duration", "31 days"),
        # dateutil loops for ever on INTERVAL=0, and walks back in time on a negative one.
        ("FREQ=DAILY;INTERVAL=0", "UTC", 60, "rrule", "INTERVAL"),
        ("FREQ=DAILY;INTERVAL=-1", "UTC", 60, "rrule", "INTERVAL"),
        ("FREQ=HOURLY;INTERVAL=99999999999", "UTC", 60, "rrule", "INTERVAL"),
        # Starts every minute or second of an hourly rule: millions of windows a month.
        ("FREQ=HOURLY;BYMINUTE=0,15,30,45", "UTC", 60, "rrule", "BYMINUTE"),
        ("FREQ=DAILY;BYSECOND=0,1,2", "UTC", 60, "rrule", "BYSECOND"),
        ("FREQ=DAILY;COUNT=99999999999999999999", "UTC", 60, "rrule", "COUNT"),
        ("FREQ=YEARLY;BYEASTER=0", "UTC", 60, "rrule", "BYEASTER"),
    ],
)
def test_a_window_that_cannot_work_is_refused_naming_its_field(
    rule: str, zone: str, duration: float, field: str, says: str
) -> None:
    with pytest.raises(Invalid) as refused:
        check_recurrence(rule, FIRST, zone, duration)
    assert [e.field for e in refused.value.errors] == [field]
    assert says in refused.value.errors[0].message


def test_rrule_prefix_is_accepted() -> None:
    check_recurrence("RRULE:" + SUNDAYS_2AM, FIRST, "Europe/Paris", 3600)


@pytest.mark.timeout(20)
def test_a_window_started_long_ago_answers_without_walking_every_hour_since() -> None:
    # Alerts are checked against each window as they come: an hourly window whose first start
    # is far in the past must not cost a walk over every hour since (here two millennia).
    since = recurrence("FREQ=HOURLY;BYMINUTE=10", utc(1, 1, 1), "UTC", 600)
    at = utc(2026, 12, 8, 0, 15)
    assert since.window_at(at) == (utc(2026, 12, 8, 0, 10), utc(2026, 12, 8, 0, 20))
    assert since.window_at(utc(2026, 12, 8, 0, 25)) is None
    assert since.next_start(at) == utc(2026, 12, 8, 1, 10)
    assert len(since.occurrences(utc(2026, 12, 1), utc(2026, 12, 8))) == 7 * 24


@pytest.mark.parametrize(
    "rule", ["FREQ=DAILY;INTERVAL=3;BYHOUR=1,23", "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,WE;BYHOUR=2"]
)
def test_a_window_started_years_ago_has_the_occurrences_it_always_had(rule: str) -> None:
    old = recurrence(rule, utc(2019, 1, 6, 12), "Europe/Paris", 3 * 3600)
    # Counted from the first start, one by one (what dateutil does without help).
    expected = [
        (start, start + old.duration)
        for wall in old.parsed.rule.between(datetime(2026, 3, 1), datetime(2026, 11, 30))
        for start in [wall.replace(tzinfo=ZoneInfo("Europe/Paris"), fold=0).astimezone(UTC)]
    ]
    found = old.occurrences(utc(2026, 3, 2), utc(2026, 11, 29))
    assert found == [w for w in expected if utc(2026, 3, 2) < w[1] and w[0] < utc(2026, 11, 29)]
    assert len(found) > 30  # across both changes of the clock
    for start, end in found[::7]:
        assert old.window_at(start) == (start, end)
        assert old.window_at(end) != (start, end)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYHOUR=1;BYSETPOS=2",  # one time a day, the second asked
        "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;UNTIL=20300101T000000",  # every 7 days from a Monday
    ],
)
def test_a_rule_that_matches_nothing_is_refused_without_a_walk_to_the_year_9999(
    rule: str,
) -> None:
    # dateutil walked every period from the first start up to the year 9999 (seconds to
    # minutes of CPU, holding up the intake) before finding there was nothing.
    with pytest.raises(Invalid) as refused:
        check_recurrence(rule, utc(1, 1, 1), "UTC", 60)
    assert "no occurrence" in refused.value.errors[0].message


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        # 29 February on a Monday: 2044, then 2072 (the calendar's cycle is 400 years).
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", utc(2044, 2, 29)),
        ("FREQ=YEARLY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=29", utc(2032, 2, 29)),
        ("FREQ=WEEKLY;INTERVAL=5;BYDAY=SA", utc(2026, 1, 3)),
    ],
)
def test_a_rule_that_matches_rarely_is_accepted(rule: str, first: datetime) -> None:
    check_recurrence(rule, utc(2026, 1, 1), "UTC", 60)
    assert recurrence(rule, utc(2026, 1, 1), "UTC", 60).next_start(utc(2026, 1, 1)) == first


def test_a_silence_stored_without_utc_offsets_applies_to_nothing() -> None:
    # Refused since, such a silence may be stored from before: compared with an alert's time,
    # it failed every alert of the intake.
    naive = Silence(
        matchers=[Matcher(label="env", value="prod")],
        starts_at=datetime(2026, 1, 1),
        ends_at=datetime(2027, 1, 1),
    )
    assert silence_end(naive, utc(2026, 6, 1)) is None


def test_a_service_maintenance_holds_only_from_its_start_to_its_end() -> None:
    start, end = datetime(2026, 12, 8, 2, tzinfo=UTC), datetime(2026, 12, 8, 4, tzinfo=UTC)
    planned = [(start, end, at) for at in (start.replace(hour=1), start, end.replace(hour=3))]
    assert [in_maintenance(*args) for args in planned] == [False, True, True]
    assert not in_maintenance(start, end, end)  # over at its end
    assert in_maintenance(None, end, start)  # begun, its start not recorded
    assert not in_maintenance(None, None, start)  # none
