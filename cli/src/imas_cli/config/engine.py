"""Reading what IMAS has, and making the changes of a plan, through the public API.

Creations and updates go in the order of the kinds (an entry after those it names), then
deletions in the other order (a policy before the schedule it paged). The first refusal
stops everything: what was done is said, and applying again resumes (it is idempotent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec

from imas_cli.config.kind import Live, Names, schedule_name
from imas_cli.config.kinds import BY_SECTION, KINDS, NAMED, NEEDS
from imas_cli.config.plan import Change, Plan
from imas_cli.config.remote import Gateway, Refused


class FetchFailed(Exception):
    """IMAS did not give one section's entries (the token's role, most often)."""

    def __init__(self, section: str, refused: Refused) -> None:
        self.section = section
        self.refused = refused
        super().__init__(f"{section}: reading what IMAS has was {refused}")


@dataclass
class Current:
    """What IMAS has, by section, and the names that tie entries together."""

    entries: dict[str, list[Live[Any]]] = field(default_factory=dict)
    names: Names = field(default_factory=Names)


def closure(sections: Iterable[str]) -> set[str]:
    """``sections`` and the sections whose names their entries use."""
    wanted = set(sections)
    for section in list(wanted):
        wanted |= set(NEEDS.get(section, ()))
    for section in list(wanted):
        wanted |= set(NEEDS.get(section, ()))
    return wanted


async def read(gateway: Gateway, sections: Iterable[str], *, with_rules: bool) -> Current:
    """Every entry of ``sections`` (and of those they name) as IMAS has it; people's
    notification rules too when ``with_rules``."""
    wanted = closure(sections)
    raws: dict[str, list[dict[str, Any]]] = {}
    for kind in KINDS:
        if kind.section not in wanted:
            continue
        try:
            raws[kind.section] = await gateway.entries(kind.section)
            if kind.section == "people" and with_rules:
                await gateway.notification_rules(raws["people"])
        except Refused as exc:
            raise FetchFailed(kind.section, exc) from None
    live = Current()
    names = live.names
    for raw in raws.get("people", []):
        names.add("person", raw["id"], str(raw["email"]).lower())
    for raw in raws.get("teams", []):
        names.add("team", raw["id"], raw["name"])
    for raw in raws.get("scopes", []):
        names.add("scope", raw["id"], raw["name"])
    for raw in raws.get("schedules", []):
        names.add(
            "schedule", raw["id"], schedule_name(names.name("team", raw["team_id"]), raw["name"])
        )
    for section, items in raws.items():
        kind = BY_SECTION[section]
        live.entries[section] = [
            Live(str(raw["id"]), kind.from_live(raw, names), raw) for raw in items
        ]
    return live


class ApplyFailed(Exception):
    """IMAS refused one change; those before it were made."""

    def __init__(self, change: Change, refused: Refused, done: list[Change]) -> None:
        self.change = change
        self.refused = refused
        self.done = done
        super().__init__(str(refused))


@dataclass
class Made:
    """What a creation answered (an integration's secret, shown once, is in it)."""

    change: Change
    answer: dict[str, Any]


def order(plan: Plan) -> list[Change]:
    """Creations and updates in the kinds' order, then deletions the other way."""
    writes = [c for c in plan.changes if c.action in ("create", "update")]
    deletions = [c for c in plan.changes if c.action == "delete"]
    return writes + deletions[::-1]


async def execute(plan: Plan, gateway: Gateway, names: Names) -> list[Made]:
    """Make every change of ``plan``; :class:`ApplyFailed` at the first refusal."""
    done: list[Change] = []
    made: list[Made] = []
    for change in order(plan):
        try:
            answer = await _one(change, gateway, names)
        except Refused as exc:
            raise ApplyFailed(change, exc, done) from None
        done.append(change)
        if change.action == "create" and answer is not None:
            made.append(Made(change, answer))
    return made


async def _one(change: Change, gateway: Gateway, names: Names) -> dict[str, Any] | None:
    kind, section = change.kind, change.kind.section
    if change.action == "delete":
        assert change.live is not None
        await gateway.delete(section, change.live.id)
        if section in NAMED:
            names.forget(NAMED[section], change.live.id)
        return None
    spec = change.desired
    body = kind.body(spec, names, change.secrets)
    answer: dict[str, Any] | None = None
    rules_only = section == "people" and change.fields == ["notification_rules"]
    rules_only |= section == "services" and change.fields == ["maintenance"]
    if change.action == "create":
        answer = await gateway.create(section, body)
        if section in NAMED:
            names.add(NAMED[section], str(answer["id"]), kind.key(spec))
    elif not rules_only:
        assert change.live is not None
        answer = await gateway.replace(section, change.live.id, body)
    if section == "people" and (
        "notification_rules" in change.fields
        or (change.action == "create" and spec.notification_rules)
    ):
        person_id = str(answer["id"]) if answer is not None else change.live.id  # type: ignore[union-attr]  # an update has one
        await gateway.set_notification_rules(
            person_id, msgspec.to_builtins(spec.notification_rules)
        )
    window = spec.maintenance if section == "services" else None
    if (
        window is not None
        and window.until > datetime.now(UTC)
        and ("maintenance" in change.fields or change.action == "create")
    ):
        service_id = str(answer["id"]) if answer is not None else change.live.id  # type: ignore[union-attr]  # an update has one
        answer = await gateway.set_maintenance(service_id, msgspec.to_builtins(spec.maintenance))
    return answer
