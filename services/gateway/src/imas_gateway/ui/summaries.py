"""What the home and analytics pages show, shaped from the services' replies: pure functions.

The services answer in the shapes their APIs document (a breakdown sorted by count, sparse
heatmap cells, shifts and escalation levels); pages read better with severities in their own
order, a full weekday-by-hour grid and people named with the end of their shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imas_contracts.escalation import OnCallReply
from imas_contracts.incidents import SEVERITIES
from imas_contracts.kpis import KpiBreakdown, KpiHeatmap

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# How many shades the heatmap uses besides "none": the busiest hour gets the darkest.
HEAT_LEVELS = 4


def severity_counts(breakdown: KpiBreakdown) -> list[tuple[str, int]]:
    """Incidents per severity, SEV1 first and every severity present (zero when none)."""
    counts = {g.key: g.figures.count for g in breakdown.groups}
    return [(s, counts.get(s, 0)) for s in SEVERITIES]


@dataclass(frozen=True)
class HeatRow:
    weekday: str
    cells: list[tuple[int, int]]  # (count, shade from 0 to HEAT_LEVELS), one per hour


def heat_grid(heatmap: KpiHeatmap) -> list[HeatRow]:
    """Seven rows (Monday first) of 24 hours each, every cell with its count and shade."""
    counts = {(c.weekday, c.hour): c.count for c in heatmap.cells}
    busiest = max(counts.values(), default=0)

    def shade(count: int) -> int:
        return 0 if count == 0 else max(1, round(HEAT_LEVELS * count / busiest))

    return [
        HeatRow(
            weekday=name,
            cells=[
                (counts.get((day, hour), 0), shade(counts.get((day, hour), 0)))
                for hour in range(24)
            ],
        )
        for day, name in enumerate(WEEKDAYS, start=1)
    ]


@dataclass(frozen=True)
class OnCallNow:
    """Who answers for a team now: people (with the end of their shift when a schedule puts
    them there), or why nobody does."""

    team: str
    people: list[tuple[str, datetime | None]]
    note: str = ""


def on_call_now(team: str, reply: OnCallReply | None) -> OnCallNow:
    """The people on call for ``team`` from its schedules, else those the first level of its
    policy pages; a team channel or nothing at all is said in words."""
    if reply is None:
        return OnCallNow(team, [], "unknown (the escalation service does not answer)")
    people: list[tuple[str, datetime | None]] = []
    for shift in reply.schedules:
        if shift.person is not None and shift.person.name not in (p for p, _ in people):
            people.append((shift.person.name, shift.end))
    if people:
        return OnCallNow(team, people)
    if reply.schedules:
        return OnCallNow(team, [], "nobody: a gap in the schedule")
    targets = reply.levels[0].targets if reply.levels else []
    for target in targets:
        kind, _, _ = target.id.rpartition(":")
        if kind in ("", "person"):
            people.append((target.name, None))
    if people:
        return OnCallNow(team, people)
    if targets:
        return OnCallNow(team, [], "no schedule: pages the team's channel")
    return OnCallNow(team, [], "nobody: no schedule and no escalation policy")
