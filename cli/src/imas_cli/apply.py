"""``imas apply -f FILE``: the catalog and runbooks as code.

The file is YAML with top-level sections ``teams``, ``services``, ``scopes``, ``people``,
``tag_rules`` and ``runbooks`` (the shape the warroom's runbook import takes). A file may hold
several YAML documents (``---``); a document with ``kind: Runbook`` is one runbook. It is
checked whole before anything is sent: every problem is reported with its line, and one problem
refuses the whole file. Applying is idempotent (entries are matched by name, people by email);
``--dry-run`` shows what would change and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

from imas_contracts.catalog import CatalogChange, PersonSpec, TagRuleSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied, ScopeSpec, ServiceSpec, TeamSpec
from imas_contracts.warroom import RunbookSpec, RunbookStep

SECTIONS: dict[str, type[msgspec.Struct]] = {
    "teams": TeamSpec,
    "services": ServiceSpec,
    "scopes": ScopeSpec,
    "people": PersonSpec,
    "tag_rules": TagRuleSpec,
}
# Key aliases accepted in files: the name people use → the contract's field.
ALIASES: dict[str, dict[str, str]] = {"teams": {"chat_channel": "slack_channel"}}
SECTION_ALIASES = {"impact_scopes": "scopes"}
NATURAL_KEY = {"teams": "name", "services": "name", "scopes": "name", "people": "email"}
NATURAL_KEY["tag_rules"] = "tag"
# Sections kept for what comes next; a file may not use them yet.
RESERVED = (
    "schedules",
    "escalation_policies",
    "policies",
    "providers",
    "alert_rules",
    "silences",
    "integrations",
    "routing_rules",
)


# Runbooks: the fields a file gives (the rest is the service's), and the document kind.
RUNBOOK = "runbooks"
RUNBOOK_KIND = "Runbook"
RUNBOOK_FIELDS = tuple(
    f for f in RunbookSpec.__struct_fields__ if f not in ("id", "created_at", "updated_at")
)
STEP_FIELDS = RunbookStep.__struct_fields__


@dataclass(frozen=True)
class ApplyPlan:
    """What a file asks for: a catalog for the incidents service, runbooks for warroom."""

    catalog: ApplyCatalog
    runbooks: list[RunbookSpec] = field(default_factory=list)
    # Whether the file has catalog sections at all (a runbooks-only file sends no catalog).
    has_catalog: bool = True


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class CatalogFileError(Exception):
    """The file was refused; ``problems`` say where and why."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__("\n".join(f"{path}:{p.line}: {p.message}" for p in self.problems))


