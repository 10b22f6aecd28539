"""What applying the files would change: pure, from the files and what IMAS has.

Entries are matched by their key (a name, a person's e-mail, a schedule's team and name, a
routing rule's match). A matched entry that differs is replaced; an unmatched one created;
with ``prune``, what IMAS has in a section the files name, and they no longer declare, is
deleted (never what IMAS made itself). Nothing here does I/O but reading secrets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from imas_cli.config import secrets
from imas_cli.config.files import ConfigFiles, Declared, Problem
from imas_cli.config.kind import Kind, Live, Names, differences
from imas_cli.config.kinds import KINDS, NAMED

Action = Literal["create", "update", "delete", "unchanged"]


@dataclass(eq=False)
class Change:
    """One entry's fate. ``secrets`` are the values to send (never printed)."""

    action: Action
    kind: Kind[Any]
    label: str
    entry: Declared | None = None
    live: Live[Any] | None = None
    fields: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def desired(self) -> Any:
        return self.entry.spec if self.entry is not None else None


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("create", "update", "delete", "unchanged"), 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def changed(self) -> bool:
        return any(c.action != "unchanged" for c in self.changes)


@dataclass(frozen=True)
class Options:
    prune: bool = False
    # Send every secret the files reference, even those IMAS holds already (after a rotation).
    update_secrets: bool = False
    # Users (by username, case-folded) whose password is set again from the files.
    reset_passwords: frozenset[str] = frozenset()


def make_plan(
    config: ConfigFiles,
    live: Mapping[str, list[Live[Any]]],
    names: Names,
    options: Options,
    env: Mapping[str, str],
) -> Plan:
    """Compare the files with ``live`` (what IMAS has, by section) for every section the files
    name; the changes in the order they are made, and the problems found."""
    plan = Plan(problems=_missing_references(config, names))
    for kind in KINDS:
        if kind.section not in config.sections:
            continue
        declared = [e for e in config.entries if e.kind is kind]
        _plan_kind(kind, declared, live.get(kind.section, []), options, env, plan)
    return plan


def _plan_kind(
    kind: Kind[Any],
    declared: list[Declared],
    live: list[Live[Any]],
    options: Options,
    env: Mapping[str, str],
    plan: Plan,
) -> None:
    by_key: dict[str, list[Live[Any]]] = {}
    for item in live:
        by_key.setdefault(kind.key(item.spec).casefold(), []).append(item)
    matched: set[str] = set()
    for entry in declared:
        key = kind.key(entry.spec).casefold()
        found = by_key.get(key, [])
        label = kind.label(entry.spec)
        if len(found) > 1:
            plan.problems.append(
                entry.source.problem(
                    f"IMAS has {len(found)} {kind.noun} entries named '{label}': delete all but "
                    "one, then apply again"
                )
            )
            continue
        matched.add(key)
        if not found:
            if not kind.over(entry.spec):
                plan.problems += [
                    entry.source.problem(r.message, r.field)
                    for r in kind.creation_problems(entry.spec)
                ]
                change = Change("create", kind, label, entry)
                _secrets(change, set(), options, env, plan)
                plan.changes.append(change)
            continue
        current = found[0]
        entry.spec = kind.settle(entry.spec, current.spec)
        change = Change("unchanged", kind, label, entry, current)
        change.fields = differences(kind, entry.spec, current.spec)
        if "type" in change.fields and kind.section == "integrations":
            plan.problems.append(
                entry.source.problem(
                    f"an integration's type cannot change ('{current.spec.type}' in IMAS): "
                    "give the new one another name",
                    "type",
                )
            )
            continue
        _secrets(change, kind.stored_secrets(current.spec), options, env, plan)
        if change.fields:
            change.action = "update"
        plan.changes.append(change)
    if not options.prune:
        return
    for key, items in by_key.items():
        if key in matched:
            continue
        for item in items:
            if not kind.made_by_imas(item.raw) and not kind.over(item.spec):
                plan.changes.append(Change("delete", kind, kind.label(item.spec), live=item))


def _secrets(
    change: Change, stored: set[str], options: Options, env: Mapping[str, str], plan: Plan
) -> None:
    """Which of the entry's secrets to send: every one on creation, one IMAS lacks, and all
    of them with ``update_secrets``. One that cannot be read is a problem when it must be sent;
    otherwise IMAS keeps the one it has (an export applied without its secrets changes
    nothing)."""
    entry = change.entry
    assert entry is not None
    base = Path(entry.source.path).parent
    kind = change.kind
    single = kind.single_secret  # one ``secret`` or ``password``, not ``secrets``
    resend = kind.resend(entry.spec, options.update_secrets, options.reset_passwords)
    for name, ref in kind.secrets(entry.spec).items():
        held = name in stored
        if held and not resend:
            continue
        value = secrets.resolve(ref, base, env)
        if value is None:
            field = name if single else f"secrets.{name}"
            plan.problems.append(entry.source.problem(f"{secrets.where(ref)} is not set", field))
            continue
        change.secrets[name] = value
        shown = single or "secrets"
        if held and shown not in change.fields:
            change.fields.append(shown)
    if change.live is not None and not single:
        # Secrets IMAS holds that the files no longer name are removed (an empty value).
        for name in sorted(stored - set(change.kind.secrets(entry.spec))):
            change.secrets[name] = ""


