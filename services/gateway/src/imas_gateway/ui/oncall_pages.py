"""On-call pages: schedules, one schedule as a calendar of the coming weeks, escalation
policies, and the configuration check.

Readable by every role, like ``/api/v1/schedules/`` and ``/api/v1/escalation-policies/``; the
data comes from the escalation service through the same bus requests as the API.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Response, get
from litestar.params import FromPath

from imas_contracts.catalog import CatalogEntries, CatalogKind, ListCatalog
from imas_contracts.escalation import (
    CheckConfig,
    ConfigReport,
    GetSchedule,
    ListPolicies,
    ListSchedules,
    NextShifts,
    PolicyList,
    ScheduleList,
    ScheduleView,
    ShiftList,
    StepTarget,
)
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_gateway.ui.admin.api import may
from imas_gateway.ui.auth_pages import current
from imas_gateway.ui.oncall_calendar import calendar_weeks, first_monday
from imas_gateway.ui.render import render
from imas_runtime.errors import Invalid

DEFAULT_WEEKS = 4
MAX_WEEKS = 8
# The most shifts the escalation service answers at once: enough for hourly rotations' weeks.
MAX_SHIFTS = 500


async def _names(mesh: Upstream, kind: CatalogKind) -> dict[str, str]:
    """Catalog ids to names, for ``person`` or ``team``."""
    entries = await mesh.ask(ListCatalog(kind=kind), CatalogEntries)
    found = entries.people if kind == "person" else entries.teams
    return {e.id: e.name for e in found}


def _weeks(request: Request) -> int:
    raw = request.query_params.get("weeks", str(DEFAULT_WEEKS))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WEEKS:
        raise Invalid.field("weeks", f"must be a number of weeks from 1 to {MAX_WEEKS}")
    return int(raw)


@get("/oncall/schedules", include_in_schema=False)
async def schedules(request: Request) -> Response[str]:
    """Every schedule (``?team=`` narrows), its team, zone, rotations and upcoming overrides."""
    current(request)
    mesh = request.gateway.mesh
    team = request.query_params.get("team") or None
    found, teams, people = await asyncio.gather(
        mesh.ask(ListSchedules(team_id=team), ScheduleList),
        _names(mesh, "team"),
        _names(mesh, "person"),
    )
    now = datetime.now(UTC)
    upcoming = {s.id: [o for o in s.overrides if o.end > now] for s in found.schedules}
    return render(
        request,
        "schedules.html",
        schedules=found.schedules,
        teams=teams,
        people=people,
        upcoming=upcoming,
        team=team or "",
    )


@get("/oncall/schedules/{schedule_id:str}", include_in_schema=False)
async def schedule_calendar(request: Request, schedule_id: FromPath[str]) -> Response[str]:
    """The schedule's next weeks (``?weeks=``, 4 by default) day by day in its time zone, with
    its overrides, the gaps of the next two weeks and its rotations."""
    session = current(request)
    weeks = _weeks(request)
    mesh = request.gateway.mesh
    view = await mesh.ask(GetSchedule(id=schedule_id), ScheduleView)
    spec = view.schedule
    tz = ZoneInfo(spec.time_zone)
    now = datetime.now(UTC)
    monday = first_monday(now, tz)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    shifts, people, teams = await asyncio.gather(
        mesh.ask(NextShifts(schedule_id=spec.id, count=MAX_SHIFTS, start=start), ShiftList),
        _names(mesh, "person"),
        _names(mesh, "team"),
    )
    calendar = calendar_weeks(
        shifts.shifts, spec.overrides, first_day=monday, weeks=weeks, tz=tz, now=now
    )
    return render(
        request,
        "schedule.html",
        schedule=spec,
        team=teams.get(spec.team_id, spec.team_id),
        calendar=calendar,
        overrides=[o for o in spec.overrides if o.end > now],
        gaps=view.gaps,
        people=people,
        weeks=weeks,
        max_weeks=MAX_WEEKS,
        editable=may(request.app, session.role, "PUT", f"/api/v1/schedules/{spec.id}/"),
    )


def describe_target(
    target: StepTarget, schedules: dict[str, str], people: dict[str, str], teams: dict[str, str]
) -> tuple[str, str]:
    """(what the step pages, in words; a link to it or "")."""
    match target.kind:
        case "schedule":
            name = schedules.get(target.id, target.id)
            return f"on call of {name}", f"/oncall/schedules/{target.id}"
        case "person":
            return people.get(target.id, target.id), ""
        case "team":
            return f"channel of {teams.get(target.id, 'the team')}", ""
        case "manager":
            return f"manager of {teams.get(target.id, 'the team')}", ""
        case "members":
            return f"members of {teams.get(target.id, 'the team')}", ""
        case _:
            return f"people with the role {target.id}", ""


@get("/oncall/policies", include_in_schema=False)
async def policies(request: Request) -> Response[str]:
    """Every escalation policy (``?team=`` narrows) with its steps, delays and targets."""
    session = current(request)
    mesh = request.gateway.mesh
    team = request.query_params.get("team") or None
    found, schedule_list, people, teams = await asyncio.gather(
        mesh.ask(ListPolicies(team_id=team), PolicyList),
        mesh.ask(ListSchedules(), ScheduleList),
        _names(mesh, "person"),
        _names(mesh, "team"),
    )
    names = {s.id: s.name for s in schedule_list.schedules}

    def targets(step: Any) -> list[tuple[str, str]]:
        return [describe_target(t, names, people, teams) for t in step.targets]

    editable = may(request.app, session.role, "PUT", "/api/v1/escalation-policies/x/")
    return render(
        request,
        "policies.html",
        policies=found.policies,
        teams=teams,
        targets=targets,
        editable=editable,
    )


@get("/oncall/check", include_in_schema=False)
async def check(request: Request) -> Response[str]:
    """What the configuration would not deliver (``?team=`` narrows): the answer of
    ``GET /api/v1/escalation/check/``, by team then step."""
    current(request)
    mesh = request.gateway.mesh
    team = request.query_params.get("team") or None
    report, teams = await asyncio.gather(
        mesh.ask(CheckConfig(team_id=team), ConfigReport), _names(mesh, "team")
    )
    problems = sorted(report.problems, key=lambda p: (p.team, p.step, p.channel, p.kind))
    return render(
        request, "oncall_check.html", report=report, problems=problems, teams=teams, team=team
    )


ONCALL_ROUTES = [schedules, schedule_calendar, policies, check]
