"""RFC 5545 pieces shared by the calendars IMAS writes by hand (on-call shifts, maintenance
windows): text escaping, line folding at 75 octets, UTC instants and one VEVENT."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

__all__ = ["END", "escape", "event", "fold", "stamp"]

END = "END:VCALENDAR"


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


def event(
    start: datetime,
    end: datetime,
    summary: str,
    *,
    now: datetime,
    uid_seed: str = "",
    description: str = "",
) -> list[str]:
    """The content lines of one VEVENT (unfolded); its UID is stable across refreshes."""
    seed = f"{uid_seed}|{stamp(start)}|{stamp(end)}"
    uid = hashlib.sha1(seed.encode()).hexdigest()[:24]
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}@imas",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(end)}",
        f"SUMMARY:{escape(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape(description)}")
    return [*lines, "END:VEVENT"]
