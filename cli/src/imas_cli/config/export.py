"""The live configuration written as the files ``imas apply`` takes: applying an export
changes nothing. Secrets are never written: each is a reference to an environment variable
(``{from_env: IMAS_SLACK_BOT_TOKEN}``); applying the export without it keeps what IMAS holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from imas_cli.config.engine import read
from imas_cli.config.kind import Kind, plain
from imas_cli.config.kinds import KINDS
from imas_cli.config.remote import Gateway


async def export(gateway: Gateway, sections: Iterable[str], origin: str) -> str:
    """The YAML of ``sections`` (every kind, in the order they are applied), each entry sorted
    by name (unless their order means something). A section with nothing is written empty:
    applied with ``--prune`` it says there should be none."""
    wanted = set(sections)
    current = await read(gateway, wanted, with_rules="people" in wanted)
    data: dict[str, list[Any]] = {}
    variables: list[str] = []
    for kind in KINDS:
        if kind.section not in wanted:
            continue
        kept = [
            e
            for e in current.entries.get(kind.section, [])
            if not kind.made_by_imas(e.raw) and not kind.over(e.spec)
        ]
        if not kind.ordered:
            kept.sort(key=lambda e: kind.key(e.spec).casefold())
        data[kind.section] = [_entry(kind, e.spec, variables) for e in kept]
    return _header(origin, variables) + yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


class _Dumper(yaml.SafeDumper):
    """Lists of words on one line (``members: [a, b]``), small mappings too
    (``{from_env: NAME}``), everything else one field a line."""


def _short(values: Iterable[Any]) -> bool:
    items = list(values)
    scalars = all(isinstance(v, str | int | float | bool) or v is None for v in items)
    return scalars and sum(len(str(v)) for v in items) <= 60


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_short(value))


def _mapping(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> yaml.Node:
    flow = len(value) <= 3 and _short([*value, *value.values()])
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


class _Entry(dict[str, Any]):
    """An entry of a section: one field a line, however small."""


def _entry_mapping(dumper: yaml.SafeDumper, value: _Entry) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(value), flow_style=False)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(_Entry, _entry_mapping)


def _entry(kind: Kind[Any], spec: Any, variables: list[str]) -> Any:
    exported = kind.placeholders(spec)
    variables += [ref.from_env for ref in kind.secrets(exported).values() if ref.from_env]
    return _Entry(plain(exported))


def _header(origin: str, variables: list[str]) -> str:
    lines = [
        f"# IMAS configuration exported from {origin}.",
        "# Apply it with `imas apply -f FILE` (add --prune to delete what it does not declare).",
    ]
    if variables:
        lines += [
            "# Secrets are not exported: each one is read from the environment variable named",
            "# where it belongs. Applied without them, IMAS keeps the secrets it holds:",
            *(f"#   {name}" for name in variables),
        ]
    return "\n".join(lines) + "\n"
