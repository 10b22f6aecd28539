"""Committed schemas and golden examples keep every message backward compatible."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Union

import msgspec
import pytest

from imas_contracts import Message, all_messages
from imas_testing import load_script

# A tool of the checkout (libs/contracts/tools), not a module of the package.
compat = load_script(Path(__file__).resolve().parents[1] / "tools" / "compat.py")

pytestmark = pytest.mark.unit

MESSAGES = all_messages()
TAGS = [cls.type_name() for cls in MESSAGES]
ALL_MESSAGES_DECODER: msgspec.json.Decoder[Any] = msgspec.json.Decoder(Union[MESSAGES])  # noqa: UP007


def _errors(old: type[msgspec.Struct], new: type[msgspec.Struct]) -> list[str]:
    return compat.compatibility_errors(compat.schema_of(old), compat.schema_of(new))


def _matching(errors: list[str], *words: str) -> list[str]:
    return [e for e in errors if all(w in e for w in words)]


def _project(value: Any, shape: Any) -> Any:
    """``value`` restricted to the keys present in ``shape`` (fields added later are dropped)."""
    if isinstance(value, dict) and isinstance(shape, dict):
        return {k: _project(value[k], shape[k]) for k in shape if k in value}
    if isinstance(value, list) and isinstance(shape, list) and len(value) == len(shape):
        return [_project(v, s) for v, s in zip(value, shape, strict=True)]
    return value


# -- committed files ----------------------------------------------------------------------------


def test_every_message_has_a_committed_schema_and_golden() -> None:
    missing = [
        str(path.relative_to(compat.CONTRACTS_DIR))
        for tag in TAGS
        for path in (compat.SCHEMAS_DIR / f"{tag}.json", compat.GOLDEN_DIR / f"{tag}.json")
        if not path.is_file()
    ]
    assert not missing, (
        f"messages without committed contract files: {missing}; "
        "run `uv run python libs/contracts/tools/compat.py --write` and commit the new files"
    )


@pytest.mark.parametrize("cls", MESSAGES, ids=TAGS)
def test_golden_decodes_by_tag_and_round_trips(cls: type[Message]) -> None:
    raw = (compat.GOLDEN_DIR / f"{cls.type_name()}.json").read_bytes()

    decoded = ALL_MESSAGES_DECODER.decode(raw)

    assert type(decoded) is cls
    golden = json.loads(raw)
    reencoded = json.loads(msgspec.json.encode(decoded))
    # Goldens are never regenerated: optional fields added since appear with their default.
    assert _project(reencoded, golden) == golden
    assert ALL_MESSAGES_DECODER.decode(msgspec.json.encode(decoded)) == decoded


@pytest.mark.parametrize("cls", MESSAGES, ids=TAGS)
def test_current_schema_is_compatible_with_committed_schema(cls: type[Message]) -> None:
    committed = json.loads((compat.SCHEMAS_DIR / f"{cls.type_name()}.json").read_text())

    errors = compat.compatibility_errors(committed, compat.schema_of(cls))

    assert errors == [], (
        f"{cls.type_name()} changed incompatibly: {errors}; "
        "publish a new .v2 message beside the v1 instead"
    )


def test_check_command_passes_on_the_committed_files() -> None:
    assert compat.main(["--check"]) == 0


# -- examples -----------------------------------------------------------------------------------


def _empty_values(value: Any, path: str = "") -> list[str]:
    if value is None or value in ("", b"", [], {}):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empty_values(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for v in value for p in _empty_values(v, f"{path}[]")]
    return []


@pytest.mark.parametrize("cls", MESSAGES, ids=TAGS)
def test_example_fills_every_field_including_optional_ones(cls: type[Message]) -> None:
    example = compat.example_of(cls)

    encoded = msgspec.to_builtins(example)

    assert isinstance(example, cls)
    assert _empty_values(encoded) == []
    assert set(encoded) == {"type", *(f.encode_name for f in msgspec.structs.fields(cls))}


def test_example_is_deterministic_and_uses_fixed_values() -> None:
    class Sample(Message, frozen=True, kw_only=True, tag="test.sample.v1"):
        incident_id: str
        at: datetime
        payload: bytes
        labels: dict[str, str] = {}
        mood: Literal["calm", "angry"] = "angry"
        note: str | None = None

    first, second = compat.example_of(Sample), compat.example_of(Sample)

    assert msgspec.json.encode(first) == msgspec.json.encode(second)
    assert len(first.incident_id) == 32
    int(first.incident_id, 16)
    assert first.at == datetime.fromisoformat("2026-02-05T18:30:00+00:00")
    assert first.payload == b'{"example": true}'
    assert first.labels == {"key": "value"}
    assert first.mood == "calm"
    assert first.note


# -- the checker --------------------------------------------------------------------------------


def test_checker_reports_a_removed_field() -> None:
    class Old(msgspec.Struct, kw_only=True):
        name: str
        owner: str

    class New(msgspec.Struct, kw_only=True):
        name: str

    assert _matching(_errors(Old, New), "'owner'", "removed")


def test_checker_reports_a_field_type_changed_from_str_to_int() -> None:
    class Old(msgspec.Struct, kw_only=True):
        count: str

    class New(msgspec.Struct, kw_only=True):
        count: int

    assert _matching(_errors(Old, New), "'count'", "type changed", "string", "integer")


def test_checker_reports_a_field_type_changed_from_str_to_datetime() -> None:
    class Old(msgspec.Struct, kw_only=True):
        at: str

    class New(msgspec.Struct, kw_only=True):
        at: datetime

    assert _matching(_errors(Old, New), "'at'", "type changed")


def test_checker_reports_a_field_removed_from_a_nested_struct() -> None:
    class OldRef(msgspec.Struct, kw_only=True):
        id: str
        name: str

    class NewRef(msgspec.Struct, kw_only=True):
        id: str

    class Old(msgspec.Struct, kw_only=True):
        refs: list[OldRef]

    class New(msgspec.Struct, kw_only=True):
        refs: list[NewRef]

    assert _matching(_errors(Old, New), "'refs[].name'", "removed")


def test_checker_reports_a_new_required_field() -> None:
    class Old(msgspec.Struct, kw_only=True):
        name: str

    class New(msgspec.Struct, kw_only=True):
        name: str
        region: str

    assert _matching(_errors(Old, New), "'region'", "required")


def test_checker_reports_an_optional_field_becoming_required() -> None:
    class Old(msgspec.Struct, kw_only=True):
        region: str = "eu"

    class New(msgspec.Struct, kw_only=True):
        region: str

    assert _matching(_errors(Old, New), "'region'", "now required")


def test_checker_reports_a_removed_enum_value() -> None:
    class Old(msgspec.Struct, kw_only=True):
        state: Literal["open", "closed", "archived"]

    class New(msgspec.Struct, kw_only=True):
        state: Literal["open", "closed"]

    assert _matching(_errors(Old, New), "'state'", "'archived'", "removed")


def test_checker_reports_a_field_that_is_no_longer_nullable() -> None:
    class Old(msgspec.Struct, kw_only=True):
        lead: str | None = None

    class New(msgspec.Struct, kw_only=True):
        lead: str = ""

    assert _matching(_errors(Old, New), "'lead'", "type changed")


def test_checker_accepts_a_new_optional_field() -> None:
    class Old(msgspec.Struct, kw_only=True):
        name: str

    class New(msgspec.Struct, kw_only=True):
        name: str
        region: str = "eu"
        tags: list[str] = []

    assert _errors(Old, New) == []


def test_checker_accepts_an_added_enum_value() -> None:
    class Old(msgspec.Struct, kw_only=True):
        state: Literal["open", "closed"]

    class New(msgspec.Struct, kw_only=True):
        state: Literal["open", "closed", "archived"]

    assert _errors(Old, New) == []


def test_checker_accepts_a_field_becoming_nullable() -> None:
    class Old(msgspec.Struct, kw_only=True):
        lead: str

    class New(msgspec.Struct, kw_only=True):
        lead: str | None

    assert _errors(Old, New) == []


# -- decoders of older versions -----------------------------------------------------------------


def test_older_decoder_ignores_an_unknown_field_added_by_a_newer_producer() -> None:
    class PagedV1(Message, frozen=True, kw_only=True, tag="test.paged.v1"):
        incident_id: str

    class PagedV1WithChannel(Message, frozen=True, kw_only=True, tag="test.paged.v1"):
        incident_id: str
        channel: str = "slack"

    newer = msgspec.json.encode(PagedV1WithChannel(incident_id="abc", channel="sms"))

    decoded = msgspec.json.Decoder(PagedV1).decode(newer)

    assert decoded == PagedV1(incident_id="abc")


# -- the command on a scratch folder ------------------------------------------------------------


class Widget(Message, frozen=True, kw_only=True, tag="test.widget.v1"):
    """A message that exists only in these tests."""

    widget_id: str
    size: int = 1


class WidgetWithoutSize(Message, frozen=True, kw_only=True, tag="test.widget.v1"):
    widget_id: str


class WidgetSizeAsText(Message, frozen=True, kw_only=True, tag="test.widget.v1"):
    widget_id: str
    size: str = "1"


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "schemas", tmp_path / "golden"


def test_check_reports_a_new_message_without_files(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)

    report = compat.check([Widget], schemas, golden)

    assert _matching(report.problems, "test.widget.v1", "no committed schema")
    assert _matching(report.problems, "test.widget.v1", "no golden example")


def test_write_records_a_new_message_then_check_passes(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)

    written = compat.write([Widget], schemas, golden)

    assert written.problems == []
    assert (schemas / "test.widget.v1.json").is_file()
    assert (golden / "test.widget.v1.json").is_file()
    assert compat.check([Widget], schemas, golden).problems == []


def test_write_never_overwrites_an_existing_golden(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)
    golden.mkdir()
    kept = b'{"type": "test.widget.v1", "widget_id": "w-1"}\n'
    (golden / "test.widget.v1.json").write_bytes(kept)

    compat.write([Widget], schemas, golden)

    assert (golden / "test.widget.v1.json").read_bytes() == kept


def test_write_refuses_an_incompatible_change_and_writes_nothing(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)
    compat.write([Widget], schemas, golden)
    committed = (schemas / "test.widget.v1.json").read_text()

    report = compat.write([WidgetSizeAsText], schemas, golden)

    assert report.refused
    assert _matching(report.problems, "'size'", "type changed")
    assert (schemas / "test.widget.v1.json").read_text() == committed


def test_write_records_a_compatible_change(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)
    compat.write([WidgetWithoutSize], schemas, golden)

    report = compat.write([Widget], schemas, golden)

    assert report.problems == []
    assert (
        "size"
        in json.loads((schemas / "test.widget.v1.json").read_text())["$defs"]["Widget"][
            "properties"
        ]
    )


def test_check_reports_a_golden_that_no_longer_decodes(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)
    compat.write([Widget], schemas, golden)
    (golden / "test.widget.v1.json").write_text('{"type": "test.widget.v1", "size": 2}')

    report = compat.check([Widget], schemas, golden)

    assert _matching(report.problems, "test.widget.v1", "no longer decodes")


def test_check_reports_a_committed_file_whose_message_is_gone(tmp_path: Path) -> None:
    schemas, golden = _folders(tmp_path)
    compat.write([Widget], schemas, golden)

    report = compat.check([], schemas, golden)

    assert _matching(report.problems, "test.widget.v1", "no message has tag")
