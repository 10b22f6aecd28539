"""Recurring windows (maintenance windows): an RFC 5545 ``RRULE`` in a time zone, each
occurrence lasting ``duration``.

Occurrences are computed on the zone's wall clock: ``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2`` in
Europe/Paris starts at 02:00 Paris time every Sunday, winter and summer alike (01:00 UTC in
winter, 00:00 UTC in summer). A start that the clock skips (02:30 on the March change) is the
same instant as the skipped wall time read with the offset before the change (03:30 summer
time); a start that happens twice (02:30 on the October change) is the first of the two. The
duration is elapsed time: a 2-hour window is 2 hours long even across a change.

Times of day not given by the rule (``BYHOUR``, ``BYMINUTE``, ``BYSECOND``) are those of the
first start (``DTSTART``), as RFC 5545 says, to the second (fractions of a second dropped).

A window starts at most once an hour (one ``BYMINUTE`` and one ``BYSECOND`` value at most),
``INTERVAL`` is 1 to :data:`MAX_INTERVAL` and ``COUNT`` at most :data:`MAX_COUNT`: dateutil
walks a rule one period at a time from its first start, and loops for ever on ``INTERVAL=0``,
so what a rule may ask is bounded where alerts are checked against it. For the same reason an
hourly, daily or weekly rule is walked from its last period before the instants asked, not from
its first start (a window started years ago would cost a walk over every period since, for
each alert).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as _rrule

from imas_contracts.ingest import Silence
from imas_runtime.errors import Invalid

__all__ = [
    "MAX_COUNT",
    "MAX_DURATION",
    "MAX_INTERVAL",
    "Recurrence",
    "check_recurrence",
    "in_maintenance",
    "maintenance_name",
    "recurrence",
    "service_windows",
    "silence_end",
    "silence_name",
    "whole_service",
    "zone",
]

MAX_DURATION = timedelta(days=31)
MAX_COUNT = 1000
MAX_INTERVAL = 1000
# How far a rule of these frequencies may be moved forward by whole periods (times its
# INTERVAL) and still give the same occurrences from its new start on.
_PERIODS = {"HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}


def zone(name: str, field_name: str = "timezone") -> ZoneInfo:
    """The IANA time zone ``name``; an unknown name is refused, naming ``field_name``."""
    try:
        return ZoneInfo(name)
    # OSError: a name that is a folder of the zone database ("Europe") or too long to be a
    # file name reaches the file system before it is found to be no zone.
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise Invalid.field(
            field_name, f"unknown time zone {name!r} (an IANA name such as Europe/Paris)"
        ) from None


def _rule_text(rule: str) -> str:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return text


def _parts(text: str) -> dict[str, str]:
    """The ``NAME=value`` parts of a rule dateutil has read (so well formed), names upper case."""
    parts = (part.partition("=") for part in text.upper().split(";") if part.strip())
    return {name.strip(): value.strip() for name, _, value in parts}


def _local(at: datetime, tz: ZoneInfo) -> datetime:
    """``at`` on the zone's wall clock, without its zone (what rrule computes on)."""
    return at.astimezone(tz).replace(tzinfo=None)


