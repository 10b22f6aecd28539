"""RFC 5545 calendars of on-call shifts (``text/calendar``), written by hand: CRLF line ends,
lines folded at 75 octets, text values escaped, instants in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from imas_runtime.ical import escape, event, fold

PRODID = "-//IMAS//On-call//EN"


@dataclass(frozen=True)
class CalendarEvent:
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    uid_seed: str = ""


def calendar(name: str, events: Iterable[CalendarEvent], *, now: datetime) -> str:
    """A VCALENDAR with one VEVENT per shift; UIDs are stable across refreshes."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for shift in events:
        lines += event(
            shift.start,
            shift.end,
            shift.summary,
            now=now,
            uid_seed=shift.uid_seed,
            description=shift.description,
        )
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
