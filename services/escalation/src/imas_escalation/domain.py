"""Pure escalation rules: which policy applies, when each step is due, who a step pages, and
what is wrong with a team's configuration. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from imas_contracts.escalation import (
    ConfigProblem,
    PolicySpec,
    PolicyStep,
    ScheduleSpec,
    StepTarget,
)
from imas_escalation.schedule import Calendar, ScheduleError

DEFAULT_POLICY_ID = "default"
CONTACT_KEYS = ("email", "phone", "slack", "slack_user_id", "contact_methods")


@dataclass(frozen=True)
class Entity:
    """A team or person of the local catalog projection."""

    id: str
    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


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


def default_policy(team_id: str, schedule_id: str | None) -> PolicySpec:
    """The brief's default: Slack at 0 and 5 min, SMS to the on-call at 15, e-mail to the
    manager at 30, the CTO at 60."""
    on_call = (
        StepTarget(kind="schedule", id=schedule_id) if schedule_id else StepTarget(kind="team")
    )
    return PolicySpec(
        id=DEFAULT_POLICY_ID,
        team_id=team_id,
        name="Default",
        steps=[
            PolicyStep(delay_minutes=0, targets=[StepTarget(kind="team")], channels=["slack"]),
            PolicyStep(delay_minutes=5, targets=[StepTarget(kind="team")], channels=["slack"]),
            PolicyStep(delay_minutes=15, targets=[on_call], channels=["sms"]),
            PolicyStep(delay_minutes=30, targets=[StepTarget(kind="manager")], channels=["email"]),
            PolicyStep(
                delay_minutes=60,
                targets=[StepTarget(kind="role", id="cto")],
                channels=["email", "sms"],
            ),
        ],
    )


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
            team_entity = directory.teams.get(target.id or policy_team)
            manager = _manager_of(team_entity)
            return [directory.person(manager)] if manager else []
        case "role":
            return [
                Recipient("person", p.id, p.name)
                for p in directory.people.values()
                if str(p.data.get("role", "")).lower() == target.id.lower()
            ]


def _manager_of(team: Entity | None) -> str | None:
    if team is None:
        return None
    value = team.data.get("manager_id") or team.data.get("manager")
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value else None


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


def has_contact(person: Entity) -> bool:
    return any(person.data.get(key) for key in CONTACT_KEYS)


def check(
    policies: Sequence[PolicySpec],
    schedules: Sequence[ScheduleSpec],
    directory: Directory,
    at: datetime,
    horizon: timedelta = timedelta(days=14),
    resolve_with: Sequence[ScheduleSpec] | None = None,
) -> list[ConfigProblem]:
    """Steps that reach nobody, gaps in ``schedules``, people who cannot be contacted.

    Schedule targets are resolved against ``resolve_with`` (all schedules) when given.
    """
    by_id = {s.id: s for s in (schedules if resolve_with is None else resolve_with)}
    problems: list[ConfigProblem] = []
    for policy in policies:
        for i in range(len(policy.steps)):
            if not recipients_for(policy, i, 0, at, by_id, directory):
                problems.append(
                    ConfigProblem(
                        kind="policy_reaches_nobody",
                        subject=policy.id,
                        message=f"policy {policy.name!r}: step {i + 1} reaches nobody",
                    )
                )
    people_on_schedules: set[str] = set()
    for spec in schedules:
        for layer in spec.layers:
            people_on_schedules.update(layer.members)
        try:
            gaps = Calendar(spec).gaps(at, at + horizon)
        except ScheduleError as exc:
            problems.append(
                ConfigProblem(kind="schedule_invalid", subject=spec.id, message=str(exc))
            )
            continue
        for gap in gaps:
            problems.append(
                ConfigProblem(
                    kind="schedule_gap",
                    subject=spec.id,
                    message=(
                        f"schedule {spec.name!r}: nobody on call from "
                        f"{gap.start.isoformat()} to {gap.end.isoformat()}"
                    ),
                )
            )
    for person_id in sorted(people_on_schedules):
        person = directory.people.get(person_id)
        if person is None or not has_contact(person):
            problems.append(
                ConfigProblem(
                    kind="person_without_contact",
                    subject=person_id,
                    message=f"{directory.person_name(person_id)} has no contact method",
                )
            )
    return problems