def _instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall time of the zone (fold 0: see the module's docstring)."""
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class _Rule:
    """A rule as read, with its first start (wall clock) and, when it may be moved forward
    without changing its occurrences, the length of a period times its INTERVAL."""

    rule: _rrule.rrule
    first: datetime
    period: timedelta | None
    interval: int = 1


@dataclass
class Recurrence:
    """The occurrences of one rule from ``start`` (an aware datetime) in ``tz``."""

    parsed: _Rule
    tz: ZoneInfo
    duration: timedelta
    # The last occurrence found by window_at, kept: alerts come in order, so most calls
    # fall in the window found the time before (or before the next one).
    _last: tuple[datetime, datetime, datetime | None] | None = field(default=None, repr=False)

    def occurrences(self, after: datetime, before: datetime) -> list[tuple[datetime, datetime]]:
        """Every occurrence (start, end), UTC, that overlaps ``[after, before)``."""
        lower = _local(after - self.duration, self.tz) - timedelta(days=1)
        upper = _local(before, self.tz) + timedelta(days=1)
        found = []
        for wall in self._since(lower).between(lower, upper, inc=True):
            start = _instant(wall, self.tz)
            end = start + self.duration
            if start < before and end > after:
                found.append((start, end))
        return found

    def window_at(self, at: datetime) -> tuple[datetime, datetime] | None:
        """The occurrence that ``at`` falls in, as (start, end) UTC, or None."""
        if self._last is not None:
            start, end, following = self._last
            if start <= at < end:
                return start, end
            if end <= at and (following is None or at < following):
                return None
        # The latest start at or before ``at`` has the latest end of those started by then.
        latest = None
        lower = _local(at - self.duration, self.tz) - timedelta(days=1)
        rule = self._since(lower)
        for wall in rule.between(lower, _local(at, self.tz) + timedelta(days=1), inc=True):
            begins = _instant(wall, self.tz)
            if begins > at:
                break
            latest = begins
        if latest is None:
            self._last = None
            return None
        self._last = (latest, latest + self.duration, self.next_start(at))
        return (latest, latest + self.duration) if at < latest + self.duration else None

    def next_start(self, after: datetime) -> datetime | None:
        """The first occurrence starting after ``after``, UTC."""
        local = _local(after, self.tz)
        wall = self._since(local).after(local)
        return _instant(wall, self.tz) if wall is not None else None

    def _since(self, wall: datetime) -> _rrule.rrule:
        """The rule moved forward by whole periods to start at ``wall`` at the latest: the
        same occurrences from there on, without walking those before (an occurrence its new
        first start would drop comes before it, so before ``wall``)."""
        first, period = self.parsed.first, self.parsed.period
        if period is None or wall < first + period:
            return self.parsed.rule
        return self.parsed.rule.replace(dtstart=first + (wall - first) // period * period)


@lru_cache(maxsize=1024)
def _parsed(rule: str, start: datetime, tz_name: str) -> _Rule:
    tz = zone(tz_name)
    text = _rule_text(rule)
    if not text:
        raise Invalid.field("rrule", "must not be empty")
    if "DTSTART" in text.upper() or "\n" in text:
        raise Invalid.field("rrule", "one RRULE only; its first start is starts_at")
    try:
        parsed = _rrule.rrulestr(text, dtstart=_local(start, tz))
    except (ValueError, TypeError, KeyError) as exc:
        raise Invalid.field("rrule", f"not an RFC 5545 RRULE: {exc}") from None
    if not isinstance(parsed, _rrule.rrule):  # pragma: no cover - rrulestr with one rule
        raise Invalid.field("rrule", "one RRULE only")
    if re.search(r"FREQ=(SECONDLY|MINUTELY)\b", text.upper()):
        raise Invalid.field("rrule", "FREQ must be HOURLY or less frequent")
    parts = _parts(text)
    for name in ("BYMINUTE", "BYSECOND"):
        if len(set(parts.get(name, "").split(","))) > 1:
            raise Invalid.field("rrule", f"{name}: one value at most (at most one start an hour)")
    if "BYEASTER" in parts:  # dateutil's own, not RFC 5545's; its cycle is millions of years
        raise Invalid.field("rrule", "BYEASTER is not an RFC 5545 rule part")
    interval = int(parts.get("INTERVAL") or 1)
    if not 1 <= interval <= MAX_INTERVAL:
        raise Invalid.field("rrule", f"INTERVAL must be between 1 and {MAX_INTERVAL}")
    if int(parts.get("COUNT") or 0) > MAX_COUNT:
        raise Invalid.field("rrule", f"COUNT must be at most {MAX_COUNT} (or use UNTIL)")
    step = _PERIODS.get(parts.get("FREQ", ""))
    period = step * interval if step is not None and "COUNT" not in parts else None
    return _Rule(parsed, _local(start, tz), period, interval)


def recurrence(rule: str, start: datetime, tz_name: str, duration: float) -> Recurrence:
    """The recurrence of a window, its rule parsed once per (rule, start, zone)."""
    return Recurrence(
        parsed=_parsed(rule, start, tz_name or "UTC"),
        tz=zone(tz_name or "UTC"),
        duration=timedelta(seconds=duration),
    )


def check_recurrence(rule: str, start: datetime, tz_name: str, duration: float) -> None:
    """Refuse, naming the field, a rule that cannot be read, an unknown zone, a duration that
    is not positive or longer than 31 days, or a rule with no occurrence at all."""
    zone(tz_name or "UTC")
    if not duration or duration <= 0:
        raise Invalid.field("duration", "must be a positive number of seconds")
    if timedelta(seconds=duration) > MAX_DURATION:
        raise Invalid.field("duration", "must be at most 31 days")
    parsed = _parsed(rule, start, tz_name or "UTC")
    if _never(parsed) or parsed.rule.after(parsed.first, inc=True) is None:
        raise Invalid.field("rrule", "has no occurrence from starts_at on")


# The Gregorian calendar repeats every 400 years: leap years, weekdays and week numbers.
_CYCLE_YEARS = 400


def _never(parsed: _Rule) -> bool:
    """Whether the rule matches nothing at all from its first start (whatever its COUNT and
    UNTIL). dateutil looks for an occurrence one period at a time up to the year 9999, seconds
    of CPU for a rule that matches nothing (30 February, hourly), and UNTIL does not stop it.
    What a rule matches repeats every cycle of the calendar times its INTERVAL (a shift that
    keeps the dates, weekdays and the INTERVAL's steps alike), so one cycle is looked at, as
    late as the year 9999 leaves room for: the walk is at most one cycle long."""
    cycle = _CYCLE_YEARS * parsed.interval
    first = parsed.first
    later = first.replace(year=first.year + max((9999 - first.year) // cycle - 1, 0) * cycle)
    probe = parsed.rule.replace(dtstart=later, count=None, until=None)
    return probe.after(later, inc=True) is None


def silence_end(silence: Silence, at: datetime) -> datetime | None:
    """When the window of ``silence`` that ``at`` falls in ends; None when it does not hold at
    ``at`` (before its start, after its end, or between two occurrences of a recurring one).
    A recurring one stored before its rule was checked applies to nothing, nor does one stored
    with times without a UTC offset (compared with ``at`` they would fail every alert)."""
    if silence.starts_at.utcoffset() is None or silence.ends_at.utcoffset() is None:
        return None
    if not silence.starts_at <= at < silence.ends_at:
        return None
    if not silence.rrule:
        return silence.ends_at
    try:
        found = recurrence(
            silence.rrule, silence.starts_at, silence.timezone, silence.duration
        ).window_at(at)
    except Invalid:
        return None
    return min(found[1], silence.ends_at) if found is not None else None


def silence_name(silence: Silence) -> str:
    """How a window names a silence: ``silence <id>`` and the first line of its comment."""
    comment = silence.comment.strip().splitlines()[0][:120] if silence.comment.strip() else ""
    return f"silence {silence.id}" + (f" ({comment})" if comment else "")


def whole_service(silence: Silence) -> str:
    """The service a silence covers as a whole (its only condition ``service = <name>``), or
    "": such a silence is a maintenance window of that service."""
    names = {m.value for m in silence.matchers if m.label == "service" and m.op == "="}
    if len(names) != 1 or len(silence.matchers) != 1:
        return ""
    return names.pop()


def in_maintenance(since: datetime | None, until: datetime | None, at: datetime) -> bool:
    """Whether a service's maintenance from ``since`` (None: already begun) to ``until`` holds
    at ``at``: one planned to begin later does not hold yet, one that ended no longer."""
    return until is not None and at < until and (since is None or since <= at)


def maintenance_name(service: str, until: datetime) -> str:
    """How a window names a service's maintenance: ``maintenance of <service> until <end>``."""
    return f"maintenance of {service} until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def service_windows(silences: Sequence[Silence], at: datetime) -> dict[str, tuple[datetime, str]]:
    """The services a silence covers as a whole (its one condition ``service = <name>``) that
    are in one of its windows at ``at``: the end of that window and its name, by service (the
    latest end when several hold)."""
    found: dict[str, tuple[datetime, str]] = {}
    for silence in silences:
        service = whole_service(silence)
        end = silence_end(silence, at) if service else None
        if end is not None and (service not in found or found[service][0] < end):
            found[service] = (end, silence_name(silence))
    return found
