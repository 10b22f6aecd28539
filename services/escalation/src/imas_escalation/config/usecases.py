"""Use cases of escalation configuration: schedules and policies (CRUD), who is on call, the
next shifts, iCal feeds, configuration checks, and the local projection of the catalog."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts.escalation import (
    CalendarReply,
    CheckConfig,
    ConfigReport,
    Deleted,
    DeletePolicy,
    DeleteSchedule,
    GetCalendar,
    GetPolicy,
    GetSchedule,
    ListPolicies,
    ListSchedules,
    NextShifts,
    OnCallLevel,
    OnCallReply,
    PolicyList,
    PolicyView,
    PreviewShifts,
    PutPolicy,
    PutSchedule,
    ScheduleList,
    ScheduleSpec,
    ScheduleView,
    Shift,
    ShiftList,
    WhoIsOnCall,
)
from imas_contracts.incidents import CatalogChanged, Ref
from imas_contracts.notifier import CheckDelivery, ConfigProblem, DeliveryCheck
from imas_escalation import domain, store
from imas_escalation.config import checks
from imas_escalation.domain import Directory, PolicyError
from imas_escalation.models import policies, schedules
from imas_escalation.schedules import ical
from imas_escalation.schedules.domain import Calendar, ScheduleError, Segment, shifts_of, validate
from imas_escalation.timers.scheduler import Clock, SystemClock
from imas_runtime.consumer import Delivery
from imas_runtime.errors import Invalid, NotFound, ServiceError, Unavailable

GAP_HORIZON = timedelta(days=14)

# Asks the notifier which planned pages it could not deliver (raises ServiceError).
CheckDeliveryCall = Callable[[CheckDelivery], Awaitable[DeliveryCheck]]


async def _nobody_to_ask(_: CheckDelivery) -> DeliveryCheck:
    raise Unavailable("no notifier to ask")


def _shift(segment: Segment, directory: Directory, schedule_id: str) -> Shift:
    person = (
        Ref(id=segment.person, name=directory.person_name(segment.person))
        if segment.person
        else None
    )
    return Shift(start=segment.start, end=segment.end, person=person, schedule_id=schedule_id)


class ConfigUseCases:
    """Configuration over request/reply; reads never lock, writes are one transaction each."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock | None = None,
        on_timer: Callable[[datetime], None] = lambda _: None,
        default_minutes: Sequence[float] = domain.DEFAULT_STEP_MINUTES,
        check_delivery: CheckDeliveryCall | None = None,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self._on_timer = on_timer
        self.default_minutes = tuple(default_minutes)
        self._check_delivery = check_delivery or _nobody_to_ask

    # -- catalog projection ---------------------------------------------------------------------

    async def on_catalog_changed(self, event: CatalogChanged, _: Delivery | None = None) -> None:
        """Keep the local copy of teams and people. Safe to run twice (inbox; upserts).

        A service whose maintenance ended, or now ends earlier, moves the runs it held back
        by the difference (they go on at its new end); other kinds are acknowledged and
        ignored."""
        moved = None
        async with self.engine.begin() as conn:
            fresh = await store.catalog_projection.apply(conn, event)
            if fresh and event.kind == "service" and event.action == "upserted":
                end = domain.maintenance_end(
                    event.data.get("maintenance_until"),
                    self.clock.now(),
                    event.data.get("maintenance_since"),
                )
                moved = await store.end_hold(conn, event.name, end)
        if moved is not None:
            self._on_timer(moved)

    # -- schedules ------------------------------------------------------------------------------

    async def put_schedule(self, cmd: PutSchedule) -> ScheduleView:
        """Create or replace a schedule; its next handoff notification is (re)planned."""
        spec = cmd.schedule
        if spec.id and store.parse_uuid(spec.id) is None:
            raise Invalid.field("id", "must be a UUID")
        spec = msgspec.structs.replace(spec, id=spec.id or str(uuid.uuid4()))
        try:
            validate(spec)
            calendar = Calendar(spec)
        except ScheduleError as exc:
            raise Invalid.field(exc.field, exc.message) from exc
        now = self.clock.now()
        following = calendar.next_handoff(now) if spec.handoff_notifications else None
        async with self.engine.begin() as conn:
            await store.put_config(conn, schedules, spec)
            await store.cancel_handoffs(conn, spec.id)
            if following is not None:
                await store.add_timers(
                    conn,
                    [
                        {
                            "kind": "handoff",
                            "schedule_id": uuid.UUID(spec.id),
                            "due_at": following[0],
                        }
                    ],
                )
            directory = await store.load_directory(conn)
        if following is not None:
            self._on_timer(following[0])
        return self._view(spec, calendar, directory, now)

    def _view(
        self, spec: ScheduleSpec, calendar: Calendar, directory: Directory, now: datetime
    ) -> ScheduleView:
        gaps = calendar.gaps(now, now + GAP_HORIZON)
        return ScheduleView(schedule=spec, gaps=[_shift(g, directory, spec.id) for g in gaps])

    async def _schedule(self, conn: AsyncConnection, id_: str) -> ScheduleSpec:
        spec = await store.get_schedule(conn, id_)
        if spec is None:
            raise NotFound(f"no schedule {id_}")
        return spec

    async def get_schedule(self, query: GetSchedule) -> ScheduleView:
        async with self.engine.connect() as conn:
            spec = await self._schedule(conn, query.id)
            directory = await store.load_directory(conn)
        return self._view(spec, Calendar(spec), directory, self.clock.now())

    async def list_schedules(self, query: ListSchedules) -> ScheduleList:
        async with self.engine.connect() as conn:
            return ScheduleList(schedules=await store.list_schedules(conn, query.team_id))

    async def delete_schedule(self, cmd: DeleteSchedule) -> Deleted:
        async with self.engine.begin() as conn:
            if not await store.delete_config(conn, schedules, cmd.id):
                raise NotFound(f"no schedule {cmd.id}")
            await store.cancel_handoffs(conn, cmd.id)
        return Deleted(id=cmd.id)

    # -- policies -------------------------------------------------------------------------------

    async def put_policy(self, cmd: PutPolicy) -> PolicyView:
        """Create or replace a policy; running escalations keep the policy they started with."""
        policy = cmd.policy
        if policy.id and store.parse_uuid(policy.id) is None:
            raise Invalid.field("id", "must be a UUID")
        policy = msgspec.structs.replace(policy, id=policy.id or str(uuid.uuid4()))
        try:
            domain.validate_policy(policy)
        except PolicyError as exc:
            raise Invalid.field(exc.field, exc.message) from exc
        async with self.engine.begin() as conn:
            for i, step in enumerate(policy.steps):
                for j, target in enumerate(step.targets):
                    if (
                        target.kind == "schedule"
                        and await store.get_schedule(conn, target.id) is None
                    ):
                        raise Invalid.field(f"steps[{i}].targets[{j}].id", "unknown schedule")
            await store.put_config(conn, policies, policy)
        return PolicyView(policy=policy)

    async def get_policy(self, query: GetPolicy) -> PolicyView:
        async with self.engine.connect() as conn:
            policy = await store.get_policy(conn, query.id)
        if policy is None:
            raise NotFound(f"no policy {query.id}")
        return PolicyView(policy=policy)

    async def list_policies(self, query: ListPolicies) -> PolicyList:
        async with self.engine.connect() as conn:
            return PolicyList(policies=await store.list_policies(conn, query.team_id))

    async def delete_policy(self, cmd: DeletePolicy) -> Deleted:
        async with self.engine.begin() as conn:
            if not await store.delete_config(conn, policies, cmd.id):
                raise NotFound(f"no policy {cmd.id}")
        return Deleted(id=cmd.id)

    # -- queries --------------------------------------------------------------------------------

    async def who_is_on_call(self, query: WhoIsOnCall) -> OnCallReply:
        """Per schedule and per escalation level of the team's policy, at ``at`` (or now)."""
        at = query.at or self.clock.now()
        if at.tzinfo is None:
            raise Invalid.field("at", "needs a UTC offset")
        if not query.team_id and not query.schedule_id:
            raise Invalid.field("team_id", "give a team_id or a schedule_id")
        async with self.engine.connect() as conn:
            directory = await store.load_directory(conn)
            if query.schedule_id:
                specs = [await self._schedule(conn, query.schedule_id)]
            else:
                specs = await store.list_schedules(conn, query.team_id)
            team_id = query.team_id or specs[0].team_id
            all_specs = {s.id: s for s in await store.list_schedules(conn)}
            policy = domain.choose_policy(
                await store.list_policies(conn, team_id), team_id, query.severity or ""
            ) or domain.default_policy(
                team_id, specs[0].id if specs else None, self.default_minutes
            )
        shifts = [
            _shift(Calendar(spec).next_shifts(at, 1)[0], directory, spec.id) for spec in specs
        ]
        levels = [
            OnCallLevel(
                step=i,
                delay_minutes=step.delay_minutes,
                targets=[
                    Ref(id=r.key, name=r.name)
                    for r in domain.recipients_for(policy, i, 0, at, all_specs, directory)
                ],
                channels=list(step.channels),
            )
            for i, step in enumerate(policy.steps)
        ]
        return OnCallReply(
            at=at, team_id=team_id, policy_id=policy.id, schedules=shifts, levels=levels
        )

    async def next_shifts(self, query: NextShifts) -> ShiftList:
        if not 1 <= query.count <= 500:
            raise Invalid.field("count", "must be between 1 and 500")
        async with self.engine.connect() as conn:
            spec = await self._schedule(conn, query.schedule_id)
            directory = await store.load_directory(conn)
        start = query.start or self.clock.now()
        segments = Calendar(spec).next_shifts(start, query.count)
        return ShiftList(shifts=[_shift(s, directory, spec.id) for s in segments])

    async def preview_shifts(self, query: PreviewShifts) -> ShiftList:
        """The shifts of a schedule not saved yet, checked as ``put_schedule`` checks it;
        nothing is written."""
        if not 1 <= query.count <= 500:
            raise Invalid.field("count", "must be between 1 and 500")
        spec = query.schedule
        try:
            validate(spec)
            calendar = Calendar(spec)
        except ScheduleError as exc:
            raise Invalid.field(exc.field, exc.message) from exc
        async with self.engine.connect() as conn:
            directory = await store.load_directory(conn)
        segments = calendar.next_shifts(query.start or self.clock.now(), query.count)
        return ShiftList(shifts=[_shift(s, directory, spec.id) for s in segments])

    async def calendar(self, query: GetCalendar) -> CalendarReply:
        """The iCal feed of a schedule or of a person, from a week ago to ``days`` ahead."""
        if not 1 <= query.days <= 366:
            raise Invalid.field("days", "must be between 1 and 366")
        now = self.clock.now()
        start, end = now - timedelta(days=7), now + timedelta(days=query.days)
        async with self.engine.connect() as conn:
            directory = await store.load_directory(conn)
            if query.schedule_id:
                spec = await self._schedule(conn, query.schedule_id)
                events = [
                    ical.CalendarEvent(
                        start=s.start,
                        end=s.end,
                        summary=f"On call: {directory.person_name(s.person)}",
                        description=f"Schedule {spec.name}",
                        uid_seed=f"{spec.id}|{s.person}",
                    )
                    for s in Calendar(spec).segments(start, end)
                    if s.person
                ]
                return CalendarReply(body=ical.calendar(f"On call: {spec.name}", events, now=now))
            if not query.person_id:
                raise Invalid.field("schedule_id", "give a schedule_id or a person_id")
            specs = await store.list_schedules(conn)
        pairs = shifts_of((Calendar(s) for s in specs), query.person_id, start, end)
        events = [
            ical.CalendarEvent(
                start=seg.start,
                end=seg.end,
                summary=f"On call: {spec.name}",
                description=f"{directory.person_name(query.person_id)} on call for {spec.name}",
                uid_seed=f"{spec.id}|{query.person_id}",
            )
            for spec, seg in pairs
        ]
        name = f"On call: {directory.person_name(query.person_id)}"
        return CalendarReply(body=ical.calendar(name, events, now=now))

    async def check(self, query: CheckConfig) -> ConfigReport:
        """For one team or every team: steps of its policies (the default one included where
        it applies) that reach nobody, schedule gaps, and — asked of the notifier — each
        channel a step or routing rule pages that no provider serves, each person without an
        address for a channel they are paged on. Read only; when the notifier does not
        answer, the report says the check is incomplete (never ``ok``)."""
        async with self.engine.connect() as conn:
            directory = await store.load_directory(conn)
            specs = await store.list_schedules(conn)
            all_policies = await store.list_policies(conn)
        if query.team_id is not None:
            team_ids = [query.team_id]
        else:
            known = {*directory.teams, *(p.team_id for p in all_policies)}
            team_ids = sorted(known | {s.team_id for s in specs}, key=directory.team_name)
        checked = checks.check(
            team_ids, all_policies, specs, directory, self.clock.now(), self.default_minutes
        )
        problems = checked.problems
        request = CheckDelivery(pages=checked.pages, team_ids=team_ids, on_call=checked.on_call)
        try:
            problems += (await self._check_delivery(request)).problems
        except ServiceError as exc:
            problems.append(
                ConfigProblem(
                    kind="check_incomplete",
                    subject="notifier",
                    message="the notifier did not answer: channels without a provider and "
                    f"people without an address were not checked ({exc})",
                )
            )
        return ConfigReport(ok=not problems, problems=problems)
