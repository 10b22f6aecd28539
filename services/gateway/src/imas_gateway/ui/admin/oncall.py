"""On-call pages: schedules (rotations, their restrictions, overrides; the coming weeks
previewed before saving) and escalation policies (steps, targets, delays, repeats)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from markupsafe import Markup

from imas_contracts.escalation import Override, Shift, StepTarget
from imas_contracts.incidents import SEVERITIES
from imas_gateway.ui.admin.catalog import CHANNELS
from imas_gateway.ui.admin.fields import Field, Group
from imas_gateway.ui.admin.resource import (
    Action,
    Column,
    Item,
    Resource,
    Shown,
    Trial,
    lines,
    named,
    text,
)
from imas_gateway.ui.oncall_calendar import calendar_weeks, first_monday
from imas_gateway.ui.oncall_pages import describe_target
from imas_gateway.ui.render import severity_label

GROUP = "On call"
PREVIEW_WEEKS = 4
# The most shifts the escalation service answers at once.
MAX_SHIFTS = 500
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHIFTS = (
    ("weekly", "weekly"),
    ("daily", "daily"),
    ("hourly", "every few hours (hours below)"),
    ("custom", "custom length (hours below)"),
)


async def _preview(trial: Trial) -> dict[str, Any]:
    """The coming weeks of the schedule as the form has it, day by day, before it is saved."""
    try:
        zone = ZoneInfo(str(trial.body.get("time_zone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        # The API refuses the zone itself, next to its input.
        zone = ZoneInfo("UTC")
    now = datetime.now(UTC)
    monday = first_monday(now, zone)
    start = datetime.combine(monday, time(0), tzinfo=zone)
    answer = await trial.api.call(
        "POST",
        "/api/v1/schedules/preview/",
        trial.body,
        params={"count": MAX_SHIFTS, "at": start.isoformat()},
    )
    shifts = msgspec.convert(answer.get("shifts") or [], list[Shift])
    overrides = msgspec.convert(trial.body.get("overrides") or [], list[Override])
    weeks = calendar_weeks(
        shifts, overrides, first_day=monday, weeks=PREVIEW_WEEKS, tz=zone, now=now
    )
    gaps = any(e.gap for week in weeks for day in week for e in day.entries)
    return {"calendar": weeks, "zone": zone.key, "gaps": gaps}


def _rotations(schedule: Item, shown: Shown) -> str | Markup:
    return (
        lines(
            *(
                f"{layer.get('name') or f'Rotation {i}'}: {layer.get('shift')}, "
                + ", ".join(shown.name("people", m) for m in layer.get("members") or [])
                for i, layer in enumerate(schedule.get("layers") or [], start=1)
            )
        )
        or "—"
    )


SCHEDULES = Resource(
    slug="schedules",
    title="Schedules",
    noun="schedule",
    api="/api/v1/schedules/",
    group=GROUP,
    blurb="Who is on call when: rotations take turns, later ones win where their hours allow, "
    "overrides win over all.",
    one="schedule",
    fields=(
        Field("name", "Name"),
        Field("team_id", "Team", kind="select", choices="teams"),
        Field(
            "time_zone",
            "Time zone",
            placeholder="Europe/Paris",
            help="Handoffs follow it, DST included.",
            initial="UTC",
        ),
        Field(
            "handoff_notifications",
            "Tell people when their shift starts",
            kind="bool",
            initial=True,
        ),
        Group(
            "layers",
            "Rotation",
            (
                Field("name", "Rotation name", placeholder="Primary"),
                Field(
                    "members",
                    "Members, in turn",
                    kind="ordered",
                    choices="people",
                ),
                Field("shift", "Shift", kind="select", choices=SHIFTS, initial="weekly"),
                Field("shift_hours", "Shift length (hours)", kind="int", initial="12"),
                Field(
                    "start",
                    "First handoff",
                    kind="local",
                    zone="time_zone",
                    help="A wall time in the schedule's zone: later handoffs keep it.",
                ),
                Group(
                    "restrictions",
                    "Window",
                    (
                        Field(
                            "days",
                            "Days",
                            kind="checks",
                            numbers=True,
                            choices=tuple((str(i), d) for i, d in enumerate(DAYS)),
                            initial=[str(i) for i in range(5)],
                        ),
                        Field("start", "From", kind="clock", initial="09:00"),
                        Field(
                            "end",
                            "To",
                            kind="clock",
                            help="Before From: overnight.",
                            initial="18:00",
                        ),
                    ),
                    help="Only during these hours (none: all the time).",
                    title="Hours",
                ),
            ),
            blank_rows=1,
        ),
        Group(
            "overrides",
            "Override",
            (
                Field("person_id", "Who is on call", kind="select", choices="people"),
                Field(
                    "replaces",
                    "Instead of",
                    kind="select",
                    choices="people",
                    blank=None,
                    placeholder="whoever is on call",
                ),
                Field("start", "From", kind="instant", zone="time_zone"),
                Field("end", "To", kind="instant", zone="time_zone"),
            ),
        ),
    ),
    columns=(
        text("name", "Schedule"),
        named("team_id", "Team", "teams"),
        text("time_zone", "Time zone"),
        Column("Rotations", _rotations),
    ),
    lookups=("teams", "people"),
    links=lambda s: [("Calendar", f"/oncall/schedules/{s['id']}")],
    actions=(
        Action(
            name="preview",
            label="Preview the coming weeks",
            title=f"The next {PREVIEW_WEEKS} weeks, as the form stands",
            run=_preview,
            template="admin/_preview.html",
        ),
    ),
)


def _steps(policy: Item, shown: Shown) -> str | Markup:
    schedules, people, teams = (
        dict(shown.names.get(k, {})) for k in ("schedules", "people", "teams")
    )
    parts = []
    for step in policy.get("steps") or []:
        targets = msgspec.convert(step.get("targets") or [], list[StepTarget])
        whom = ", ".join(describe_target(t, schedules, people, teams)[0] for t in targets)
        delay = step.get("delay_minutes") or 0
        parts.append(f"{'At once' if not delay else f'After {delay:g} min'}: {whom}")
    return lines(*parts) or "—"


POLICIES = Resource(
    slug="escalation-policies",
    title="Escalation policies",
    noun="escalation policy",
    api="/api/v1/escalation-policies/",
    group=GROUP,
    blurb="Who is paged, over what, and how long after an incident opens while nobody "
    "acknowledges it.",
    one="policy",
    fields=(
        Field("name", "Name"),
        Field("team_id", "Team", kind="select", choices="teams"),
        Field(
            "severities",
            "For",
            kind="checks",
            choices=tuple((s, severity_label(s)) for s in SEVERITIES),
            help="None: every severity.",
        ),
        Group(
            "steps",
            "Step",
            (
                Field("delay_minutes", "After (minutes)", kind="number", initial="0"),
                Field("targets", "Page", kind="targets", choices="targets"),
                Field(
                    "channels",
                    "Over",
                    kind="checks",
                    choices=tuple((c, c) for c in CHANNELS),
                    initial=["slack"],
                ),
            ),
            blank_rows=1,
        ),
        Field(
            "repeat",
            "Repeat the steps",
            kind="int",
            help="How many more rounds after the last step.",
            initial="0",
        ),
        Field("repeat_delay_minutes", "Between rounds (minutes)", kind="number", initial="5"),
        Field("round_robin", "Page one target per round, in turn", kind="bool"),
        Field(
            "reminder_minutes",
            "Remind every (minutes)",
            kind="number",
            help="While nobody acknowledges; empty: no reminder.",
        ),
    ),
    columns=(
        text("name", "Policy"),
        named("team_id", "Team", "teams"),
        Column(
            "For",
            lambda p, _: (
                ", ".join(severity_label(s) for s in p.get("severities") or []) or "every severity"
            ),
        ),
        Column("Steps", _steps),
    ),
    lookups=("teams", "people", "schedules"),
    links=lambda _: [("On-call view", "/oncall/policies")],
)

RESOURCES = (SCHEDULES, POLICIES)
