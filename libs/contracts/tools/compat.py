"""Contract compatibility: committed JSON schemas and golden examples for every message.

Every message has two committed files under ``libs/contracts``:

* ``schemas/<tag>.json``, its JSON schema, compared with the current one to catch changes that
  would break a producer or consumer still running the previous code;
* ``golden/<tag>.json``, an example written once and never regenerated, which the current
  struct must still decode.

A tool of the checkout (it reads and writes those files), not a module of the package:
``uv run python libs/contracts/tools/compat.py --check`` (the default; the contracts' tests run
the same checks), and ``uv run python libs/contracts/tools/compat.py --write`` after adding a
message or an optional field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import msgspec
import msgspec.inspect as mi

from imas_contracts import Message, all_messages
from imas_contracts.examples import dump_example, example_of, message_decoder, unwrap

Schema = dict[str, Any]
M = TypeVar("M", bound=Message)

CONTRACTS_DIR: Final = Path(__file__).resolve().parents[1]
SCHEMAS_DIR: Final = CONTRACTS_DIR / "schemas"
GOLDEN_DIR: Final = CONTRACTS_DIR / "golden"

WRITE_HINT: Final = "run `uv run python libs/contracts/tools/compat.py --write`"


# -- schemas ------------------------------------------------------------------------------------


def _schema_hook(tp: type) -> Schema:
    """Schemas for the few non-msgspec annotations used in contracts (``object`` = any value)."""
    if tp is object:
        return {"description": "Any JSON value"}
    raise NotImplementedError


def _normalised(value: Any) -> Any:
    """Dicts with sorted keys, recursively; lists keep their order."""
    if isinstance(value, dict):
        return {k: _normalised(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _struct_types(t: mi.Type, found: dict[type, mi.StructType]) -> None:
    """Collect every struct reachable from ``t``."""
    t = unwrap(t)
    if isinstance(t, mi.StructType):
        if t.cls in found:
            return
        found[t.cls] = t
        for f in t.fields:
            _struct_types(f.type, found)
    elif isinstance(t, mi.UnionType):
        for member in t.types:
            _struct_types(member, found)
    elif isinstance(t, mi.CollectionType):
        _struct_types(t.item_type, found)
    elif isinstance(t, mi.TupleType):
        for item in t.item_types:
            _struct_types(item, found)
    elif isinstance(t, mi.DictType | mi.FrozenDictType):
        _struct_types(t.key_type, found)
        _struct_types(t.value_type, found)


def _mark_datetimes(t: mi.Type, node: Schema) -> None:
    """Give datetime fields ``format: date-time``.

    msgspec only adds the format for timezone-aware annotations, which would make a change
    between ``str`` and ``datetime`` invisible to the compatibility check.
    """
    t = unwrap(t)
    if isinstance(t, mi.DateTimeType):
        if node.get("type") == "string":
            node.setdefault("format", "date-time")
    elif isinstance(t, mi.UnionType):
        if any(isinstance(unwrap(m), mi.DateTimeType) for m in t.types):
            for member in node.get("anyOf", []):
                if isinstance(member, dict) and member.get("type") == "string":
                    member.setdefault("format", "date-time")
    elif isinstance(t, mi.CollectionType):
        items = node.get("items")
        if isinstance(items, dict):
            _mark_datetimes(t.item_type, items)
    elif isinstance(t, mi.TupleType):
        for item_type, item in zip(t.item_types, node.get("prefixItems", []), strict=False):
            if isinstance(item, dict):
                _mark_datetimes(item_type, item)
    elif isinstance(t, mi.DictType | mi.FrozenDictType):
        values = node.get("additionalProperties")
        if isinstance(values, dict):
            _mark_datetimes(t.value_type, values)


def schema_of(cls: type[msgspec.Struct]) -> Schema:
    """The JSON schema of a message, with sorted keys so that it can be committed and diffed."""
    raw: Schema = msgspec.json.schema(cls, schema_hook=_schema_hook)
    defs: dict[str, Schema] = raw.get("$defs", {})
    structs: dict[type, mi.StructType] = {}
    _struct_types(mi.type_info(cls), structs)
    for struct_cls, info in structs.items():
        names = [n for n, d in defs.items() if d.get("title") == struct_cls.__name__]
        if len(names) != 1:
            continue
        properties: dict[str, Schema] = defs[names[0]].get("properties", {})
        for f in info.fields:
            if f.encode_name in properties:
                _mark_datetimes(f.type, properties[f.encode_name])
    normalised: Schema = _normalised(raw)
    return normalised


def dump_schema(schema: Schema) -> str:
    """The committed text of a schema."""
    return json.dumps(_normalised(schema), indent=2, ensure_ascii=False) + "\n"


# -- compatibility ------------------------------------------------------------------------------

_LOWER_BOUNDS: Final = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_UPPER_BOUNDS: Final = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_EXACT: Final = ("pattern", "multipleOf")


@dataclass(frozen=True)
class _Atom:
    """One alternative of a (flattened) schema: a literal value, null, or a typed shape."""

    kind: str
    node: Schema
    ref: str | None = None
    literal: Any = None


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _where(path: str) -> str:
    return f"field '{path}'" if path else "message"


@dataclass
class _Comparer:
    old_defs: dict[str, Schema]
    new_defs: dict[str, Schema]
    errors: list[str] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def atoms(self, node: Schema, defs: dict[str, Schema], ref: str | None = None) -> list[_Atom]:
        if "$ref" in node:
            name = _ref_name(node["$ref"])
            target = defs.get(name, {})
            merged = {**{k: v for k, v in node.items() if k != "$ref"}, **target}
            return self.atoms(merged, defs, name)
        if "anyOf" in node:
            return [a for member in node["anyOf"] for a in self.atoms(member, defs)]
        if "enum" in node:
            return [_Atom("literal", node, ref, value) for value in node["enum"]]
        if "const" in node:
            return [_Atom("literal", node, ref, node["const"])]
        kind = node.get("type")
        if isinstance(kind, list):
            return [a for k in kind for a in self.atoms({**node, "type": k}, defs, ref)]
        if kind is None:
            return [_Atom("any", node, ref)]
        if kind == "object" and "properties" in node:
            return [_Atom(f"struct:{node.get('title', ref)}", node, ref)]
        if kind == "array" and node.get("uniqueItems"):
            return [_Atom("array:unique", node, ref)]
        if kind == "string":
            suffix = "".join(f":{node[k]}" for k in ("format", "contentEncoding") if k in node)
            return [_Atom(f"string{suffix}", node, ref)]
        return [_Atom(str(kind), node, ref)]

    def describe(self, atoms: list[_Atom], defs: dict[str, Schema]) -> str:
        parts: list[str] = []
        literals = [a.literal for a in atoms if a.kind == "literal"]
        if literals:
            parts.append(f"enum{sorted(literals, key=repr)!r}")
        for atom in atoms:
            if atom.kind == "literal":
                continue
            node = atom.node
            if atom.kind.startswith("struct:"):
                parts.append(atom.kind.removeprefix("struct:"))
            elif atom.kind.startswith("array"):
                items = node.get("items")
                inner = self.describe(self.atoms(items, defs), defs) if items else "any"
                if "prefixItems" in node:
                    inner = ", ".join(
                        self.describe(self.atoms(i, defs), defs) for i in node["prefixItems"]
                    )
                name = "set" if atom.kind == "array:unique" else "array"
                parts.append(f"{name}[{inner}]")
            elif atom.kind == "object":
                values = node.get("additionalProperties")
                inner = self.describe(self.atoms(values, defs), defs) if values else "any"
                parts.append(f"dict[{inner}]")
            elif atom.kind.startswith("string:"):
                parts.append(f"string({atom.kind.removeprefix('string:')})")
            else:
                parts.append(atom.kind)
        return " | ".join(parts)

    def compare(self, old: Schema, new: Schema, path: str) -> None:
        old_atoms = self.atoms(old, self.old_defs)
        new_atoms = self.atoms(new, self.new_defs)
        where = _where(path)

        old_literals = [a.literal for a in old_atoms if a.kind == "literal"]
        new_literals = [a.literal for a in new_atoms if a.kind == "literal"]
        for value in old_literals:
            if value not in new_literals:
                self.errors.append(f"{where}: enum value {value!r} was removed")

        old_typed = {a.kind: a for a in old_atoms if a.kind != "literal"}
        new_typed = {a.kind: a for a in new_atoms if a.kind != "literal"}
        # A single nested struct renamed keeps its place: compare it by shape.
        old_structs = [k for k in old_typed if k.startswith("struct:")]
        new_structs = [k for k in new_typed if k.startswith("struct:")]
        if len(old_structs) == len(new_structs) == 1 and old_structs != new_structs:
            new_typed[old_structs[0]] = new_typed.pop(new_structs[0])

        lost = [k for k in old_typed if k not in new_typed]
        added = [k for k in new_typed if k not in old_typed and k != "null"]
        if new_literals and not old_literals:
            added.append("enum")
        if lost or added:
            old_text = self.describe(old_atoms, self.old_defs)
            new_text = self.describe(new_atoms, self.new_defs)
            self.errors.append(f"{where}: type changed from {old_text} to {new_text}")

        for kind, old_atom in old_typed.items():
            new_atom = new_typed.get(kind)
            if new_atom is not None:
                self.compare_shape(old_atom, new_atom, path)

    def compare_shape(self, old: _Atom, new: _Atom, path: str) -> None:
        self.compare_constraints(old.node, new.node, path)
        if old.kind.startswith("struct:"):
            key = (old.ref or old.kind, new.ref or new.kind)
            if key in self.seen:
                return
            self.seen.add(key)
            self.compare_struct(old.node, new.node, path)
        elif old.kind.startswith("array"):
            self.compare_items(old.node, new.node, path)
        elif old.kind == "object":
            self.compare_optional(
                old.node.get("additionalProperties"),
                new.node.get("additionalProperties"),
                f"{path}{{}}",
            )
            self.compare_optional(
                old.node.get("propertyNames"), new.node.get("propertyNames"), f"{path}{{key}}"
            )

    def compare_optional(self, old: Any, new: Any, path: str) -> None:
        """Compare sub-schemas where absent (or ``True``) means any value."""
        old_schema: Schema = old if isinstance(old, dict) else {}
        new_schema: Schema = new if isinstance(new, dict) else {}
        if old_schema or new_schema:
            self.compare(old_schema, new_schema, path)

    def compare_items(self, old: Schema, new: Schema, path: str) -> None:
        old_prefix: list[Schema] = old.get("prefixItems", [])
        new_prefix: list[Schema] = new.get("prefixItems", [])
        if len(old_prefix) != len(new_prefix):
            old_text = self.describe(self.atoms(old, self.old_defs), self.old_defs)
            new_text = self.describe(self.atoms(new, self.new_defs), self.new_defs)
            self.errors.append(f"{_where(path)}: type changed from {old_text} to {new_text}")
            return
        for i, (old_item, new_item) in enumerate(zip(old_prefix, new_prefix, strict=True)):
            self.compare(old_item, new_item, f"{path}[{i}]")
        if not old_prefix:
            self.compare_optional(old.get("items"), new.get("items"), f"{path}[]")

    def compare_constraints(self, old: Schema, new: Schema, path: str) -> None:
        where = _where(path)
        for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, *_EXACT):
            before, after = old.get(key), new.get(key)
            if after is None or before == after:
                continue
            tightened = (
                before is None
                or key in _EXACT
                or (key in _LOWER_BOUNDS and after > before)
                or (key in _UPPER_BOUNDS and after < before)
            )
            if tightened:
                self.errors.append(f"{where}: constraint {key} tightened from {before} to {after}")

    def compare_struct(self, old: Schema, new: Schema, path: str) -> None:
        old_props: dict[str, Schema] = old.get("properties", {})
        new_props: dict[str, Schema] = new.get("properties", {})
        old_required = set(old.get("required", []))
        new_required = set(new.get("required", []))
        for name, old_field in old_props.items():
            field_path = f"{path}.{name}" if path else name
            if name not in new_props:
                self.errors.append(f"field '{field_path}' was removed")
                continue
            self.compare(old_field, new_props[name], field_path)
            if name in new_required and name not in old_required:
                self.errors.append(f"field '{field_path}' was optional and is now required")
        for name in new_props:
            if name not in old_props and name in new_required:
                field_path = f"{path}.{name}" if path else name
                self.errors.append(
                    f"field '{field_path}' was added as required (new fields need a default)"
                )


def compatibility_errors(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Why data valid under ``old_schema`` and code written for it would break with the new one.

    Follows ``$ref`` into nested structs. Allowed: new optional fields, new enum values, a field
    becoming nullable, relaxed constraints. Reported: removed fields, changed types, removed
    enum values, new required fields, optional fields becoming required, tightened constraints.
    """
    comparer = _Comparer(old_schema.get("$defs", {}), new_schema.get("$defs", {}))
    comparer.compare(old_schema, new_schema, "")
    return list(dict.fromkeys(comparer.errors))


