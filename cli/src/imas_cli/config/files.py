"""Reading configuration files: YAML with the line of every value, checked whole.

A file holds sections (``teams:``, ``schedules:`` ...), each a list of entries, or documents of
one entry each (``kind: Schedule`` plus its fields); a file may hold several YAML documents
(``---``), and a folder is every ``*.yaml`` / ``*.yml`` file under it. Every problem is
reported with its file and line, and one problem refuses everything: nothing is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

from imas_cli.config.kind import Kind, Refusal
from imas_cli.config.kinds import KINDS

SECTION_ALIASES = {
    "impact_scopes": "scopes",
    "policies": "escalation_policies",
    "providers": "notification_providers",
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ConfigError(Exception):
    """The files were refused, or IMAS refused a change; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(map(str, self.problems)))


class _Loader(yaml.SafeLoader):
    """YAML as people write it in 2026: ``18:00`` is a time of day, not 1080 (YAML 1.1's
    base-60 integers), so that a schedule's restriction reads as written."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if not (tag.endswith((":int", ":float")) and ":" in regexp.pattern.replace("(?:", ""))
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


# What a file may expand to: YAML aliases (``*name``) repeat what an anchor holds, so a few
# lines of aliases of aliases make billions of values, and an alias inside its own anchor
# never ends; nesting past Python's recursion limit would fail with a traceback, not a line.
MAX_VALUES = 200_000
MAX_DEPTH = 64


class TooBig(Exception):
    """A document that expands past :data:`MAX_VALUES` or :data:`MAX_DEPTH`."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        self.line = node.start_mark.line + 1
        super().__init__(message)


class Lines:
    """Where each mapping, sequence and key of a document starts (1-based lines)."""

    def __init__(self) -> None:
        self.loader = _Loader("")
        self.starts: dict[int, int] = {}
        self.keys: dict[int, dict[Any, int]] = {}
        self._keep: list[Any] = []  # ids stay unique while the values live
        self._values = 0
        self._open: list[yaml.Node] = []  # the collections being read, outermost first

    def plain(self, node: yaml.Node) -> Any:
        """The value of ``node``; TooBig past the bounds above."""
        self._values += 1
        if self._values > MAX_VALUES:
            raise TooBig(node, f"expands to more than {MAX_VALUES} values (YAML aliases?)")
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self.loader.construct_object(node, deep=True)
        if any(node is outer for outer in self._open):
            raise TooBig(node, "an alias inside its own anchor: the value never ends")
        if len(self._open) >= MAX_DEPTH:
            raise TooBig(node, f"nested more than {MAX_DEPTH} levels deep")
        self._open.append(node)
        try:
            return self._collection(node)
        finally:
            self._open.pop()

    def _collection(self, node: yaml.MappingNode | yaml.SequenceNode) -> Any:
        if isinstance(node, yaml.SequenceNode):
            return self._mark([self.plain(v) for v in node.value], node)
        result: dict[Any, Any] = {}
        keys: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.plain(key_node)
            result[key] = self.plain(value_node)
            keys[key] = key_node.start_mark.line + 1
        self.keys[id(result)] = keys
        return self._mark(result, node)

    def _mark(self, value: Any, node: yaml.Node) -> Any:
        self.starts[id(value)] = node.start_mark.line + 1
        self._keep.append(value)
        return value

    def start(self, value: Any, fallback: int) -> int:
        return self.starts.get(id(value), fallback)

    def key(self, mapping: Any, key: Any, fallback: int) -> int:
        return self.keys.get(id(mapping), {}).get(key, fallback)

    def of(self, item: Any, path: str, line: int) -> int:
        """The line of the value at ``path`` (``steps[1].critical``) in ``item``, as deep as
        the path can be followed."""
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
            if part.startswith("[") and isinstance(item, list) and int(part[1:-1]) < len(item):
                item = item[int(part[1:-1])]
                line = self.start(item, line)
            elif isinstance(item, dict) and part in item:
                line = self.key(item, part, line)
                item = item[part]
            else:
                break
        return line


@dataclass(eq=False)
class Source:
    """Where an entry was declared: to say where a problem is, even one IMAS finds later."""

    path: str
    line: int
    where: str
    raw: Any = None
    lines: Lines | None = None

    def problem(self, message: str, path: str = "") -> Problem:
        """A problem of this entry; ``path`` (``steps[0].targets``) names a field in it."""
        line = self.line
        if path and self.lines is not None:
            line = self.lines.of(self.raw, path, self.line)
        return Problem(self.path, line, f"{self.where}{'.' + path if path else ''}: {message}")


@dataclass(eq=False)
class Declared:
    """One entry of the files, checked: its kind, its fields as IMAS would keep them, its
    fields as written (to point at a member by its place in the file), where it was."""

    kind: Kind[Any]
    spec: Any
    written: Any
    source: Source


@dataclass
class ConfigFiles:
    """Everything the files declare. ``sections`` holds every kind the files name, even with
    an empty list: those are the kinds ``--prune`` may delete from."""

    entries: list[Declared] = field(default_factory=list)
    sections: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)


