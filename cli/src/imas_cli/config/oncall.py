"""On-call schedules (rotations, layers, restrictions, overrides) and escalation policies, as
files write them: people by e-mail, teams and schedules by name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from imas_cli.config.kind import Kind, Names, Reference, Refusal, Spec, schedule_name
from imas_contracts.escalation import ShiftKind
from imas_contracts.incidents import Severity
from imas_contracts.notifier import Channel


class Restriction(Spec, frozen=True, kw_only=True):
    """When a layer applies: ``days`` (0 = Monday … 6 = Sunday) from ``start`` to ``end``
    (``"HH:MM"`` in the schedule's zone; an end before the start runs overnight)."""

    days: list[int] = msgspec.field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6])
    start: str = "00:00"
    end: str = "00:00"


class Layer(Spec, frozen=True, kw_only=True):
    """A rotation: ``members`` (e-mails) take turns, handing off at the wall time of ``start``."""

    name: str = ""
    members: list[str]
    shift: ShiftKind = "weekly"
    shift_hours: int = 1
    start: datetime
    restrictions: list[Restriction] = []


class Override(Spec, frozen=True, kw_only=True):
    """``person`` is on call instead of ``replaces`` (anyone when absent) from ``start`` to
    ``end`` (instants with an offset)."""

    person: str
    replaces: str | None = None
    start: datetime
    end: datetime


class ScheduleSpec(Spec, frozen=True, kw_only=True):
    """A team's on-call schedule, computed in ``time_zone`` (an IANA name)."""

    name: str
    team: str
    time_zone: str = "UTC"
    handoff_notifications: bool = True
    layers: list[Layer] = []
    overrides: list[Override] = []


def _email(value: str) -> str:
    return value.strip().lower()


