"""Messages owned by the escalation service: on-call schedules, escalation policies, runs.

Configuration (schedules, policies) is managed over request/reply; runs and the steps they fire
are published as events on the ``ESCALATION`` stream.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec
from imas_contracts.incidents import Ref, Severity
from imas_contracts.notifier import Channel
from imas_contracts.notifier import ConfigProblem as ConfigProblem  # the notifier reports them too

ShiftKind = Literal["hourly", "daily", "weekly", "custom"]
TargetKind = Literal["schedule", "person", "team", "manager", "role", "members"]


# -- configuration ------------------------------------------------------------------------------


class Restriction(msgspec.Struct, frozen=True, kw_only=True):
    """A window when a layer applies, in the schedule's time zone: ``days`` (0 = Monday … 6 =
    Sunday) from ``start`` to ``end`` (``"HH:MM"``; an ``end`` before ``start`` runs overnight)."""

    days: list[int] = msgspec.field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6])
    start: str = "00:00"
    end: str = "00:00"


class Layer(msgspec.Struct, frozen=True, kw_only=True):
    """One rotation: ``members`` (person ids) take turns, handing off at the local wall time of
    ``start`` (a naive local time, or any instant). ``hourly`` and ``custom`` shifts last
    ``shift_hours`` elapsed hours; ``daily`` and ``weekly`` follow the calendar in the schedule's
    zone, so a shift across a DST change lasts 23 or 25 hours but hands off at the same time.

    Layers later in a schedule override earlier ones where their restrictions allow.
    """

    name: str = ""
    members: list[str]
    shift: ShiftKind = "weekly"
    shift_hours: int = 1
    start: datetime
    restrictions: list[Restriction] = []


class Override(msgspec.Struct, frozen=True, kw_only=True):
    """``person_id`` is on call instead of ``replaces`` (anyone when None) from ``start`` to
    ``end`` (instants with an offset)."""

    id: str = ""
    person_id: str
    replaces: str | None = None
    start: datetime
    end: datetime


class ScheduleSpec(msgspec.Struct, frozen=True, kw_only=True):
    """An on-call schedule of a team, computed in ``time_zone`` (an IANA name)."""

    id: str = ""
    team_id: str
    name: str
    time_zone: str = "UTC"
    layers: list[Layer] = []
    overrides: list[Override] = []
    handoff_notifications: bool = True


class StepTarget(msgspec.Struct, frozen=True, kw_only=True):
    """Who a step pages: the on-call of a ``schedule`` (id), a ``person`` (id), a ``team``'s
    channel (id; the policy's team when empty), a team's ``manager`` or ``members`` (from the
    catalog; id, the policy's team when empty) or everyone holding a catalog ``role`` (id,
    e.g. ``cto``)."""

    kind: TargetKind
    id: str = ""


class PolicyStep(msgspec.Struct, frozen=True, kw_only=True):
    """A step fires ``delay_minutes`` after the start of each round of its policy."""

    delay_minutes: float
    targets: list[StepTarget]
    channels: list[Channel] = msgspec.field(default_factory=lambda: ["slack"])


class PolicySpec(msgspec.Struct, frozen=True, kw_only=True):
    """A team's escalation policy, for ``severities`` (all when empty).

    After the last step, the policy starts again ``repeat_delay_minutes`` later, ``repeat``
    more times. With ``round_robin`` a step pages one of its targets per round, in turn. While
    the incident stays unacknowledged a reminder goes out every ``reminder_minutes`` (none when
    None), at most one per period.
    """

    id: str = ""
    team_id: str
    name: str
    severities: list[Severity] = []
    steps: list[PolicyStep]
    repeat: int = 0
    repeat_delay_minutes: float = 5.0
    round_robin: bool = False
    reminder_minutes: float | None = None


# -- events -------------------------------------------------------------------------------------


class EscalationStarted(Event, frozen=True, kw_only=True, tag="escalation.started.v1"):
    """An incident's escalation policy started running."""

    incident_id: str
    run_id: str
    policy_id: str
    policy_name: str
    first_step_due_at: datetime | None = None


class EscalationStepFired(Event, frozen=True, kw_only=True, tag="escalation.step_fired.v1"):
    """A step came due while the incident was unacknowledged, and its targets were paged.

    ``targets`` are ``<kind>:<id>`` strings; ``names`` the same people or teams by name;
    ``result`` is ``paged``, ``nobody`` when the step reached nobody, or ``held`` (paged
    nobody: the service is in maintenance, see ``held_until``). ``unconfirmed``: it
    paged without incidents confirming the incident was still unacknowledged (incidents did
    not answer for as long as a step waits for it, ``ESCALATION_STATE_CHECK_PATIENCE``).
    """

    incident_id: str
    run_id: str
    step: int
    due_at: datetime
    fired_at: datetime
    targets: list[str] = []
    channels: list[str] = []
    repeat: int = 0
    names: list[str] = []
    result: str = "paged"
    kind: Literal["step", "reminder"] = "step"
    # Who had the step fire before its time (``escalation.escalate_now``): a name, "" when it
    # fired when due.
    requested_by: str = ""
    unconfirmed: bool = False
    # ``result`` ``held``: the incident's service is in maintenance (``window``); the run's
    # steps wait until ``held_until``, then go on if the incident is still unacknowledged.
    held_until: datetime | None = None
    window: str = ""
    # The first step that fired after the run was held by ``window``.
    resumed: bool = False


class EscalationStopped(Event, frozen=True, kw_only=True, tag="escalation.stopped.v1"):
    """The run ended: acknowledged, mitigated, resolved, or the policy ran out of steps."""

    incident_id: str
    run_id: str
    reason: Literal["acknowledged", "resolved", "exhausted", "cancelled", "mitigated"]


class SchedulerStalled(Event, frozen=True, kw_only=True, tag="escalation.scheduler_stalled.v1"):
    """The dead-man's switch: no escalation scheduler ticked for ``silent_seconds``."""

    last_tick_at: datetime | None = None
    silent_seconds: float
    replica: str = ""


# -- replies ------------------------------------------------------------------------------------


class Shift(msgspec.Struct, frozen=True, kw_only=True):
    """Someone (or nobody: a gap) on call from ``start`` to ``end``."""

    start: datetime
    end: datetime
    person: Ref | None = None
    schedule_id: str = ""


class ScheduleView(Message, frozen=True, kw_only=True, tag="escalation.schedule.v1"):
    """A stored schedule and the gaps found in its next two weeks."""

    schedule: ScheduleSpec
    gaps: list[Shift] = []


class ScheduleList(Message, frozen=True, kw_only=True, tag="escalation.schedule_list.v1"):
    schedules: list[ScheduleSpec] = []


class PolicyView(Message, frozen=True, kw_only=True, tag="escalation.policy.v1"):
    """A stored escalation policy."""

    policy: PolicySpec


class PolicyList(Message, frozen=True, kw_only=True, tag="escalation.policy_list.v1"):
    policies: list[PolicySpec] = []


class Deleted(Message, frozen=True, kw_only=True, tag="escalation.deleted.v1"):
    id: str


class OnCallLevel(msgspec.Struct, frozen=True, kw_only=True):
    """Who the step ``step`` of the team's policy would page at that time."""

    step: int
    delay_minutes: float
    targets: list[Ref] = []
    channels: list[str] = []


class OnCallReply(Message, frozen=True, kw_only=True, tag="escalation.oncall.reply.v1"):
    """Who is on call at ``at``: per schedule, and per escalation level of the team's policy."""

    at: datetime
    team_id: str = ""
    policy_id: str = ""
    schedules: list[Shift] = []
    levels: list[OnCallLevel] = []


class ShiftList(Message, frozen=True, kw_only=True, tag="escalation.shifts.reply.v1"):
    shifts: list[Shift] = []


class CalendarReply(Message, frozen=True, kw_only=True, tag="escalation.ical.reply.v1"):
    """An RFC 5545 calendar (``text/calendar``), lines ending in CRLF."""

    content_type: str = "text/calendar; charset=utf-8"
    body: str


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One step of an incident's escalation: when due, when fired, who, how, with what result.

    ``run`` counts the incident's escalation runs: 1 from its trigger, 2 and up after reopens.
    """

    kind: str
    step: int
    repeat: int = 0
    run: int = 1
    due_at: datetime
    fired_at: datetime | None = None
    status: str
    targets: list[str] = []
    names: list[str] = []
    channels: list[str] = []
    result: str | None = None


class EscalationHistory(Message, frozen=True, kw_only=True, tag="escalation.history.reply.v1"):
    """The incident's escalation: its latest run (id, policy, status) and the entries of every
    run, oldest run first."""

    incident_id: str
    run_id: str | None = None
    policy_id: str | None = None
    policy_name: str | None = None
    status: str | None = None
    stop_reason: str | None = None
    entries: list[HistoryEntry] = []


class ConfigReport(Message, frozen=True, kw_only=True, tag="escalation.check.reply.v1"):
    """What the configuration would not deliver, for every team (see :class:`ConfigProblem`
    for the kinds); ``ok`` when nothing was found and the whole check could be made."""

    ok: bool
    problems: list[ConfigProblem] = []


# -- requests -----------------------------------------------------------------------------------


class PutSchedule(Request, frozen=True, kw_only=True, tag="escalation.schedules.put.v1"):
    """Create (no id) or replace (with id) a schedule. Invalid names the field."""

    reply_type: ClassVar[type[Message]] = ScheduleView
    schedule: ScheduleSpec


class GetSchedule(Request, frozen=True, kw_only=True, tag="escalation.schedules.get.v1"):
    reply_type: ClassVar[type[Message]] = ScheduleView
    id: str


class ListSchedules(Request, frozen=True, kw_only=True, tag="escalation.schedules.list.v1"):
    reply_type: ClassVar[type[Message]] = ScheduleList
    team_id: str | None = None


class DeleteSchedule(Request, frozen=True, kw_only=True, tag="escalation.schedules.delete.v1"):
    reply_type: ClassVar[type[Message]] = Deleted
    id: str


class PutPolicy(Request, frozen=True, kw_only=True, tag="escalation.policies.put.v1"):
    """Create (no id) or replace (with id) an escalation policy."""

    reply_type: ClassVar[type[Message]] = PolicyView
    policy: PolicySpec


class GetPolicy(Request, frozen=True, kw_only=True, tag="escalation.policies.get.v1"):
    reply_type: ClassVar[type[Message]] = PolicyView
    id: str


class ListPolicies(Request, frozen=True, kw_only=True, tag="escalation.policies.list.v1"):
    reply_type: ClassVar[type[Message]] = PolicyList
    team_id: str | None = None


class DeletePolicy(Request, frozen=True, kw_only=True, tag="escalation.policies.delete.v1"):
    reply_type: ClassVar[type[Message]] = Deleted
    id: str


class WhoIsOnCall(Request, frozen=True, kw_only=True, tag="escalation.oncall.v1"):
    """Who is on call for a team (or one schedule) at ``at`` (now when None)."""

    reply_type: ClassVar[type[Message]] = OnCallReply
    team_id: str = ""
    schedule_id: str = ""
    severity: Severity | None = None
    at: datetime | None = None


class NextShifts(Request, frozen=True, kw_only=True, tag="escalation.shifts.v1"):
    """The next ``count`` shifts of a schedule (gaps included) from ``start`` (now when None)."""

    reply_type: ClassVar[type[Message]] = ShiftList
    schedule_id: str
    count: int = 10
    start: datetime | None = None


class PreviewShifts(Request, frozen=True, kw_only=True, tag="escalation.shifts.preview.v1"):
    """The next ``count`` shifts (gaps included) from ``start`` (now when None) of a schedule
    that is not saved: what it would do before it is saved. Checked as a save checks it
    (``invalid`` naming the field); writes nothing, so it is safe to run any number of times."""

    reply_type: ClassVar[type[Message]] = ShiftList
    schedule: ScheduleSpec
    count: int = 10
    start: datetime | None = None


class GetCalendar(Request, frozen=True, kw_only=True, tag="escalation.ical.v1"):
    """The iCal feed of one schedule or of one person (all their schedules), ``days`` ahead."""

    reply_type: ClassVar[type[Message]] = CalendarReply
    schedule_id: str = ""
    person_id: str = ""
    days: int = 30


class GetHistory(Request, frozen=True, kw_only=True, tag="escalation.history.v1"):
    """The escalation history of an incident (by UUID)."""

    reply_type: ClassVar[type[Message]] = EscalationHistory
    incident_id: str


class EscalatedNow(Message, frozen=True, kw_only=True, tag="escalation.escalated_now.v1"):
    """The step of the incident's active run that fires now (numbered from 0), and of which
    round (``repeat``)."""

    incident_id: str
    step: int
    repeat: int = 0


class EscalateNow(Request, frozen=True, kw_only=True, tag="escalation.escalate_now.v1"):
    """Fire the next pending step of the incident's active escalation run now rather than at
    its due time; its pages and its ``escalation.step_fired`` name ``actor`` as who asked.
    ``not_found`` when the incident has no active run (never escalated, or acknowledged,
    resolved, exhausted); ``conflict`` when no step is left to fire. Each call moves one
    step: not safe to repeat blindly (callers make their own requests single-use)."""

    reply_type: ClassVar[type[Message]] = EscalatedNow
    incident_id: str
    actor: str = ""


class CheckConfig(Request, frozen=True, kw_only=True, tag="escalation.check.v1"):
    """Configuration problems of one team (all teams when None): each step of its policies
    (the default one included, where it applies) that would reach nobody, each channel a step
    or routing rule pages that no provider serves, each person without an address for a
    channel they are paged on (the notifier is asked), schedule gaps."""

    reply_type: ClassVar[type[Message]] = ConfigReport
    team_id: str | None = None


EVENTS: tuple[type[Event], ...] = (
    EscalationStarted,
    EscalationStepFired,
    EscalationStopped,
    SchedulerStalled,
)
REQUESTS: tuple[type[Request], ...] = (
    PutSchedule,
    GetSchedule,
    ListSchedules,
    DeleteSchedule,
    PutPolicy,
    GetPolicy,
    ListPolicies,
    DeletePolicy,
    WhoIsOnCall,
    NextShifts,
    PreviewShifts,
    GetCalendar,
    GetHistory,
    CheckConfig,
    EscalateNow,
)

ESCALATION_STREAM = StreamSpec(
    name="ESCALATION",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="Escalation runs and the steps they fired",
)
