"""RFC 5545 calendars of on-call shifts (``text/calendar``), written by hand: CRLF line ends,
lines folded at 75 octets, text values escaped, instants in UTC."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//IMAS//On-call//EN"


@dataclass(frozen=True)
class CalendarEvent:
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    uid_seed: str = ""


def escape(text: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1), never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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
    for event in events:
        seed = f"{event.uid_seed}|{stamp(event.start)}|{stamp(event.end)}"
        uid = hashlib.sha1(seed.encode()).hexdigest()[:24]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@imas",
            f"DTSTAMP:{stamp(now)}",
            f"DTSTART:{stamp(event.start)}",
            f"DTEND:{stamp(event.end)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
