"""On-call schedules, escalation policies, who is on call, calendars and escalation history:
the HTTP face of the escalation service's request/reply endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.escalation import (
    CalendarReply,
    CheckConfig,
    ConfigReport,
    Deleted,
    DeletePolicy,
    DeleteSchedule,
    EscalationHistory,
    GetCalendar,
    GetHistory,
    GetPolicy,
    GetSchedule,
    ListPolicies,
    ListSchedules,
    NextShifts,
    OnCallReply,
    PolicyList,
    PolicySpec,
    PolicyView,
    PutPolicy,
    PutSchedule,
    ScheduleList,
    ScheduleSpec,
    ScheduleView,
    ShiftList,
    WhoIsOnCall,
)
from imas_contracts.incidents import GetIncident
from imas_gateway import api_params as params
from imas_gateway.auth import role
from imas_gateway.query_params import INSTANT, TEAM_FILTER
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream

MANAGER = role("manager")
_DEPENDENCIES = MESH_DEPENDENCIES


def _json(message: msgspec.Struct) -> Any:
    return msgspec.to_builtins(message)


# Litestar adds the charset of text answers itself.
ICALENDAR = "text/calendar"


def _calendar(reply: CalendarReply) -> Response[str]:
    return Response(reply.body, media_type=ICALENDAR)


class ScheduleController(Controller):
    """On-call schedules: rotations, layers, restrictions and overrides, in the schedule's
    time zone; the answer of a write lists the gaps found in the next two weeks."""

    path = "/api/v1/schedules"
    tags = ["on-call"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/", dependencies=TEAM_FILTER, opt={"answer": ScheduleList})
    async def list_schedules(
        self, mesh: NamedDependency[Upstream], team_id: NamedDependency[str | None]
    ) -> Any:
        return _json(await mesh.ask(ListSchedules(team_id=team_id), ScheduleList))

    @post("/", status_code=201, opt=role("manager", body=ScheduleSpec, answer=ScheduleView))
    async def create(self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream]) -> Any:
        spec = params.decode_body(await request.body(), ScheduleSpec)
        spec = msgspec.structs.replace(spec, id="")
        return _json(await mesh.ask(PutSchedule(schedule=spec), ScheduleView))

    @get("/{schedule_id:str}/", opt={"answer": ScheduleView})
    async def detail(self, mesh: NamedDependency[Upstream], schedule_id: str) -> Any:
        return _json(await mesh.ask(GetSchedule(id=schedule_id), ScheduleView))

    @put("/{schedule_id:str}/", opt=role("manager", body=ScheduleSpec, answer=ScheduleView))
    async def replace(
        self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream], schedule_id: str
    ) -> Any:
        spec = params.decode_body(await request.body(), ScheduleSpec)
        spec = msgspec.structs.replace(spec, id=schedule_id)
        return _json(await mesh.ask(PutSchedule(schedule=spec), ScheduleView))

    @delete("/{schedule_id:str}/", opt=MANAGER)
    async def remove(self, mesh: NamedDependency[Upstream], schedule_id: str) -> None:
        await mesh.ask(DeleteSchedule(id=schedule_id), Deleted)

    @get(
        "/{schedule_id:str}/oncall/",
        summary="Who is on call on this schedule now or ?at=",
        dependencies=INSTANT,
        opt={"answer": OnCallReply},
    )
    async def on_call(
        self,
        mesh: NamedDependency[Upstream],
        schedule_id: str,
        moment: NamedDependency[datetime | None],
    ) -> Any:
        query = WhoIsOnCall(schedule_id=schedule_id, at=moment)
        return _json(await mesh.ask(query, OnCallReply))

    @get(
        "/{schedule_id:str}/shifts/",
        summary="The next ?count= shifts from now or ?at=, gaps included",
        dependencies=INSTANT,
        opt={"answer": ShiftList},
    )
    async def shifts(
        self,
        mesh: NamedDependency[Upstream],
        schedule_id: str,
        moment: NamedDependency[datetime | None],
        count: int = Parameter(default=10, ge=1, le=100, description="How many shifts"),
    ) -> Any:
        query = NextShifts(schedule_id=schedule_id, count=count, start=moment)
        return _json(await mesh.ask(query, ShiftList))

    @get(
        "/{schedule_id:str}/calendar.ics",
        summary="The schedule as an iCal feed",
        media_type=ICALENDAR,
    )
    async def calendar(self, mesh: NamedDependency[Upstream], schedule_id: str) -> Response[str]:
        return _calendar(await mesh.ask(GetCalendar(schedule_id=schedule_id), CalendarReply))


class PolicyController(Controller):
    """Escalation policies: ordered steps with delays, targets and channels, repeats."""

    path = "/api/v1/escalation-policies"
    tags = ["on-call"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/", dependencies=TEAM_FILTER, opt={"answer": PolicyList})
    async def list_policies(
        self, mesh: NamedDependency[Upstream], team_id: NamedDependency[str | None]
    ) -> Any:
        return _json(await mesh.ask(ListPolicies(team_id=team_id), PolicyList))

    @post("/", status_code=201, opt=role("manager", body=PolicySpec, answer=PolicyView))
    async def create(self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream]) -> Any:
        spec = params.decode_body(await request.body(), PolicySpec)
        spec = msgspec.structs.replace(spec, id="")
        return _json(await mesh.ask(PutPolicy(policy=spec), PolicyView))

    @get("/{policy_id:str}/", opt={"answer": PolicyView})
    async def detail(self, mesh: NamedDependency[Upstream], policy_id: str) -> Any:
        return _json(await mesh.ask(GetPolicy(id=policy_id), PolicyView))

    @put("/{policy_id:str}/", opt=role("manager", body=PolicySpec, answer=PolicyView))
    async def replace(
        self, request: Request[Any, Any, Any], mesh: NamedDependency[Upstream], policy_id: str
    ) -> Any:
        spec = params.decode_body(await request.body(), PolicySpec)
        spec = msgspec.structs.replace(spec, id=policy_id)
        return _json(await mesh.ask(PutPolicy(policy=spec), PolicyView))

    @delete("/{policy_id:str}/", opt=MANAGER)
    async def remove(self, mesh: NamedDependency[Upstream], policy_id: str) -> None:
        await mesh.ask(DeletePolicy(id=policy_id), Deleted)


class OnCallController(Controller):
    """Who is on call for a team, a person's calendar, an incident's escalation, checks."""

    path = "/api/v1"
    tags = ["on-call"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get(
        "/teams/{team_id:str}/oncall/",
        summary="Who is on call for a team, per level, now or ?at=",
        dependencies=INSTANT,
        opt={"answer": OnCallReply},
    )
    async def team_on_call(
        self,
        mesh: NamedDependency[Upstream],
        team_id: str,
        moment: NamedDependency[datetime | None],
    ) -> Any:
        query = WhoIsOnCall(team_id=team_id, at=moment)
        return _json(await mesh.ask(query, OnCallReply))

    @get(
        "/people/{person_id:str}/calendar.ics",
        summary="A person's shifts as an iCal feed",
        media_type=ICALENDAR,
    )
    async def person_calendar(
        self, mesh: NamedDependency[Upstream], person_id: str
    ) -> Response[str]:
        return _calendar(await mesh.ask(GetCalendar(person_id=person_id), CalendarReply))

    @get(
        "/incidents/{ref:str}/escalation/",
        summary="An incident's escalation history",
        opt={"answer": EscalationHistory},
    )
    async def history(self, mesh: NamedDependency[Upstream], ref: str) -> Any:
        incident = (await mesh.incident(GetIncident(id=ref))).incident
        return _json(await mesh.ask(GetHistory(incident_id=incident.id), EscalationHistory))

    @get(
        "/escalation/check/",
        summary="Policies reaching nobody, gaps, people without contact",
        dependencies=TEAM_FILTER,
        opt={"answer": ConfigReport},
    )
    async def check(
        self, mesh: NamedDependency[Upstream], team_id: NamedDependency[str | None]
    ) -> Any:
        return _json(await mesh.ask(CheckConfig(team_id=team_id), ConfigReport))


ESCALATION_ROUTES = [ScheduleController, PolicyController, OnCallController]
