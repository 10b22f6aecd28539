"""``imas apply -f FILE``: the catalog as code.

The file is YAML with top-level sections ``teams``, ``services``, ``scopes``, ``people`` and
``tag_rules``. It is checked whole before anything is sent: every problem is reported with its
line, and one problem refuses the whole file. Applying is idempotent (entries are matched by
name, people by email); ``--dry-run`` shows what would change and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import yaml

from imas_contracts.catalog import PersonSpec, TagRuleSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied, ScopeSpec, ServiceSpec, TeamSpec

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
    "runbooks",
    "providers",
    "alert_rules",
    "silences",
    "integrations",
    "routing_rules",
)


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
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise CatalogFileError(path, [Problem(line, f"not valid YAML: {exc.problem}")]) from None
    if root is None:
        raise CatalogFileError(path, [Problem(1, "the file is empty")])
    lines = _Lines()
    data = lines.plain(root)
    if not isinstance(data, dict):
        raise CatalogFileError(path, [Problem(1, "must be a mapping of sections")])
    problems: list[Problem] = []
    sections: dict[str, list[Any]] = {}
    for raw_key, value in data.items():
        key = SECTION_ALIASES.get(str(raw_key), str(raw_key))
        line = lines.key(data, raw_key, 1)
        if key in RESERVED:
            problems.append(Problem(line, f"'{raw_key}': not supported yet"))
            continue
        if key not in SECTIONS:
            problems.append(
                Problem(
                    line,
                    f"'{raw_key}': unknown section (known: {', '.join(SECTIONS)})",
                )
            )
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(Problem(line, f"{key}: must be a list"))
            continue
        specs = []
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
        sections[key] = specs
    if problems:
        raise CatalogFileError(path, problems)
    return ApplyCatalog(
        teams=sections.get("teams", []),
        services=sections.get("services", []),
        scopes=sections.get("scopes", []),
        people=sections.get("people", []),
        tag_rules=sections.get("tag_rules", []),
    )


def load_catalog(path: Path) -> ApplyCatalog:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogFileError(str(path), [Problem(1, f"cannot read: {exc.strerror}")]) from None
    return parse_catalog(text, str(path))


def describe_changes(applied: CatalogApplied) -> list[str]:
    """One line per created or updated entry, then a count."""
    lines = []
    counts = {"create": 0, "update": 0, "unchanged": 0}
    for change in applied.changes:
        counts[change.action] += 1
        if change.action == "create":
            lines.append(f"+ {change.kind} {change.name}")
        elif change.action == "update":
            lines.append(f"~ {change.kind} {change.name} ({', '.join(change.fields)})")
    verb = "would be" if applied.dry_run else ""
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
