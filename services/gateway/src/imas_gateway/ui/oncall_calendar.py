"""An on-call schedule as a calendar of weeks: who is on call each day, overrides and gaps
marked. Pure: shifts and overrides in, weeks of days out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from imas_contracts.escalation import Override, Shift


@dataclass(frozen=True)
class Entry:
    """Someone (``who``, empty for a gap) on call from ``start`` to ``end`` (local ``HH:MM``,
    ``24:00`` for the end of the day), by an override or not."""

    who: str
    start: str
    end: str
    override: bool = False

    @property
    def gap(self) -> bool:
        return not self.who


@dataclass(frozen=True)
class Day:
    day: date
    today: bool
    past: bool
    entries: list[Entry] = field(default_factory=list)


def first_monday(now: datetime, tz: ZoneInfo) -> date:
    """The Monday of ``now``'s week, in the schedule's time zone."""
    today = now.astimezone(tz).date()
    return today - timedelta(days=today.weekday())


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _hhmm(moment: datetime, day_end: datetime, tz: ZoneInfo) -> str:
    return "24:00" if moment >= day_end else moment.astimezone(tz).strftime("%H:%M")


def _pieces(
    start: datetime, end: datetime, person: str, overrides: Sequence[Override]
) -> list[tuple[datetime, datetime, bool]]:
    """``start``-``end`` cut where an override of ``person`` begins or ends, each piece marked
    when an override puts this person on call."""
    mine = [o for o in overrides if o.person_id == person and o.start < end and o.end > start]
    cuts = sorted({start, end, *(p for o in mine for p in (o.start, o.end) if start < p < end)})
    return [(a, b, any(o.start <= a and b <= o.end for o in mine)) for a, b in pairwise(cuts)]


def calendar_weeks(
    shifts: Sequence[Shift],
    overrides: Sequence[Override],
    *,
    first_day: date,
    weeks: int,
    tz: ZoneInfo,
    now: datetime,
) -> list[list[Day]]:
    """``weeks`` rows of seven days from ``first_day``; each day lists the shifts crossing it
    (in the schedule's zone), consecutive pieces by the same person merged."""
    today = now.astimezone(tz).date()
    rows: list[list[Day]] = []
    for w in range(weeks):
        row = []
        for d in range(7):
            day = first_day + timedelta(days=7 * w + d)
            begin, finish = _local_midnight(day, tz), _local_midnight(day + timedelta(days=1), tz)
            entries: list[Entry] = []
            for shift in shifts:
                start, end = max(shift.start, begin), min(shift.end, finish)
                if start >= end:
                    continue
                person = shift.person.id if shift.person else ""
                name = shift.person.name if shift.person else ""
                for a, b, by_override in _pieces(start, end, person, overrides):
                    entry = Entry(
                        who=name,
                        start=_hhmm(a, finish, tz),
                        end=_hhmm(b, finish, tz),
                        override=by_override,
                    )
                    last = entries[-1] if entries else None
                    if last and (last.who, last.override, last.end) == (
                        name,
                        by_override,
                        entry.start,
                    ):
                        entries[-1] = Entry(name, last.start, entry.end, by_override)
                    else:
                        entries.append(entry)
            row.append(Day(day=day, today=day == today, past=day < today, entries=entries))
        rows.append(row)
    return rows