# -- committed files ----------------------------------------------------------------------------


@dataclass
class Report:
    """The outcome of checking (or writing) the committed contract files."""

    problems: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    refused: bool = False


def _load_schema(path: Path) -> Schema:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError("not a JSON object")
    return loaded


def _check_schemas(
    messages: Sequence[type[Message]], schemas_dir: Path, report: Report
) -> dict[str, Schema]:
    """Compare current schemas with committed ones; returns the schemas that should be written.

    Incompatibilities go to ``report.problems``, missing schemas to ``report.missing``.
    """
    to_write: dict[str, Schema] = {}
    for cls in messages:
        tag = cls.type_name()
        path = schemas_dir / f"{tag}.json"
        current = schema_of(cls)
        if not path.exists():
            report.missing.append(f"{tag}: no committed schema (schemas/{path.name})")
            to_write[tag] = current
            continue
        try:
            committed = _load_schema(path)
        except ValueError as exc:
            report.problems.append(f"{tag}: committed schema {path.name} is unreadable: {exc}")
            continue
        errors = compatibility_errors(committed, current)
        report.problems.extend(f"{tag}: {error}" for error in errors)
        if not errors and committed != current:
            report.notes.append(f"{tag}: schema changed compatibly, not yet recorded")
            to_write[tag] = current
    return to_write


