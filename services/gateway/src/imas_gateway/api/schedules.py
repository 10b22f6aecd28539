"""``/api/v1/schedules/``: on-call schedules, who is on call on one, its next shifts and its
iCal feed (the escalation service answers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from imas_contracts.escalation import (
    CalendarReply,
    Deleted,
    DeleteSchedule,
    GetCalendar,
    GetSchedule,
    ListSchedules,
    NextShifts,
    OnCallReply,
    PreviewShifts,
    PutSchedule,
    ScheduleList,
    ScheduleSpec,
    ScheduleView,
    ShiftList,
    WhoIsOnCall,
)
from imas_gateway.api.maintenance_calendar import team_windows
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import reply_json
from imas_gateway.http.params import INSTANT, TEAM_FILTER
from imas_gateway.http.upstream import Upstream

MANAGER = role(Role.MANAGER)


# Litestar adds the charset of text answers itself.
ICALENDAR = "text/calendar"


def calendar_response(reply: CalendarReply) -> Response[str]:
    return Response(reply.body, media_type=ICALENDAR)


class ScheduleController(Controller):
    """On-call schedules: rotations, layers, restrictions and overrides, in the schedule's
    time zone; the answer of a write lists the gaps found in the next two weeks."""

    path = "/api/v1/schedules"
    tags = ["on-call"]
    opt = role(Role.VIEWER)

    @get("/", dependencies=TEAM_FILTER, opt={"answer": ScheduleList})
    async def list_schedules(
        self, mesh: NamedDependency[Upstream], team_id: NamedDependency[str | None]
    ) -> Any:
        return reply_json(await mesh.ask(ListSchedules(team_id=team_id), ScheduleList))

    @post("/", status_code=201, opt=role(Role.MANAGER, answer=ScheduleView))
    async def create(self, data: JSONBody[ScheduleSpec], mesh: NamedDependency[Upstream]) -> Any:
        spec = msgspec.structs.replace(data, id="")
        return reply_json(await mesh.ask(PutSchedule(schedule=spec), ScheduleView))

    @post(
        "/preview/",
        status_code=200,
        summary="The next ?count= shifts from now or ?at= of a schedule before it is saved",
        dependencies=INSTANT,
        # It reads and writes nothing, so it is no change to audit.
        opt=role(Role.VIEWER, audit=False, answer=ShiftList),
    )
    async def preview(
        self,
        data: JSONBody[ScheduleSpec],
        mesh: NamedDependency[Upstream],
        moment: NamedDependency[datetime | None],
        count: int = Parameter(default=10, ge=1, le=500, description="How many shifts"),
    ) -> Any:
        query = PreviewShifts(schedule=data, count=count, start=moment)
        return reply_json(await mesh.ask(query, ShiftList))

    @get("/{schedule_id:str}/", opt={"answer": ScheduleView})
    async def detail(self, mesh: NamedDependency[Upstream], schedule_id: FromPath[str]) -> Any:
        return reply_json(await mesh.ask(GetSchedule(id=schedule_id), ScheduleView))

    @put("/{schedule_id:str}/", opt=role(Role.MANAGER, answer=ScheduleView))
    async def replace(
        self,
        data: JSONBody[ScheduleSpec],
        mesh: NamedDependency[Upstream],
        schedule_id: FromPath[str],
    ) -> Any:
        spec = msgspec.structs.replace(data, id=schedule_id)
        return reply_json(await mesh.ask(PutSchedule(schedule=spec), ScheduleView))

    @delete("/{schedule_id:str}/", opt=MANAGER)
    async def remove(self, mesh: NamedDependency[Upstream], schedule_id: FromPath[str]) -> None:
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
        schedule_id: FromPath[str],
        moment: NamedDependency[datetime | None],
    ) -> Any:
        query = WhoIsOnCall(schedule_id=schedule_id, at=moment)
        return reply_json(await mesh.ask(query, OnCallReply))

    @get(
        "/{schedule_id:str}/shifts/",
        summary="The next ?count= shifts from now or ?at=, gaps included",
        dependencies=INSTANT,
        opt={"answer": ShiftList},
    )
    async def shifts(
        self,
        mesh: NamedDependency[Upstream],
        schedule_id: FromPath[str],
        moment: NamedDependency[datetime | None],
        count: int = Parameter(default=10, ge=1, le=100, description="How many shifts"),
    ) -> Any:
        query = NextShifts(schedule_id=schedule_id, count=count, start=moment)
        return reply_json(await mesh.ask(query, ShiftList))

    @get(
        "/{schedule_id:str}/calendar.ics",
        summary="The schedule as an iCal feed, with the maintenance windows of its team's services",
        media_type=ICALENDAR,
    )
    async def calendar(
        self, mesh: NamedDependency[Upstream], schedule_id: FromPath[str]
    ) -> Response[str]:
        reply = await mesh.ask(GetCalendar(schedule_id=schedule_id), CalendarReply)
        view = await mesh.ask(GetSchedule(id=schedule_id), ScheduleView)
        team = {view.schedule.team_id} if view.schedule.team_id else set()
        body = await team_windows(mesh, team, reply.body)
        return calendar_response(msgspec.structs.replace(reply, body=body))
