"""Maintenance windows in the on-call iCal feeds: a schedule's feed (and a person's) also
holds the windows of the services their teams own, for the feed's 30 days: each occurrence of
a silence that names one of those services (``service = <name>``), recurring ones expanded on
their zone's wall clock, and a service's own maintenance until its end."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from imas_contracts.catalog import CatalogEntries, ListCatalog, ServiceEntry
from imas_contracts.ingest import ListSilences, Silence, SilenceList
from imas_gateway.http.upstream import Upstream
from imas_runtime import ical, windows
from imas_runtime.errors import ServiceError

DAYS = 30


def _services_named(silence: Silence) -> set[str]:
    return {m.value for m in silence.matchers if m.label == "service" and m.op == "="}


def _spans(silence: Silence, after: datetime, before: datetime) -> list[tuple[datetime, datetime]]:
    """The silence's windows that overlap ``[after, before)``, each within its bounds."""
    if not silence.rrule:
        overlaps = silence.starts_at < before and silence.ends_at > after
        return [(silence.starts_at, silence.ends_at)] if overlaps else []
    try:
        series = windows.recurrence(
            silence.rrule, silence.starts_at, silence.timezone, silence.duration
        )
    except ServiceError:
        return []
    lower, upper = max(after, silence.starts_at), min(before, silence.ends_at)
    return [
        (start, min(end, silence.ends_at))
        for start, end in series.occurrences(lower, upper)
        if start >= silence.starts_at
    ]


def window_events(
    services: Iterable[ServiceEntry], silences: Iterable[Silence], now: datetime
) -> list[str]:
    """The VEVENT lines of the windows of ``services`` in the next :data:`DAYS` days."""
    names = {s.name for s in services}
    horizon = now + timedelta(days=DAYS)
    lines: list[str] = []
    for service in services:
        until = service.maintenance_until
        if until is not None and until > now:
            why = f": {service.maintenance_reason}" if service.maintenance_reason else ""
            lines += ical.event(
                service.maintenance_since or now,
                until,
                f"Maintenance: {service.name}{why}",
                now=now,
                uid_seed=f"maintenance|{service.id}",
                description="Alerts suppressed; escalations of open incidents wait.",
            )
    for silence in silences:
        named = sorted(_services_named(silence) & names)
        if not named:
            continue
        summary = f"Maintenance window: {', '.join(named)}"
        if silence.comment:
            summary += f" ({silence.comment.strip().splitlines()[0]})"
        for start, end in _spans(silence, now, horizon):
            lines += ical.event(
                start,
                end,
                summary,
                now=now,
                uid_seed=f"silence|{silence.id}",
                description="Alerts matching the silence are suppressed.",
            )
    return lines


def with_windows(body: str, lines: list[str]) -> str:
    """The calendar ``body`` with the VEVENT ``lines`` added before its end."""
    if not lines or ical.END not in body:
        return body
    head, _, tail = body.rpartition(ical.END)
    added = "".join(ical.fold(line) + "\r\n" for line in lines)
    return f"{head}{added}{ical.END}{tail}"


async def team_windows(mesh: Upstream, team_ids: set[str], body: str) -> str:
    """``body`` with the windows of the services of ``team_ids``; unchanged when ingest or
    incidents cannot say (the shifts matter more than the windows)."""
    if not team_ids:
        return body
    try:
        catalog = await mesh.ask(ListCatalog(kind="service"), CatalogEntries)
        silences = await mesh.ask(ListSilences(), SilenceList)
    except ServiceError:
        return body
    owned = [s for s in catalog.services if s.team is not None and s.team.id in team_ids]
    return with_windows(body, window_events(owned, silences.silences, datetime.now(UTC)))
