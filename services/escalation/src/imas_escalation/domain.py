"""Pure escalation rules: which policy applies, when each step is due, who a step pages, and
what is wrong with a team's configuration. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from imas_contracts.escalation import (
    PolicySpec,
    PolicyStep,
    ScheduleSpec,
    StepTarget,
)
from imas_contracts.notifier import Channel
from imas_escalation.schedules.domain import Calendar, ScheduleError
from imas_runtime import windows
from imas_runtime.catalog import Entity

DEFAULT_POLICY_ID = "default"


@dataclass(frozen=True)
class Directory:
    """What the escalation service knows of the catalog: teams and people by id."""

    teams: Mapping[str, Entity] = field(default_factory=dict)
    people: Mapping[str, Entity] = field(default_factory=dict)

    def person_name(self, person_id: str) -> str:
        person = self.people.get(person_id)
        return person.name if person else person_id

    def person(self, person_id: str) -> Recipient:
        return Recipient("person", person_id, self.person_name(person_id))

    def team_name(self, team_id: str) -> str:
        team = self.teams.get(team_id)
        return team.name if team else team_id

    def manager_of(self, team_id: str) -> str | None:
        """The id of the team's manager, when the catalog names one it still holds."""
        team = self.teams.get(team_id)
        manager = _ref_id(team.data.get("manager")) if team else ""
        return manager if manager in self.people else None

    def members_of(self, team_id: str) -> list[str]:
        """The ids of the team's members the catalog still holds, in the catalog's order."""
        team = self.teams.get(team_id)
        members = [_ref_id(m) for m in (team.data.get("members", []) if team else []) or []]
        return [m for m in members if m in self.people]


@dataclass(frozen=True)
class Recipient:
    """Someone a step pages: a ``person`` or a ``team`` (its channel)."""

    kind: str
    id: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class PlannedStep:
    step: int
    repeat: int
    due_at: datetime


class PolicyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# The brief's ladder: minutes after the incident opened of each step of the default policy.
DEFAULT_STEP_MINUTES = (0.0, 5.0, 15.0, 30.0, 60.0)


def default_policy(
    team_id: str,
    schedule_id: str | None,
    minutes: Sequence[float] = DEFAULT_STEP_MINUTES,
) -> PolicySpec:
    """The brief's default: Slack to the team at 0 and 5 min, SMS to the on-call (the team's
    first schedule; nobody without one) at 15, e-mail to the team's manager at 30, the CTO
    (everyone with the role ``cto``) at 60. ``minutes`` replaces the five delays."""
    ladder: list[tuple[StepTarget, list[Channel]]] = [
        (StepTarget(kind="team"), ["slack"]),
        (StepTarget(kind="team"), ["slack"]),
        (StepTarget(kind="schedule", id=schedule_id or ""), ["sms"]),
        (StepTarget(kind="manager"), ["email"]),
        (StepTarget(kind="role", id="cto"), ["email", "sms"]),
    ]
    return PolicySpec(
        id=DEFAULT_POLICY_ID,
        team_id=team_id,
        name="Default",
        steps=[
            PolicyStep(delay_minutes=delay, targets=[target], channels=channels)
            for delay, (target, channels) in zip(minutes, ladder, strict=True)
        ],
    )


def parse_step_minutes(text: str) -> tuple[float, ...]:
    """The default policy's five delays from ``"0,5,15,30,60"`` (minutes, decimals allowed);
    ValueError naming what is wrong."""
    try:
        minutes = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"{text!r}: give five numbers of minutes, e.g. 0,5,15,30,60") from None
    if len(minutes) != len(DEFAULT_STEP_MINUTES):
        raise ValueError(f"{text!r}: give five delays, one per step of the default policy")
    if any(m < 0 for m in minutes) or list(minutes) != sorted(minutes):
        raise ValueError(f"{text!r}: delays must be ≥ 0 and never before the previous one")
    return minutes


def validate_policy(policy: PolicySpec) -> None:
    """Raise :class:`PolicyError` naming the first field that cannot work."""
    if not policy.name.strip():
        raise PolicyError("name", "must not be empty")
    if not policy.team_id:
        raise PolicyError("team_id", "must not be empty")
    if not policy.steps:
        raise PolicyError("steps", "a policy needs at least one step")
    previous = -1.0
    for i, step in enumerate(policy.steps):
        if step.delay_minutes < 0 or step.delay_minutes < previous:
            raise PolicyError(f"steps[{i}].delay_minutes", "must be ≥ 0 and not before the last")
        if not step.targets:
            raise PolicyError(f"steps[{i}].targets", "a step needs at least one target")
        if not step.channels:
            raise PolicyError(f"steps[{i}].channels", "a step needs at least one channel")
        for j, target in enumerate(step.targets):
            if target.kind in ("schedule", "person", "role") and not target.id:
                raise PolicyError(f"steps[{i}].targets[{j}].id", f"a {target.kind} needs an id")
        previous = step.delay_minutes
    if policy.repeat < 0 or policy.repeat > 100:
        raise PolicyError("repeat", "must be between 0 and 100")
    if policy.repeat_delay_minutes < 0:
        raise PolicyError("repeat_delay_minutes", "must be ≥ 0")
    if policy.reminder_minutes is not None and policy.reminder_minutes < 1:
        raise PolicyError("reminder_minutes", "must be at least 1 minute")