class Schedules(Kind[ScheduleSpec]):
    section = "schedules"
    document = "Schedule"
    noun = "schedule"
    spec = ScheduleSpec

    def key(self, spec: ScheduleSpec) -> str:
        return schedule_name(spec.team, spec.name)

    def normalize(self, spec: ScheduleSpec) -> ScheduleSpec:
        layers = [
            msgspec.structs.replace(layer, members=[_email(m) for m in layer.members])
            for layer in spec.layers
        ]
        overrides = [
            msgspec.structs.replace(
                o, person=_email(o.person), replaces=_email(o.replaces) if o.replaces else None
            )
            for o in spec.overrides
        ]
        return msgspec.structs.replace(
            spec, name=spec.name.strip(), layers=layers, overrides=overrides
        )

    def check(self, spec: ScheduleSpec) -> list[Refusal]:
        refusals = [
            Refusal(f"overrides[{i}].start", "needs a UTC offset (+02:00 or Z)")
            for i, o in enumerate(spec.overrides)
            if o.start.tzinfo is None or o.end.tzinfo is None
        ]
        refusals += [
            Refusal(f"layers[{i}].members", "a rotation needs at least one person")
            for i, layer in enumerate(spec.layers)
            if not layer.members
        ]
        return refusals

    def references(self, spec: ScheduleSpec) -> list[Reference]:
        refs = [Reference("team", spec.team, "team")]
        for i, layer in enumerate(spec.layers):
            refs += [
                Reference("person", m, f"layers[{i}].members[{j}]")
                for j, m in enumerate(layer.members)
            ]
        for i, o in enumerate(spec.overrides):
            refs.append(Reference("person", o.person, f"overrides[{i}].person"))
            if o.replaces:
                refs.append(Reference("person", o.replaces, f"overrides[{i}].replaces"))
        return refs

    def from_live(self, raw: dict[str, Any], names: Names) -> ScheduleSpec:
        def person(id_: str) -> str:
            return names.name("person", id_)

        data = {
            **raw,
            "team": names.name("team", raw["team_id"]),
            "layers": [
                {**layer, "members": [person(m) for m in layer.get("members", [])]}
                for layer in raw.get("layers", [])
            ],
            "overrides": [
                {
                    **{k: v for k, v in o.items() if k not in ("id", "person_id")},
                    "person": person(o["person_id"]),
                    "replaces": person(o["replaces"]) if o.get("replaces") else None,
                }
                for o in raw.get("overrides", [])
            ],
        }
        return self.normalize(self.convert(data))

    def body(self, spec: ScheduleSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(spec)
        data.pop("team")
        data["team_id"] = names.id("team", spec.team)
        for layer in data.get("layers", []):
            layer["members"] = [names.id("person", m) for m in layer["members"]]
        data["overrides"] = [
            {
                "person_id": names.id("person", o.person),
                "replaces": names.id("person", o.replaces) if o.replaces else None,
                "start": o.start.isoformat(),
                "end": o.end.isoformat(),
            }
            for o in spec.overrides
        ]
        return data


# A step's targets: ``{schedule: NAME}`` (the policy team's; add ``team:`` for another's),
# ``{person: E-MAIL}``, ``{role: cto}``, ``{team: NAME}`` / ``{manager: NAME}`` /
# ``{members: NAME}``, or the words ``team``, ``manager``, ``members`` for the policy's team.
TARGET_KINDS = ("schedule", "person", "role", "team", "manager", "members")
OWN_TEAM = ("team", "manager", "members")
Target = str | dict[str, str]


class Step(Spec, frozen=True, kw_only=True):
    """Fires ``delay_minutes`` after the start of each round of the policy."""

    delay_minutes: float
    targets: list[Target]
    channels: list[Channel] = msgspec.field(default_factory=lambda: ["slack"])


class PolicySpec(Spec, frozen=True, kw_only=True):
    """A team's escalation policy, for ``severities`` (all when empty)."""

    name: str
    team: str
    severities: list[Severity] = []
    steps: list[Step]
    repeat: int = 0
    repeat_delay_minutes: float = 5.0
    round_robin: bool = False
    reminder_minutes: float | None = None


def _target_refusal(target: Target) -> str | None:
    if isinstance(target, str):
        if target not in OWN_TEAM:
            return f"'{target}': write team, manager, members or a mapping such as {{person: …}}"
        return None
    if "schedule" in target:
        kind, fits = "schedule", set(target) <= {"schedule", "team"}
    else:
        kind = next(iter(target), "")
        fits = len(target) == 1 and kind in TARGET_KINDS
    if not fits:
        return f"one of {', '.join(TARGET_KINDS)} (and team: with schedule)"
    if not str(target[kind] or "").strip():
        return f"{kind}: must name someone"
    return None


def _clean_target(target: Target, team: str) -> Target:
    if isinstance(target, str):
        return target
    if "schedule" in target:
        other = target.get("team", "").strip()
        name = target["schedule"].strip()
        return {"schedule": name, "team": other} if other and other != team else {"schedule": name}
    ((kind, ref),) = target.items()
    ref = ref.strip()
    return {kind: ref.lower() if kind in ("person", "role") else ref}


class Policies(Kind[PolicySpec]):
    section = "escalation_policies"
    document = "EscalationPolicy"
    noun = "escalation_policy"
    spec = PolicySpec

    def key(self, spec: PolicySpec) -> str:
        return f"{spec.team}/{spec.name}"

    def check(self, spec: PolicySpec) -> list[Refusal]:
        refusals = []
        if not spec.steps:
            refusals.append(Refusal("steps", "a policy needs at least one step"))
        for i, step in enumerate(spec.steps):
            if not step.targets:
                refusals.append(Refusal(f"steps[{i}].targets", "a step needs a target"))
            for j, target in enumerate(step.targets):
                if (reason := _target_refusal(target)) is not None:
                    refusals.append(Refusal(f"steps[{i}].targets[{j}]", reason))
        return refusals

    def normalize(self, spec: PolicySpec) -> PolicySpec:
        team = spec.team.strip()
        steps = [
            msgspec.structs.replace(step, targets=[_clean_target(t, team) for t in step.targets])
            for step in spec.steps
        ]
        return msgspec.structs.replace(spec, name=spec.name.strip(), team=team, steps=steps)

    def references(self, spec: PolicySpec) -> list[Reference]:
        refs = [Reference("team", spec.team, "team")]
        for i, step in enumerate(spec.steps):
            for j, target in enumerate(step.targets):
                if isinstance(target, str):
                    continue
                field = f"steps[{i}].targets[{j}]"
                if "schedule" in target:
                    name = schedule_name(target.get("team") or spec.team, target["schedule"])
                    refs.append(Reference("schedule", name, field))
                elif "person" in target:
                    refs.append(Reference("person", target["person"], field))
                elif "role" not in target:
                    refs.append(Reference("team", next(iter(target.values())), field))
        return refs

    def from_live(self, raw: dict[str, Any], names: Names) -> PolicySpec:
        team = names.name("team", raw["team_id"])
        steps = [
            {**step, "targets": [_live_target(t, team, names) for t in step.get("targets", [])]}
            for step in raw.get("steps", [])
        ]
        return self.normalize(self.convert({**raw, "team": team, "steps": steps}))

    def body(self, spec: PolicySpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(spec)
        data.pop("team")
        data["team_id"] = names.id("team", spec.team)
        for step, written in zip(data["steps"], spec.steps, strict=True):
            step["targets"] = [_api_target(t, spec.team, names) for t in written.targets]
        return data


def _live_target(target: dict[str, Any], team: str, names: Names) -> Target:
    kind, id_ = target["kind"], target.get("id", "")
    if kind in OWN_TEAM and not id_:
        return str(kind)
    if kind == "schedule":
        owner, _, name = names.name("schedule", id_).partition("/")
        return {"schedule": name or id_, "team": owner} if owner != team else {"schedule": name}
    if kind == "person":
        return {"person": names.name("person", id_)}
    if kind == "role":
        return {"role": id_}
    return {kind: names.name("team", id_)}


def _api_target(target: Target, team: str, names: Names) -> dict[str, str]:
    if isinstance(target, str):
        return {"kind": target, "id": ""}
    if "schedule" in target:
        name = schedule_name(target.get("team") or team, target["schedule"])
        return {"kind": "schedule", "id": names.id("schedule", name)}
    ((kind, ref),) = target.items()
    if kind == "person":
        return {"kind": kind, "id": names.id("person", ref)}
    if kind == "role":
        return {"kind": kind, "id": ref}
    return {"kind": kind, "id": names.id("team", ref)}
