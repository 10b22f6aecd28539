"""The options of inputs that name other things (a team's manager is one of the people, a
step pages a schedule...), read through the API like everything else."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from imas_gateway.ui.admin.api import PublicApi
from imas_gateway.ui.admin.fields import Choice, Field, Fields, Group
from imas_gateway.ui.admin.resource import Item, Resource


@dataclass(frozen=True)
class Lookup:
    path: str
    value: Callable[[Item], str]
    label: Callable[[Item], str]


def _id(item: Item) -> str:
    return str(item["id"])


def _name(item: Item) -> str:
    return str(item.get("name", ""))


LOOKUPS = {
    "people": Lookup("/api/v1/people/", _id, lambda p: f"{p['name']} <{p['email']}>"),
    "teams": Lookup("/api/v1/teams/", _id, _name),
    "services": Lookup("/api/v1/services/", _name, _name),
    "scopes": Lookup("/api/v1/scopes/", _id, _name),
    "schedules": Lookup("/api/v1/schedules/", _id, _name),
}
# Lookups made of others: people's roles, and whom a step can page.
DERIVED = {"roles": ("people",), "targets": ("schedules", "people", "teams")}


def needed(fields: Fields, names: Iterable[str] = ()) -> set[str]:
    """The lookups the inputs ``fields`` (and ``names``) need."""
    found = set(names)
    for f in fields:
        if isinstance(f, Group):
            found |= needed(f.fields)
        elif isinstance(f, Field) and isinstance(f.choices, str) and f.choices:
            found.add(f.choices)
    return found


def _targets(items: dict[str, list[Item]]) -> list[Choice]:
    """Whom an escalation step can page, grouped, as ``kind:id`` values."""
    teams = items["teams"]
    found: list[Choice] = [
        *(
            (f"schedule:{s['id']}", f"On call of {s['name']}", "Schedules")
            for s in items["schedules"]
        ),
        *((f"person:{p['id']}", p["name"], "People") for p in items["people"]),
        ("team:", "The policy's team channel", "Teams"),
        ("manager:", "The policy's team manager", "Teams"),
        ("members:", "The policy's team members", "Teams"),
        *((f"team:{t['id']}", f"Channel of {t['name']}", "Teams") for t in teams),
        *((f"manager:{t['id']}", f"Manager of {t['name']}", "Teams") for t in teams),
        *((f"members:{t['id']}", f"Members of {t['name']}", "Teams") for t in teams),
    ]
    return found + [(f"role:{r}", f"Everyone who is {r}", "Roles") for r in _roles(items["people"])]


def _roles(people: list[Item]) -> list[str]:
    return sorted({str(r) for p in people for r in p.get("roles") or []})


@dataclass
class Loaded:
    """Options by lookup name, and names by id for lists."""

    options: dict[str, list[Choice]]
    names: dict[str, dict[str, str]]


async def load(api: PublicApi, wanted: set[str]) -> Loaded:
    """The lookups ``wanted``, read at once (the ones the user's role may not read are left
    empty: their inputs show no option)."""
    base = {n for w in wanted for n in DERIVED.get(w, (w,)) if n in LOOKUPS}
    readable = sorted(n for n in base if api.allows("GET", LOOKUPS[n].path))
    read = await asyncio.gather(*(api.items(LOOKUPS[n].path) for n in readable))
    items: dict[str, list[Item]] = {n: [] for n in base} | dict(zip(readable, read, strict=True))
    options: dict[str, list[Choice]] = {
        n: [(LOOKUPS[n].value(i), LOOKUPS[n].label(i)) for i in found] for n, found in items.items()
    }
    if "roles" in wanted:
        options["roles"] = [(r, r) for r in _roles(items["people"])]
    if "targets" in wanted:
        options["targets"] = _targets(items)
    names = {
        n: {LOOKUPS[n].value(i): _name(i) or LOOKUPS[n].value(i) for i in found}
        for n, found in items.items()
    }
    return Loaded(options, names)


def wanted_by(resource: Resource, fields: Fields) -> set[str]:
    return needed(fields, resource.lookups)