def unknown_resets(config: ConfigFiles, options: Options) -> list[str]:
    """``--reset-password`` names users the files declare with a password."""
    declared = {
        e.spec.username.casefold()
        for e in config.entries
        if e.kind.section == "users" and e.spec.password is not None
    }
    return [
        f"--reset-password {name}: no user '{name}' with a password in the files"
        for name in sorted(options.reset_passwords - declared)
    ]


@dataclass(frozen=True)
class Applier:
    """Who the apply runs as: its token (by id) and the user it belongs to, if any."""

    token_id: str = ""
    user_id: str = ""


def own_deletions(plan: Plan, applier: Applier) -> list[str]:
    """The deletions that would take away what the apply runs as: refused, named."""
    found = []
    for change in plan.changes:
        if change.action != "delete" or change.live is None:
            continue
        if change.kind.section == "tokens" and change.live.id == applier.token_id:
            found.append(f"token {change.label}")
        elif change.kind.section == "users" and change.live.id == applier.user_id:
            found.append(f"user {change.label}")
    return found


def _missing_references(config: ConfigFiles, names: Names) -> list[Problem]:
    """Every name an entry uses must be an entry of the files or of IMAS."""
    declared: dict[str, set[str]] = {}
    for entry in config.entries:
        if (kind_name := NAMED.get(entry.kind.section)) is not None:
            declared.setdefault(kind_name, set()).add(entry.kind.key(entry.spec).casefold())
    problems = []
    for entry in config.entries:
        for ref in entry.kind.references(entry.written):
            name = ref.name.strip()
            if name.casefold() in declared.get(ref.kind, set()) or names.known(ref.kind, name):
                continue
            noun = "person (by e-mail)" if ref.kind == "person" else ref.kind
            message = f"no {noun} '{name}' in the files or in IMAS"
            problems.append(entry.source.problem(message, ref.field))
    return problems


# -- printing ------------------------------------------------------------------------------------

SIGNS = {"create": "+", "update": "~", "delete": "-"}
WIDTH = 100


def describe(plan: Plan, *, dry_run: bool, done: list[Change] | None = None) -> list[str]:
    """Deletions first, then creations and updates with what changes field by field, then a
    count. Secrets appear by name only. ``done`` narrows the list to what was done."""
    changes = plan.changes if done is None else done
    shown = [c for c in changes if c.action == "delete"]
    shown += [c for c in changes if c.action in ("create", "update")]
    lines = []
    for change in shown:
        what = f"{SIGNS[change.action]} {change.kind.noun} {change.label}"
        if change.action == "update":
            what += f" ({', '.join(change.fields)})"
        lines.append(what)
        if change.action == "update" and change.entry is not None and change.live is not None:
            lines += [f"    {line}" for line in _field_lines(change)]
        lines += [f"    {note}" for note in change.notes]
    counts = plan.counts() if done is None else _counts(plan, done)
    if dry_run:
        summary = (
            f"{counts['create']} to create, {counts['update']} to update, "
            f"{counts['delete']} to delete, {counts['unchanged']} unchanged"
        )
    else:
        summary = (
            f"{counts['create']} created, {counts['update']} updated, "
            f"{counts['delete']} deleted, {counts['unchanged']} unchanged"
        )
    if not shown:
        lines.append("no change")
    lines.append(summary)
    return lines


def _counts(plan: Plan, done: list[Change]) -> dict[str, int]:
    counts = dict.fromkeys(("create", "update", "delete"), 0)
    for change in done:
        counts[change.action] += 1
    return {**counts, "unchanged": plan.counts()["unchanged"]}


def _field_lines(change: Change) -> list[str]:
    kind, entry, live = change.kind, change.entry, change.live
    assert entry is not None and live is not None
    new, old = kind.comparable(entry.spec), kind.comparable(live.spec)
    lines = []
    for name in change.fields:
        if name == "password":
            lines.append(f"password: set from {secrets.where(entry.spec.password)}")
            continue
        if name in ("secrets", "secret"):
            before = sorted(kind.stored_secrets(live.spec))
            after = sorted(kind.secrets(entry.spec))
            sent = sorted(n for n, v in change.secrets.items() if v)
            lines.append(f"{name}: {_show(before)} → {_show(after)} (sent: {_show(sent)})")
            continue
        before, after = _whole(getattr(old, name)), _whole(getattr(new, name))
        lines += [f"{path}: {_show(a)} → {_show(b)}" for path, a, b in _leaves(name, before, after)]
    return lines


def _whole(value: Any) -> Any:
    """``value`` as builtins with every field, defaults included."""
    if isinstance(value, msgspec.Struct):
        return {f: _whole(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return msgspec.to_builtins(value)


def _leaves(path: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """Where two values differ, as deep as both have the same shape."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            leaf
            for key in [*old, *(k for k in new if k not in old)]
            for leaf in _leaves(f"{path}.{key}", old.get(key), new.get(key))
            if old.get(key) != new.get(key)
        ]
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and len(old) == len(new)
        and all(isinstance(v, dict) for v in old + new)
    ):
        return [
            leaf
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            if a != b
            for leaf in _leaves(f"{path}[{i}]", a, b)
        ]
    return [(path, old, new)]


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"