def _check_goldens(messages: Sequence[type[Message]], golden_dir: Path, report: Report) -> None:
    """Decode every committed golden through the union of all messages."""
    if not messages:
        return
    decoder = message_decoder(messages)
    for cls in messages:
        tag = cls.type_name()
        path = golden_dir / f"{tag}.json"
        if not path.exists():
            report.missing.append(f"{tag}: no golden example (golden/{path.name})")
            continue
        try:
            decoded = decoder.decode(path.read_bytes())
        except msgspec.DecodeError as exc:
            report.problems.append(f"{tag}: golden example no longer decodes: {exc}")
            continue
        if not isinstance(decoded, cls):
            report.problems.append(
                f"{tag}: golden example decodes as {type(decoded).__name__}, not {cls.__name__}"
            )


def _check_orphans(
    messages: Sequence[type[Message]], schemas_dir: Path, golden_dir: Path, report: Report
) -> None:
    tags = {cls.type_name() for cls in messages}
    for folder in (schemas_dir, golden_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            if path.stem not in tags:
                report.problems.append(
                    f"{path.parent.name}/{path.name}: no message has tag {path.stem!r} "
                    "(a message was removed or renamed; delete the file only once it is retired)"
                )


def check(
    messages: Sequence[type[Message]] | None = None,
    schemas_dir: Path = SCHEMAS_DIR,
    golden_dir: Path = GOLDEN_DIR,
) -> Report:
    """Every message has a compatible committed schema and a golden example that decodes."""
    selected = tuple(messages if messages is not None else all_messages())
    report = Report()
    _check_schemas(selected, schemas_dir, report)
    _check_goldens(selected, golden_dir, report)
    _check_orphans(selected, schemas_dir, golden_dir, report)
    report.problems[:0] = report.missing
    return report


def write(
    messages: Sequence[type[Message]] | None = None,
    schemas_dir: Path = SCHEMAS_DIR,
    golden_dir: Path = GOLDEN_DIR,
) -> Report:
    """Record new or compatibly changed schemas and missing goldens.

    Nothing is written when any schema is incompatible. Existing goldens are never overwritten.
    """
    selected = tuple(messages if messages is not None else all_messages())
    probe = Report()
    to_write = _check_schemas(selected, schemas_dir, probe)
    if probe.problems:
        return Report(problems=probe.problems, refused=True)

    report = Report()
    schemas_dir.mkdir(parents=True, exist_ok=True)
    golden_dir.mkdir(parents=True, exist_ok=True)
    for tag, schema in to_write.items():
        path = schemas_dir / f"{tag}.json"
        path.write_text(dump_schema(schema), encoding="utf-8")
        report.written.append(path)
    for cls in selected:
        path = golden_dir / f"{cls.type_name()}.json"
        if not path.exists():
            path.write_bytes(dump_example(example_of(cls)))
            report.written.append(path)

    after = check(selected, schemas_dir, golden_dir)
    report.problems.extend(after.problems)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="libs/contracts/tools/compat.py",
        description="Check or record the committed schemas and golden examples of all messages.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="fail on missing files, incompatible schemas or goldens that no longer decode "
        "(default)",
    )
    mode.add_argument(
        "--write",
        action="store_true",
        help="write new or compatible schemas and missing goldens; refuse incompatible changes",
    )
    args = parser.parse_args(argv)

    report = write() if args.write else check()
    for path in report.written:
        print(f"wrote {path.relative_to(CONTRACTS_DIR)}")
    for note in report.notes:
        print(f"note: {note}")
    if report.notes and not args.write:
        print(f"note: {WRITE_HINT} to record them")
    if report.problems:
        title = "incompatible changes, nothing written" if report.refused else "contract problems"
        print(f"{title}:", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        if report.missing:
            print(f"to add the missing files, {WRITE_HINT}", file=sys.stderr)
        if report.refused or len(report.problems) > len(report.missing):
            print(
                "a change that is not an added optional field needs a new .v2 message "
                "published beside the old one",
                file=sys.stderr,
            )
        return 1
    if not args.write:
        print(f"{len(all_messages())} messages: schemas compatible, goldens decode")
    return 0


if __name__ == "__main__":
    sys.exit(main())