class _Lines:
    """Where each mapping, sequence and key of the file starts (1-based lines)."""

    def __init__(self) -> None:
        self.loader = yaml.SafeLoader("")
        self.starts: dict[int, int] = {}
        self.keys: dict[int, dict[Any, int]] = {}
        self._keep: list[Any] = []  # ids stay unique while the values live

    def plain(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            keys: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = self.plain(key_node)
                result[key] = self.plain(value_node)
                keys[key] = key_node.start_mark.line + 1
            self.keys[id(result)] = keys
            return self._mark(result, node)
        if isinstance(node, yaml.SequenceNode):
            return self._mark([self.plain(v) for v in node.value], node)
        return self.loader.construct_object(node, deep=True)

    def _mark(self, value: Any, node: yaml.Node) -> Any:
        self.starts[id(value)] = node.start_mark.line + 1
        self._keep.append(value)
        return value

    def start(self, value: Any, fallback: int) -> int:
        return self.starts.get(id(value), fallback)

    def key(self, mapping: Any, key: Any, fallback: int) -> int:
        return self.keys.get(id(mapping), {}).get(key, fallback)


def _check_item(
    section: str, index: int, item: Any, lines: _Lines, problems: list[Problem]
) -> msgspec.Struct | None:
    line = lines.start(item, 1)
    where = f"{section}[{index}]"
    if not isinstance(item, dict):
        problems.append(Problem(line, f"{where}: must be a mapping of fields"))
        return None
    spec_type = SECTIONS[section]
    aliases = ALIASES.get(section, {})
    allowed = set(spec_type.__struct_fields__) | set(aliases)
    data: dict[str, Any] = {}
    ok = True
    for key, value in item.items():
        if key not in allowed:
            problems.append(
                Problem(
                    lines.key(item, key, line),
                    f"{where}.{key}: unknown field (known: {', '.join(sorted(allowed))})",
                )
            )
            ok = False
        else:
            data[aliases.get(str(key), str(key))] = value
    if not ok:
        return None
    try:
        return msgspec.convert(data, spec_type)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = ""
        if "`$." in text:
            field = text.rsplit("`$.", 1)[1].rstrip("`").split(".")[0].split("[")[0]
        elif "missing required field `" in text:
            field = text.split("missing required field `", 1)[1].split("`")[0]
        message = text.split(" - at ")[0]
        at = lines.key(item, field, line) if field else line
        problems.append(Problem(at, f"{where}{'.' + field if field else ''}: {message}"))
        return None


def parse_catalog(text: str, path: str = "<catalog>") -> ApplyCatalog:
    """The catalog described by ``text``, or :class:`CatalogFileError` listing every problem."""
    return parse_file(text, path).catalog


def parse_file(text: str, path: str = "<catalog>") -> ApplyPlan:
    """The catalog and runbooks described by ``text`` (one or more YAML documents), or
    :class:`CatalogFileError` listing every problem."""
    try:
        roots = [r for r in yaml.compose_all(text, Loader=yaml.SafeLoader) if r is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise CatalogFileError(path, [Problem(line, f"not valid YAML: {exc.problem}")]) from None
    if not roots:
        raise CatalogFileError(path, [Problem(1, "the file is empty")])
    lines = _Lines()
    problems: list[Problem] = []
    sections: dict[str, list[Any]] = {}
    runbooks: list[tuple[int, RunbookSpec]] = []
    for root in roots:
        data = lines.plain(root)
        if not isinstance(data, dict):
            problems.append(Problem(root.start_mark.line + 1, "must be a mapping of sections"))
            continue
        if "kind" in data:
            line = lines.start(data, 1)
            if data["kind"] != RUNBOOK_KIND:
                problems.append(Problem(line, f"kind '{data['kind']}': unknown (known: Runbook)"))
                continue
            spec = _check_runbook("runbook", data, line, lines, problems, also=("kind",))
            if spec is not None:
                runbooks.append((line, spec))
            continue
        _check_sections(data, lines, problems, sections, runbooks)
    _check_runbook_names(runbooks, problems)
    if problems:
        raise CatalogFileError(path, problems)
    catalog = ApplyCatalog(
        teams=sections.get("teams", []),
        services=sections.get("services", []),
        scopes=sections.get("scopes", []),
        people=sections.get("people", []),
        tag_rules=sections.get("tag_rules", []),
    )
    return ApplyPlan(
        catalog=catalog,
        runbooks=[spec for _, spec in runbooks],
        has_catalog=bool(sections) or not runbooks,
    )


def _check_sections(
    data: dict[Any, Any],
    lines: _Lines,
    problems: list[Problem],
    sections: dict[str, list[Any]],
    runbooks: list[tuple[int, RunbookSpec]],
) -> None:
    for raw_key, value in data.items():
        key = SECTION_ALIASES.get(str(raw_key), str(raw_key))
        line = lines.key(data, raw_key, 1)
        if key in RESERVED:
            problems.append(Problem(line, f"'{raw_key}': not supported yet"))
            continue
        if key not in SECTIONS and key != RUNBOOK:
            known = ", ".join([*SECTIONS, RUNBOOK])
            problems.append(Problem(line, f"'{raw_key}': unknown section (known: {known})"))
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(Problem(line, f"{key}: must be a list"))
            continue
        if key == RUNBOOK:
            for index, item in enumerate(value):
                item_line = lines.start(item, line + 1 + index)
                runbook = _check_runbook(f"runbooks[{index}]", item, item_line, lines, problems)
                if runbook is not None:
                    runbooks.append((item_line, runbook))
            continue
        specs = sections.setdefault(key, [])
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            item_line = lines.start(item, line + 1 + index)
            spec = _check_item(key, index, item, lines, problems)
            if spec is None:
                continue
            natural = str(getattr(spec, NATURAL_KEY[key])).strip().lower()
            if natural in seen:
                problems.append(
                    Problem(
                        item_line,
                        f"{key}[{index}]: '{natural}' is also defined at line {seen[natural]}",
                    )
                )
            seen[natural] = item_line
            specs.append(spec)


def _unknown_fields(
    where: str, item: dict[Any, Any], known: tuple[str, ...], line: int, lines: _Lines
) -> list[Problem]:
    return [
        Problem(
            lines.key(item, key, line),
            f"{where}.{key}: unknown field (known: {', '.join(sorted(known))})",
        )
        for key in item
        if key not in known
    ]


def _check_runbook(
    where: str,
    item: Any,
    line: int,
    lines: _Lines,
    problems: list[Problem],
    also: tuple[str, ...] = (),
) -> RunbookSpec | None:
    """A runbook as the warroom's import takes it, or None with its problems added: unknown
    fields (``also`` names more allowed keys), wrong types, and what the service would refuse
    (no name, no step...)."""
    if not isinstance(item, dict):
        problems.append(Problem(line, f"{where}: must be a mapping of fields"))
        return None
    found = _unknown_fields(where, item, (*RUNBOOK_FIELDS, *also), line, lines)
    steps = item.get("steps")
    if isinstance(steps, list):
        for index, step in enumerate(steps):
            step_line = lines.start(step, line)
            if not isinstance(step, dict):
                found.append(Problem(step_line, f"{where}.steps[{index}]: must be a mapping"))
                continue
            step_where = f"{where}.steps[{index}]"
            found += _unknown_fields(step_where, step, STEP_FIELDS, step_line, lines)
            if not str(step.get("title") or "").strip():
                found.append(Problem(step_line, f"{step_where}.title: must not be empty"))
    if found:
        problems.extend(found)
        return None
    try:
        spec = msgspec.convert(item, RunbookSpec, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = text.rsplit("`$.", 1)[1].rstrip("`") if "`$." in text else ""
        if not path and "missing required field `" in text:
            path = text.split("missing required field `", 1)[1].split("`")[0]
        message = text.split(" - at ")[0]
        at = _line_of(item, path, line, lines)
        problems.append(Problem(at, f"{where}{'.' + path if path else ''}: {message}"))
        return None
    refusal = _runbook_refusal(spec)
    if refusal is not None:
        name, message = refusal
        problems.append(Problem(lines.key(item, name, line), f"{where}.{name}: {message}"))
        return None
    return spec


def _line_of(item: Any, path: str, line: int, lines: _Lines) -> int:
    """The line of the value at ``path`` (``steps[1].critical``) in ``item``, as deep as found."""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("[") and isinstance(item, list) and int(part[1:-1]) < len(item):
            item = item[int(part[1:-1])]
            line = lines.start(item, line)
        elif isinstance(item, dict) and part in item:
            line = lines.key(item, part, line)
            item = item[part]
        else:
            break
    return line


def _runbook_refusal(spec: RunbookSpec) -> tuple[str, str] | None:
    """What the warroom service would refuse in this runbook: (field, reason)."""
    if not spec.name.strip():
        return "name", "must not be empty"
    if spec.alert_pattern:
        try:
            re.compile(spec.alert_pattern)
        except re.error as exc:
            return "alert_pattern", f"not a valid regular expression: {exc}"
    if not spec.service and not spec.alert_pattern:
        return "service", "give a service or an alert_pattern, or both"
    if not spec.steps:
        return "steps", "a runbook needs at least one step"
    return None


def _check_runbook_names(runbooks: list[tuple[int, RunbookSpec]], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for line, spec in runbooks:
        name = spec.name.strip().lower()
        if name in seen:
            problems.append(
                Problem(line, f"runbook '{spec.name}' is also defined at line {seen[name]}")
            )
        seen.setdefault(name, line)


def load_catalog(path: Path) -> ApplyCatalog:
    return load_file(path).catalog


def load_file(path: Path) -> ApplyPlan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogFileError(str(path), [Problem(1, f"cannot read: {exc.strerror}")]) from None
    return parse_file(text, str(path))


def describe_changes(applied: CatalogApplied) -> list[str]:
    """One line per created or updated entry, then a count."""
    return describe(applied.changes, dry_run=applied.dry_run)


def describe(changes: list[CatalogChange], *, dry_run: bool) -> list[str]:
    """One line per created or updated entry (catalog entries and runbooks), then a count."""
    lines = []
    counts = {"create": 0, "update": 0, "unchanged": 0}
    for change in changes:
        counts[change.action] += 1
        if change.action == "create":
            lines.append(f"+ {change.kind} {change.name}")
        elif change.action == "update":
            lines.append(f"~ {change.kind} {change.name} ({', '.join(change.fields)})")
    verb = "would be" if dry_run else ""
    created, updated = counts["create"], counts["update"]
    summary = (
        f"{created} to create, {updated} to update"
        if verb
        else (f"{created} created, {updated} updated")
    )
    lines.append(f"{summary}, {counts['unchanged']} unchanged")
    if not created and not updated:
        lines.insert(0, "no change")
    return lines
