"""The inputs of the configuration pages, and the three conversions they need: a posted form
into the API's JSON body, an item the API answered into what its form shows, and the API's
refusals back onto the inputs they name. Pure: no I/O.

Inputs are named by the path the API uses for the value in its JSON and in its problems:
``name``, ``config.host`` (a key of an object), ``steps[0].delay_minutes`` (a row of a list).
So a refusal naming ``steps[0].delay_minutes`` lands next to the input of that name, and one
naming ``layers[1].members[2]`` next to the members of the second rotation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Kind = Literal[
    "text",  # one line
    "textarea",  # several lines, sent as they are
    "email",
    "url",
    "int",
    "number",  # decimals allowed
    "select",  # one of ``choices``
    "checks",  # any of ``choices``: a list
    "ordered",  # a list in the order chosen, one select per entry (a rotation's members)
    "targets",  # "kind:id" choices, in order: a list of {"kind", "id"} (a step's targets)
    "bool",  # a checkbox: true or false, always sent
    "lines",  # a list, one entry per line
    "pairs",  # an object, one ``key=value`` per line
    "local",  # a wall time without a zone (a rotation's handoff)
    "instant",  # a wall time read in the zone of the field ``zone`` (UTC without one)
    "clock",  # HH:MM
    "password",  # written, never shown (a user's password)
    "secret",  # written, never shown; the item says whether one is set
]
Values = dict[str, Any]
# (value, label) or (value, label, group): a group is shown as an <optgroup>.
Choice = tuple[str, ...]


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()


@dataclass(frozen=True)
class Field:
    """One input. ``choices`` are given, or named: the name of a lookup the page loads
    (``people``, ``teams``...). An empty input sends ``blank`` (left out of the body by
    default: the API's default applies, or a PATCH keeps the current value)."""

    name: str
    label: str
    kind: Kind = "text"
    choices: tuple[Choice, ...] | str = ()
    help: str = ""
    blank: Any = OMIT
    # Choices that are whole numbers (days of the week, a tier).
    numbers: bool = False
    # ``instant``: the field holding the time zone the wall time is read in.
    zone: str = ""
    # Chosen when the item is created, locked afterwards: a change leaves it out, unless
    # it must carry it again (``resent``: a provider's kind).
    create_only: bool = False
    resent: bool = False
    # Other names the API gives this field in its refusals.
    aliases: tuple[str, ...] = ()
    placeholder: str = ""
    # Where an item the API answers holds the value, when not at ``name``.
    read_as: str = ""
    # What a new form shows (the API's default, so that saving it unchanged keeps it).
    initial: Any = None

    @property
    def is_group(self) -> bool:
        return False


@dataclass(frozen=True)
class Group:
    """A list of rows, each with the same inputs (a policy's steps, a rule's matchers);
    ``label`` names one row, ``title`` (the plural by default) the list."""

    name: str
    label: str
    fields: tuple[Field | Group, ...]
    help: str = ""
    title: str = ""
    # Rows shown on a new form.
    blank_rows: int = 0

    @property
    def is_group(self) -> bool:
        return True

    @property
    def heading(self) -> str:
        return self.title or f"{self.label}s"


Fields = Sequence[Field | Group]
ErrorMap = dict[str, str]


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def row_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


def dom_id(path: str) -> str:
    """An element id for the input of ``path`` (``steps[0].delay_minutes`` →
    ``f-steps-0-delay_minutes``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


# -- a posted form into values ------------------------------------------------------------------


def _rows(path: str, form: Mapping[str, list[str]]) -> list[int]:
    pattern = re.compile(re.escape(path) + r"\[(\d+)\]")
    return sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})


def read_form(fields: Fields, form: Mapping[str, list[str]], prefix: str = "") -> Values:
    """The values a posted form holds (``form``: every value of each name, in order)."""
    values: Values = {}
    for f in fields:
        path = join(prefix, f.name)
        if isinstance(f, Group):
            values[f.name] = [
                read_form(f.fields, form, row_path(path, i)) for i in _rows(path, form)
            ]
        elif f.kind in ("checks", "ordered", "targets"):
            values[f.name] = [v for v in form.get(path, []) if v]
        elif f.kind == "bool":
            values[f.name] = "on" in form.get(path, [])
        else:
            values[f.name] = (form.get(path) or [""])[-1]
    return values


def blank_values(fields: Fields) -> Values:
    """The values of a new form."""
    values: Values = {}
    for f in fields:
        if isinstance(f, Group):
            values[f.name] = [blank_values(f.fields) for _ in range(f.blank_rows)]
        elif f.initial is not None:
            values[f.name] = f.initial
        elif f.kind in ("checks", "ordered", "targets"):
            values[f.name] = []
        else:
            values[f.name] = False if f.kind == "bool" else ""
    return values


# -- values into the API's JSON -----------------------------------------------------------------


def _put(body: dict[str, Any], name: str, value: Any) -> None:
    """``config.host`` sets ``body["config"]["host"]``."""
    *parents, last = name.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[last] = value


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        # The zone's own input is refused by the API, next to it.
        return ZoneInfo("UTC")


def _wall_time(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())


def _convert(f: Field, raw: Any, top: Values) -> Any:
    """The JSON value of one input; ValueError with the reason when it cannot be one."""
    if f.kind == "bool":
        return bool(raw)
    if f.kind in ("checks", "ordered"):
        return [int(v) for v in raw] if f.numbers else list(raw)
    if f.kind == "targets":
        return [dict(zip(("kind", "id"), (*v.split(":", 1), "")[:2], strict=True)) for v in raw]
    if f.kind == "lines":
        return [line.strip() for line in str(raw).splitlines() if line.strip()]
    if f.kind == "pairs":
        found = {}
        for line in str(raw).splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"'{line.strip()}' is not key=value")
            found[key.strip()] = value.strip()
        return found
    text = str(raw) if f.kind in ("textarea", "password", "secret") else str(raw).strip()
    if not text.strip():
        return f.blank
    if f.kind == "int" or (f.kind == "select" and f.numbers):
        try:
            return int(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
    if f.kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError("must be a number") from None
    if f.kind == "local":
        return _wall_time(text).replace(tzinfo=None).isoformat()
    if f.kind == "instant":
        zone = _zone(str(top.get(f.zone, "")) if f.zone else "UTC")
        return _wall_time(text).replace(tzinfo=zone).isoformat()
    return text


def to_body(
    fields: Fields,
    values: Values,
    *,
    editing: bool = False,
    top: Values | None = None,
    prefix: str = "",
) -> tuple[dict[str, Any], ErrorMap]:
    """The API's JSON for these values (``editing``: of a change to a saved item), and the
    inputs that cannot be converted (by path)."""
    top = values if top is None else top
    body: dict[str, Any] = {}
    errors: ErrorMap = {}
    for f in fields:
        path = join(prefix, f.name)
        raw = values.get(f.name)
        if isinstance(f, Group):
            rows = []
            for i, row in enumerate(raw or []):
                converted, row_errors = to_body(
                    f.fields, row, editing=editing, top=top, prefix=row_path(path, i)
                )
                rows.append(converted)
                errors.update(row_errors)
            _put(body, f.name, rows)
            continue
        if editing and f.create_only and not f.resent:
            continue
        try:
            value = _convert(f, "" if raw is None else raw, top)
        except ValueError as exc:
            errors[path] = str(exc)
            continue
        if value is not OMIT:
            _put(body, f.name, value)
    return body, errors


# -- an item the API answered into values -------------------------------------------------------


def _get(item: Mapping[str, Any], name: str) -> Any:
    found: Any = item
    for part in name.split("."):
        if not isinstance(found, Mapping):
            return None
        found = found.get(part)
    return found


def _ref(value: Any) -> str:
    """A catalog reference as the API answers it (``{id, name}``) or an id, as its id."""
    if isinstance(value, Mapping):
        return str(value.get("id", ""))
    return "" if value is None else str(value)


def _shown(f: Field, raw: Any, top: Mapping[str, Any]) -> Any:
    if f.kind in ("password", "secret"):
        return ""
    if f.kind == "bool":
        return bool(raw)
    if f.kind in ("checks", "ordered"):
        return [_ref(v) for v in raw or []]
    if f.kind == "targets":
        return [f"{t.get('kind', '')}:{t.get('id', '')}" for t in raw or []]
    if f.kind == "lines":
        return "\n".join(str(v) for v in raw or [])
    if f.kind == "pairs":
        return "\n".join(f"{k}={v}" for k, v in (raw or {}).items())
    if raw is None:
        return ""
    if f.kind in ("local", "instant") and isinstance(raw, str):
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is not None:
            moment = moment.astimezone(_zone(str(top.get(f.zone, "")) if f.zone else "UTC"))
        return moment.strftime("%Y-%m-%dT%H:%M")
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, Mapping):
        return _ref(raw)
    return str(raw)


def from_item(
    fields: Fields, item: Mapping[str, Any], *, top: Mapping[str, Any] | None = None
) -> Values:
    """What the form of an item shows (never a secret or a password)."""
    top = item if top is None else top
    values: Values = {}
    for f in fields:
        raw = _get(item, f.read_as if isinstance(f, Field) and f.read_as else f.name)
        if isinstance(f, Group):
            values[f.name] = [from_item(f.fields, row, top=top) for row in raw or []]
        else:
            values[f.name] = _shown(f, raw, top)
    return values


# -- editing the rows of a form -----------------------------------------------------------------

_STEP = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def _walk(fields: Fields, values: Values, path: str) -> tuple[Field | Group, Any, Values]:
    """The field at ``path``, its value, and the values that hold it."""
    found: Field | Group | None = None
    holder = values
    for i, part in enumerate(path.split(".")):
        m = _STEP.fullmatch(part)
        if m is None:
            raise KeyError(path)
        name, index = m.group(1), m.group(2)
        found = next((f for f in fields if f.name == name), None)
        if found is None:
            raise KeyError(path)
        if index is None:
            if i != len(path.split(".")) - 1:
                raise KeyError(path)
            return found, holder.get(name), holder
        if not isinstance(found, Group):
            raise KeyError(path)
        rows = holder.get(name) or []
        if int(index) >= len(rows):
            raise KeyError(path)
        holder, fields = rows[int(index)], found.fields
    raise KeyError(path)


def add_entry(fields: Fields, values: Values, path: str) -> None:
    """One more row of the group at ``path``, or one more entry of an ordered list."""
    try:
        found, value, holder = _walk(fields, values, path)
    except KeyError:
        return
    if isinstance(found, Group):
        holder[found.name] = [*(value or []), blank_values(found.fields)]
    elif found.kind in ("ordered", "targets"):
        holder[found.name] = [*(value or []), ""]


def remove_row(fields: Fields, values: Values, path: str) -> None:
    """Drop the row ``path`` (``steps[1]``) of its group."""
    m = re.fullmatch(r"(.*)\[(\d+)\]", path)
    if m is None:
        return
    try:
        found, rows, holder = _walk(fields, values, m.group(1))
    except KeyError:
        return
    index = int(m.group(2))
    if isinstance(found, Group) and rows and index < len(rows):
        holder[found.name] = [r for i, r in enumerate(rows) if i != index]


# -- the API's refusals onto the inputs ---------------------------------------------------------


def input_paths(fields: Fields, values: Values, prefix: str = "") -> dict[str, str]:
    """Every path the form shows (inputs and groups), and the other names the API may give
    them (aliases) with the path they stand for."""
    found: dict[str, str] = {}
    for f in fields:
        path = join(prefix, f.name)
        found[path] = path
        if isinstance(f, Group):
            for i, row in enumerate(values.get(f.name) or []):
                found[row_path(path, i)] = path
                found.update(input_paths(f.fields, row, row_path(path, i)))
        else:
            for alias in f.aliases:
                found[join(prefix, alias)] = path
    return found


@dataclass
class Refusals:
    """What to show next to each input (by path), and the rest, above the form."""

    by_path: ErrorMap = field(default_factory=dict)
    others: list[str] = field(default_factory=list)


def place_errors(
    fields: Fields, values: Values, errors: Sequence[tuple[str, str]], *, strip: str = ""
) -> Refusals:
    """Each refusal next to the input it names; a path under an input (``members[2]``)
    goes to that input; others above the form, with the name the API gave them. ``strip``
    is a prefix the API adds to every name (``rule.`` when a rule is tried)."""
    paths = input_paths(fields, values)
    placed = Refusals()
    for name, message in errors:
        name = name.removeprefix(strip) if strip else name
        target = paths.get(name)
        if target is None:
            candidates = [p for p in paths if name.startswith((p + "[", p + "."))]
            target = paths[max(candidates, key=len)] if candidates else None
        if target is None:
            placed.others.append(f"{name}: {message}" if name and name != "body" else message)
        elif target not in placed.by_path:
            placed.by_path[target] = message
    return placed


# -- what a template draws ----------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One input to draw, with its value, its refusal and its options."""

    field: Field
    path: str
    id: str
    value: Any
    error: str
    options: Sequence[Choice]
    locked: bool

    @property
    def is_group(self) -> bool:
        return False

    @property
    def entries(self) -> list[str]:
        """The selects of an ordered list: each entry, then an empty one to add another."""
        return [*self.value, ""]

    @property
    def has_blank(self) -> bool:
        """Whether one of the options is the empty choice ("any")."""
        return any(o[0] == "" for o in self.options)

    @property
    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The options by group (``""`` for those of none), in their order."""
        found: dict[str, list[tuple[str, str]]] = {}
        for option in self.options:
            found.setdefault(option[2] if len(option) > 2 else "", []).append(
                (option[0], option[1])
            )
        return list(found.items())

    @property
    def described_by(self) -> str:
        """The ids of the help and the refusal shown under the input."""
        parts = [
            f"{self.id}-help" if self.field.help else "",
            f"{self.id}-error" if self.error else "",
        ]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Row:
    index: int
    path: str
    inputs: list[Input | Rows]


@dataclass(frozen=True)
class Rows:
    group: Group
    path: str
    id: str
    rows: list[Row]
    error: str

    @property
    def is_group(self) -> bool:
        return True


def layout(
    fields: Fields,
    values: Values,
    refusals: Refusals,
    options: Mapping[str, Sequence[Choice]],
    *,
    editing: bool = False,
    prefix: str = "",
) -> list[Input | Rows]:
    """The inputs of a form to draw: values, refusals and options in place. ``editing``
    locks the inputs that only a creation may set."""
    drawn: list[Input | Rows] = []
    for f in fields:
        path = join(prefix, f.name)
        error = refusals.by_path.get(path, "")
        if isinstance(f, Group):
            rows = [
                Row(
                    index=i,
                    path=row_path(path, i),
                    inputs=layout(
                        f.fields,
                        row,
                        refusals,
                        options,
                        editing=editing,
                        prefix=row_path(path, i),
                    ),
                )
                for i, row in enumerate(values.get(f.name) or [])
            ]
            drawn.append(Rows(group=f, path=path, id=dom_id(path), rows=rows, error=error))
            continue
        choices = options.get(f.choices, ()) if isinstance(f.choices, str) else f.choices
        drawn.append(
            Input(
                field=f,
                path=path,
                id=dom_id(path),
                value=values.get(f.name, ""),
                error=error,
                options=choices,
                locked=editing and f.create_only,
            )
        )
    return drawn