def load(paths: Iterable[Path]) -> ConfigFiles:
    """Read and check files and folders; :class:`ConfigError` lists every problem."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(Problem(str(path), 1, "no .yaml or .yml file in this folder"))
            files += found
        else:
            files.append(path)
    config = ConfigFiles()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            problems.append(Problem(str(path), 1, f"cannot read: {reason}"))
            continue
        problems += parse(text, str(path), config)
    problems += _duplicates(config.entries)
    if problems:
        raise ConfigError(problems)
    return config


def parse(text: str, path: str, config: ConfigFiles) -> list[Problem]:
    """Add what ``text`` declares to ``config``; the problems found in it."""
    config.paths.append(path)
    try:
        roots = [r for r in yaml.compose_all(text, Loader=_Loader) if r is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return [Problem(path, line, f"not valid YAML: {exc.problem}")]
    except RecursionError:  # PyYAML reads nested collections recursively
        return [Problem(path, 1, f"nested more than {MAX_DEPTH} levels deep")]
    if not roots:
        return [Problem(path, 1, "the file is empty")]
    problems: list[Problem] = []
    lines = Lines()
    for root in roots:
        try:
            data = lines.plain(root)
        except TooBig as exc:
            return [*problems, Problem(path, exc.line, str(exc))]
        line = root.start_mark.line + 1
        if not isinstance(data, dict):
            problems.append(Problem(path, line, "must be a mapping of sections"))
        elif "kind" in data:
            _document(data, Source(path, line, "", data, lines), config, problems)
        else:
            _sections(data, path, lines, config, problems)
    return problems


# ``kind: Runbook`` or ``kind: runbook``, ``kind: ImpactScope`` or ``kind: impact_scope``.
_BY_DOCUMENT = {kind.document.casefold(): kind for kind in KINDS}
_BY_DOCUMENT["impactscope"] = _BY_DOCUMENT["scope"]
_BY_SECTION = {kind.section: kind for kind in KINDS}


def _document(
    data: dict[Any, Any], source: Source, config: ConfigFiles, problems: list[Problem]
) -> None:
    kind = _BY_DOCUMENT.get(str(data["kind"]).replace("_", "").casefold())
    if kind is None:
        known = ", ".join(k.document for k in KINDS)
        problems.append(
            Problem(source.path, source.line, f"kind '{data['kind']}': unknown (known: {known})")
        )
        return
    source.where = kind.noun
    fields = {k: v for k, v in data.items() if k != "kind"}
    _entry(kind, fields, source, config, problems)


def _sections(
    data: dict[Any, Any], path: str, lines: Lines, config: ConfigFiles, problems: list[Problem]
) -> None:
    for raw_key, value in data.items():
        key = SECTION_ALIASES.get(str(raw_key), str(raw_key))
        line = lines.key(data, raw_key, 1)
        kind = _BY_SECTION.get(key)
        if kind is None:
            known = ", ".join(_BY_SECTION)
            problems.append(Problem(path, line, f"'{raw_key}': unknown section (known: {known})"))
            continue
        config.sections.add(kind.section)
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(Problem(path, line, f"{key}: must be a list"))
            continue
        for index, item in enumerate(value):
            item_line = lines.start(item, line + 1 + index)
            source = Source(path, item_line, f"{key}[{index}]", item, lines)
            _entry(kind, item, source, config, problems)


def _entry(
    kind: Kind[Any], item: Any, source: Source, config: ConfigFiles, problems: list[Problem]
) -> None:
    """Check one entry against its kind; add it to ``config`` or its problems to ``problems``."""
    config.sections.add(kind.section)
    if not isinstance(item, dict):
        problems.append(source.problem("must be a mapping of fields"))
        return
    data = {kind.aliases.get(str(k), str(k)): v for k, v in item.items()}
    known = kind.fields()
    unknown = [k for k in item if kind.aliases.get(str(k), str(k)) not in known]
    if unknown:
        for key in unknown:
            message = f"unknown field (known: {', '.join(sorted(known))})"
            problems.append(source.problem(message, str(key)))
        return
    found = [source.problem(r.message, r.field) for r in kind.precheck(data)]
    if found:
        problems += found
        return
    try:
        spec = msgspec.convert(data, kind.spec)
    except msgspec.ValidationError as exc:
        problems.append(_validation_problem(exc, data, item, source))
        return
    refusals: list[Refusal] = kind.check(spec)
    if refusals:
        problems += [source.problem(r.message, r.field) for r in refusals]
        return
    config.entries.append(Declared(kind, kind.normalize(spec), spec, source))


def _validation_problem(
    exc: msgspec.ValidationError, data: dict[str, Any], item: dict[Any, Any], source: Source
) -> Problem:
    text = str(exc)
    where = text.rsplit("`$.", 1)[1].rstrip("`") if "`$." in text else ""
    if "missing required field `" in text:
        missing = text.split("missing required field `", 1)[1].split("`")[0]
        where = f"{where}.{missing}" if where else missing
    message = text.split(" - at ")[0]
    # Aliased keys are named as the file wrote them.
    written = dict(zip(data, item, strict=True))
    head, dot, rest = where.partition(".")
    name, bracket, index = head.partition("[")
    head = str(written.get(name, name)) + bracket + index
    return source.problem(message, head + dot + rest)


def _duplicates(entries: list[Declared]) -> list[Problem]:
    """Two entries of one kind with the same name (or match) are refused: which one wins
    would depend on the order of the files."""
    seen: dict[tuple[str, str], Source] = {}
    problems = []
    for entry in entries:
        key = (entry.kind.section, entry.kind.key(entry.spec).casefold())
        first = seen.setdefault(key, entry.source)
        if first is not entry.source:
            place = (
                f"line {first.line}"
                if first.path == entry.source.path
                else f"{first.path}:{first.line}"
            )
            label = entry.kind.label(entry.spec)
            problems.append(entry.source.problem(f"'{label}' is also defined at {place}"))
    return problems
