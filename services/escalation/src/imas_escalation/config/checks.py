"""What a team's escalation would not deliver, found before an incident does: pure, no I/O.

For every team, the policies that page it (its own, and the default one for the severities
they leave uncovered) are walked step by step. A step whose targets resolve to nobody is a
problem (``policy_reaches_nobody``, with why); the pages the others would send are planned, for
the notifier to say which of them no provider serves or whose person has no address. Schedule
targets are resolved to everyone their rotations may put on call, not only whoever is on call
now: a person who is off this week is paged next week. Schedule gaps are reported too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from imas_contracts.escalation import PolicySpec, PolicyStep, ScheduleSpec, StepTarget
from imas_contracts.incidents import SEVERITIES
from imas_contracts.notifier import ConfigProblem, StepPage
from imas_escalation import domain
from imas_escalation.domain import Directory, Recipient
from imas_escalation.schedules.domain import Calendar, ScheduleError

GAP_HORIZON = timedelta(days=14)


@dataclass
class Checked:
    """The problems found, the pages the steps would send (for the notifier to check), and
    per team the people its schedules may put on call (routing pages them)."""

    problems: list[ConfigProblem] = field(default_factory=list)
    pages: list[StepPage] = field(default_factory=list)
    on_call: dict[str, list[str]] = field(default_factory=dict)


def policies_of(
    team_id: str,
    policies: Sequence[PolicySpec],
    schedules: Sequence[ScheduleSpec],
    minutes: Sequence[float] = domain.DEFAULT_STEP_MINUTES,
) -> list[PolicySpec]:
    """The policies that page for the team: its own, then the default one when some severity
    has none of them (no policy for every severity, and one for each is missing)."""
    mine = [p for p in policies if p.team_id == team_id]
    covered = {s for p in mine for s in p.severities}
    if any(not p.severities for p in mine) or covered >= set(SEVERITIES):
        return mine
    first = next((s.id for s in schedules if s.team_id == team_id), None)
    return [*mine, domain.default_policy(team_id, first, minutes)]


def rotation_people(spec: ScheduleSpec) -> list[str]:
    """Everyone the schedule may put on call: its layers' members and its overrides' people."""
    people = [m for layer in spec.layers for m in layer.members]
    people += [o.person_id for o in spec.overrides]
    return list(dict.fromkeys(people))


def step_label(policy: PolicySpec, index: int, step: PolicyStep) -> str:
    """``Default policy, step 3 at 15 min``."""
    return f"{policy.name} policy, step {index + 1} at {step.delay_minutes:g} min"


def check(
    team_ids: Sequence[str],
    policies: Sequence[PolicySpec],
    schedules: Sequence[ScheduleSpec],
    directory: Directory,
    at: datetime,
    minutes: Sequence[float] = domain.DEFAULT_STEP_MINUTES,
    horizon: timedelta = GAP_HORIZON,
) -> Checked:
    """Steps that reach nobody and the pages the others would send, for each of
    ``team_ids``; gaps and invalid rotations of their schedules."""
    by_id = {s.id: s for s in schedules}
    checked = Checked()
    for team_id in team_ids:
        team = directory.team_name(team_id)
        own = [s for s in schedules if s.team_id == team_id]
        checked.on_call[team_id] = list(
            dict.fromkeys(p for s in own for p in rotation_people(s) if p in directory.people)
        )
        for policy in policies_of(team_id, policies, schedules, minutes):
            for i, step in enumerate(policy.steps):
                _check_step(checked, team_id, team, policy, i, step, by_id, directory)
        for spec in own:
            checked.problems += _schedule_problems(spec, team, at, horizon)
    return checked


def _check_step(
    checked: Checked,
    team_id: str,
    team: str,
    policy: PolicySpec,
    index: int,
    step: PolicyStep,
    schedules: Mapping[str, ScheduleSpec],
    directory: Directory,
) -> None:
    label = step_label(policy, index, step)
    reached: dict[str, Recipient] = {}
    why: list[str] = []
    for target in step.targets:
        found = _reach(target, policy.team_id, schedules, directory)
        for r in found:
            reached.setdefault(r.key, r)
        if not found:
            why.append(_nobody(target, policy.team_id, schedules, directory))
    channels = ", ".join(step.channels)
    if not reached:
        checked.problems.append(
            ConfigProblem(
                kind="policy_reaches_nobody",
                subject=policy.id,
                team_id=team_id,
                team=team,
                step=label,
                channel=channels,
                message=f"{label} ({channels}) reaches nobody: {'; '.join(why)}",
            )
        )
        return
    checked.pages += [
        StepPage(
            team_id=team_id,
            step=label,
            channel=channel,
            target="person" if r.kind == "person" else "team",
            id=r.id,
            name=r.name,
        )
        for r in reached.values()
        for channel in step.channels
    ]


def _reach(
    target: StepTarget,
    policy_team: str,
    schedules: Mapping[str, ScheduleSpec],
    directory: Directory,
) -> list[Recipient]:
    """Everyone ``target`` may page: a schedule's whole rotation, else as a step resolves it."""
    if target.kind == "schedule":
        spec = schedules.get(target.id)
        people = rotation_people(spec) if spec is not None else []
        return [directory.person(p) for p in people if p in directory.people]
    if target.kind == "person" and target.id not in directory.people:
        return []
    if target.kind == "team" and (target.id or policy_team) not in directory.teams:
        return []
    return domain.resolve(target, policy_team, datetime.min, schedules, directory)


def _nobody(
    target: StepTarget,
    policy_team: str,
    schedules: Mapping[str, ScheduleSpec],
    directory: Directory,
) -> str:
    """Why ``target`` reaches nobody, in words."""
    team = directory.team_name(target.id or policy_team)
    match target.kind:
        case "schedule" if not target.id:
            return f"{team} has no on-call schedule"
        case "schedule" if target.id not in schedules:
            return f"schedule {target.id} does not exist"
        case "schedule":
            return f"nobody of the catalog is in the rotations of {schedules[target.id].name!r}"
        case "manager":
            return f"{team} has no manager in the catalog"
        case "members":
            return f"{team} has no members in the catalog"
        case "role":
            return f"nobody in the catalog holds the role {target.id!r}"
        case "person":
            return f"person {target.id} is not in the catalog"
        case _:
            return f"team {target.id or policy_team} is not in the catalog"


def _schedule_problems(
    spec: ScheduleSpec, team: str, at: datetime, horizon: timedelta
) -> list[ConfigProblem]:
    def problem(kind: str, what: str) -> ConfigProblem:
        message = f"schedule {spec.name!r}: {what}"
        return ConfigProblem(
            kind=kind, subject=spec.id, team_id=spec.team_id, team=team, message=message
        )

    try:
        gaps = Calendar(spec).gaps(at, at + horizon)
    except ScheduleError as exc:
        return [problem("schedule_invalid", str(exc))]
    return [
        problem(
            "schedule_gap",
            f"nobody on call from {gap.start.isoformat()} to {gap.end.isoformat()}",
        )
        for gap in gaps
    ]
