"""Pure on-call computation: who is on call when, in the schedule's own time zone.

A schedule is a stack of layers; a later layer overrides an earlier one wherever its
restrictions allow; overrides replace one person (or anyone) for a while. Daily and weekly
rotations follow the local calendar, so across a DST change a shift lasts 23 or 25 hours and
still hands off at the same wall-clock time; hourly and custom shifts count elapsed hours.
Instants are aware datetimes, computed in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from imas_contracts.escalation import Layer, Restriction, ScheduleSpec

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


class ScheduleError(ValueError):
    """A schedule that cannot be computed; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Segment:
    """``person`` (an id, or None for a gap) is on call from ``start`` to ``end``."""

    start: datetime
    end: datetime
    person: str | None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    # OSError: a folder of the zone database ("Europe"), or a name too long for a file name.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ScheduleError("time_zone", f"unknown time zone {name!r}") from exc


def parse_hhmm(value: str, field: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ScheduleError(field, f"expected HH:MM, got {value!r}") from exc


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant of wall time ``at`` on ``day`` in ``tz``, in UTC.

    A wall time skipped by spring-forward maps past the gap (02:30 → 03:30 CEST); a repeated
    one during fall-back maps to its first occurrence (PEP 495 ``fold=0``).
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def validate(spec: ScheduleSpec) -> None:
    """Raise :class:`ScheduleError` naming the first field that cannot work."""
    if not spec.name.strip():
        raise ScheduleError("name", "must not be empty")
    if not spec.team_id:
        raise ScheduleError("team_id", "must not be empty")
    zone(spec.time_zone)
    for i, layer in enumerate(spec.layers):
        if not layer.members:
            raise ScheduleError(f"layers[{i}].members", "a rotation needs at least one member")
        if layer.shift in ("hourly", "custom") and layer.shift_hours < 1:
            raise ScheduleError(f"layers[{i}].shift_hours", "must be at least 1")
        for j, r in enumerate(layer.restrictions):
            parse_hhmm(r.start, f"layers[{i}].restrictions[{j}].start")
            parse_hhmm(r.end, f"layers[{i}].restrictions[{j}].end")
            if any(d < 0 or d > 6 for d in r.days):
                raise ScheduleError(f"layers[{i}].restrictions[{j}].days", "0 (Mon) … 6 (Sun)")
    for i, o in enumerate(spec.overrides):
        if o.start.tzinfo is None or o.end.tzinfo is None:
            raise ScheduleError(f"overrides[{i}].start", "needs a UTC offset")
        if o.end <= o.start:
            raise ScheduleError(f"overrides[{i}].end", "must be after start")


class Rotation:
    """One layer's rotation: the k-th handoff and who holds shift k."""

    def __init__(self, layer: Layer, tz: ZoneInfo) -> None:
        self.layer = layer
        self.tz = tz
        start = layer.start
        # A naive start is a local wall time; an aware one is an instant, seen locally.
        local = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        self.start_day = local.date()
        self.handoff = local.time().replace(tzinfo=None)
        self.start_utc = local_instant(self.start_day, self.handoff, tz)
        if layer.shift in ("daily", "weekly"):
            self.days = 1 if layer.shift == "daily" else 7
            self.hours = 0
        else:
            self.days = 0
            self.hours = 1 if layer.shift == "hourly" else layer.shift_hours

    def boundary(self, k: int) -> datetime:
        """The instant shift ``k`` starts (``k`` may be negative: before the start)."""
        if self.days:
            return local_instant(self.start_day + k * self.days * DAY, self.handoff, self.tz)
        return self.start_utc + k * self.hours * HOUR

    def index_at(self, at: datetime) -> int:
        """The shift ``k`` with ``boundary(k) <= at < boundary(k + 1)``."""
        period = self.days * DAY if self.days else self.hours * HOUR
        k = (at - self.start_utc) // period
        # DST moves calendar boundaries by an hour at most: a step or two corrects the guess.
        while self.boundary(k) > at:
            k -= 1
        while self.boundary(k + 1) <= at:
            k += 1
        return k

    def member(self, k: int) -> str:
        return self.layer.members[k % len(self.layer.members)]

    def boundaries(self, start: datetime, end: datetime) -> Iterator[datetime]:
        k = self.index_at(start) + 1
        while (b := self.boundary(k)) < end:
            yield b
            k += 1


def _restriction_windows(
    r: Restriction, tz: ZoneInfo, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    begin_t, end_t = parse_hhmm(r.start, "start"), parse_hhmm(r.end, "end")
    first = start.astimezone(tz).date() - DAY
    last = end.astimezone(tz).date() + DAY
    day = first
    while day <= last:
        if day.weekday() in r.days:
            # An end at or before the start runs overnight (22:00-06:00; 00:00-00:00 is all day).
            end_day = day + DAY if end_t <= begin_t else day
            yield local_instant(day, begin_t, tz), local_instant(end_day, end_t, tz)
        day += DAY


class Calendar:
    """A schedule ready to answer "who is on call at t?" and "what happens between a and b?"."""

    def __init__(self, spec: ScheduleSpec) -> None:
        self.spec = spec
        self.tz = zone(spec.time_zone)
        self.rotations = [Rotation(layer, self.tz) for layer in spec.layers]

    def _allowed(self, layer: Layer, at: datetime) -> bool:
        if not layer.restrictions:
            return True
        for r in layer.restrictions:
            for begin, finish in _restriction_windows(r, self.tz, at, at):
                if begin <= at < finish:
                    return True
        return False

    def scheduled(self, at: datetime) -> str | None:
        """Who the layers put on call at ``at`` (before overrides)."""
        for rotation in reversed(self.rotations):
            if at < rotation.start_utc:
                continue
            if self._allowed(rotation.layer, at):
                return rotation.member(rotation.index_at(at))
        return None

    def on_call(self, at: datetime) -> str | None:
        """Who is on call at ``at``: layers first, then the latest matching override."""
        person = self.scheduled(at)
        for o in reversed(self.spec.overrides):
            if o.start <= at < o.end and (o.replaces is None or o.replaces == person):
                return o.person_id
        return person

    def _boundaries(self, start: datetime, end: datetime) -> list[datetime]:
        points: set[datetime] = {start}
        for rotation in self.rotations:
            if start < rotation.start_utc < end:
                points.add(rotation.start_utc)
            points.update(rotation.boundaries(start, end))
            for r in rotation.layer.restrictions:
                for begin, finish in _restriction_windows(r, self.tz, start, end):
                    points.update(p for p in (begin, finish) if start < p < end)
        for o in self.spec.overrides:
            points.update(p for p in (o.start, o.end) if start < p < end)
        return sorted(points)

    def segments(self, start: datetime, end: datetime) -> list[Segment]:
        """Who is on call from ``start`` to ``end``, merged into the fewest segments."""
        points = self._boundaries(start, end)
        out: list[Segment] = []
        for i, point in enumerate(points):
            finish = points[i + 1] if i + 1 < len(points) else end
            person = self.on_call(point)
            if out and out[-1].person == person:
                out[-1] = Segment(out[-1].start, finish, person)
            else:
                out.append(Segment(point, finish, person))
        return out

    def gaps(self, start: datetime, end: datetime) -> list[Segment]:
        """Stretches when nobody is on call."""
        return [s for s in self.segments(start, end) if s.person is None]

    def next_shifts(self, start: datetime, count: int, horizon_days: int = 366) -> list[Segment]:
        """The next ``count`` segments, the one under way at ``start`` first, gaps included.

        The window grows until enough are found, so a monthly rotation is not cut short.
        """
        span = timedelta(days=8)
        # Look back so the current shift is shown from its real start, not from ``start``.
        back = start - timedelta(days=8)
        while True:
            found = [s for s in self.segments(back, start + span) if s.end > start]
            if len(found) > count or span >= timedelta(days=horizon_days):
                return found[:count]
            span *= 2

    def handoffs(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """Each instant in ``(start, end)`` when a different person comes on call."""
        return [(s.start, s.person) for s in self.segments(start, end)[1:] if s.person is not None]

    def next_handoff(self, after: datetime, horizon_days: int = 60) -> tuple[datetime, str] | None:
        """The first handoff strictly after ``after`` to somebody, within the horizon."""
        found = self.handoffs(after, after + timedelta(days=horizon_days))
        return found[0] if found else None


def shifts_of(
    calendars: Iterable[Calendar], person: str, start: datetime, end: datetime
) -> list[tuple[ScheduleSpec, Segment]]:
    """``(schedule, segment)`` pairs when ``person`` is on call, over several schedules."""
    out = [
        (cal.spec, seg)
        for cal in calendars
        for seg in cal.segments(start, end)
        if seg.person == person
    ]
    out.sort(key=lambda pair: pair[1].start)
    return out


__all__ = ["Calendar", "Rotation", "ScheduleError", "Segment", "shifts_of", "validate"]