def choose_policy(
    policies: Sequence[PolicySpec], team_id: str | None, severity: str
) -> PolicySpec | None:
    """The team's policy for this severity, else its policy for every severity."""
    mine = [p for p in policies if p.team_id == team_id]
    for policy in mine:
        if severity in policy.severities:
            return policy
    for policy in mine:
        if not policy.severities:
            return policy
    return None


def plan(policy: PolicySpec, start: datetime) -> list[PlannedStep]:
    """Every step of every round, with its due time counted from ``start``."""
    last = policy.steps[-1].delay_minutes
    cycle = timedelta(minutes=last + policy.repeat_delay_minutes)
    return [
        PlannedStep(step=i, repeat=r, due_at=start + r * cycle + timedelta(minutes=s.delay_minutes))
        for r in range(policy.repeat + 1)
        for i, s in enumerate(policy.steps)
    ]


def step_targets(policy: PolicySpec, step: PolicyStep, repeat: int) -> list[StepTarget]:
    """All targets of the step, or one per round in turn with ``round_robin``."""
    if policy.round_robin and step.targets:
        return [step.targets[repeat % len(step.targets)]]
    return list(step.targets)


def resolve(
    target: StepTarget,
    policy_team: str,
    at: datetime,
    schedules: Mapping[str, ScheduleSpec],
    directory: Directory,
) -> list[Recipient]:
    """Who ``target`` means at ``at``; empty when it reaches nobody."""
    match target.kind:
        case "schedule":
            spec = schedules.get(target.id)
            if spec is None:
                return []
            try:
                person = Calendar(spec).on_call(at)
            except ScheduleError:
                return []
            return [directory.person(person)] if person else []
        case "person":
            return [directory.person(target.id)]
        case "team":
            team = target.id or policy_team
            return [Recipient("team", team, directory.team_name(team))] if team else []
        case "manager":
            manager = directory.manager_of(target.id or policy_team)
            return [directory.person(manager)] if manager else []
        case "members":
            return [directory.person(p) for p in directory.members_of(target.id or policy_team)]
        case "role":
            return [
                Recipient("person", p.id, p.name)
                for p in sorted(directory.people.values(), key=lambda p: p.name)
                if target.id.lower() in roles_of(p)
            ]


def roles_of(person: Entity) -> list[str]:
    """A person's catalog roles, in lower case."""
    return [str(r).lower() for r in person.data.get("roles", []) or []]


def _ref_id(value: Any) -> str:
    """The id of a catalog reference (``{id, name}``), or the value itself."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value else ""


def recipients_for(
    policy: PolicySpec,
    step: int,
    repeat: int,
    at: datetime,
    schedules: Mapping[str, ScheduleSpec],
    directory: Directory,
) -> list[Recipient]:
    """The people and teams step ``step`` of round ``repeat`` pages at ``at``, each once."""
    seen: dict[str, Recipient] = {}
    for target in step_targets(policy, policy.steps[step], repeat):
        for r in resolve(target, policy.team_id, at, schedules, directory):
            seen.setdefault(r.key, r)
    return list(seen.values())


def idempotency_key(
    incident_id: str,
    kind: str,
    step: int,
    repeat: int,
    recipient: Recipient,
    channel: str,
    run: int = 1,
) -> str:
    """Stable per (incident, run, step, repeat, target, channel): a page is never sent twice,
    and a reopened incident's run pages again.

    The first run's keys carry no run number: the notifier's page at trigger takes the key of
    its step 0 to the team's channel, so that the team hears once."""
    of_run = f"run{run}:" if run > 1 else ""
    return f"esc:{incident_id}:{of_run}{kind}{step}:{repeat}:{recipient.key}:{channel}"


def page_message(
    incident: Mapping[str, Any], kind: str, step: int, repeat: int, public_url: str
) -> str:
    label = str(incident.get("severity", "")).split("_")[0]  # SEV1_CRITICAL -> SEV1
    what = (
        "still unacknowledged (reminder)"
        if kind == "reminder"
        else f"escalation step {step + 1}" + (f", round {repeat + 1}" if repeat else "")
    )
    return "\n".join(
        [
            f"[{label}] {incident.get('title', '')}",
            f"Service: {incident.get('service', '')} · {what}",
            f"Incident: {public_url.rstrip('/')}/incidents/{incident.get('id', '')}",
        ]
    )


def maintenance_end(value: object, now: datetime, since: object = None) -> datetime:
    """When a service's maintenance ends, from a catalog change's ``maintenance_until``
    (ISO 8601 text, or None) and ``maintenance_since``: ``now`` when it has none, it is
    past, or it is planned to begin later (what held runs until now is over)."""
    if not isinstance(value, str) or not value:
        return now
    try:
        until = datetime.fromisoformat(value)
        begins = datetime.fromisoformat(since) if isinstance(since, str) and since else None
    except ValueError:
        return now
    if begins is not None and begins > now:
        return now
    return max(until, now)


# The services a silence covers whole that are in one of its windows (see imas_runtime).
service_windows = windows.service_windows
