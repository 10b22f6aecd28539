"""How deep a JSON body nests, counted without parsing it (the input guard's limit)."""

from __future__ import annotations

import msgspec
import pytest

from imas_gateway.http.input_guard import json_depth, nested_deeper_than

pytestmark = pytest.mark.unit


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize(
    "body",
    [
        b"1",
        b"[]",
        b'{"a": []}',
        b'{"title": "x", "tags": ["a", "b"]}',
        nested(1),
        nested(5),
        nested(64),
        b"[" * 40 + b"]" * 40,
        b'[{"a": [1, {"b": [[], {}]}]}, [[[]]], {}]',
        # Brackets in strings, escaped quotes and backslashes, are text.
        b'{"note": "[[[[ {{{{ ]]", "q": "say \\"[[[\\" \\\\", "z": [[1]]}',
        b'["]", "[", {"}": "{"}]',
        b'{"deep": "' + b"[" * 1000 + b'"}',
    ],
)
def test_the_depth_is_the_nesting_a_parser_would_meet(body: bytes) -> None:
    decoded = msgspec.json.decode(body)

    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max(map(depth, value.values()), default=0)
        if isinstance(value, list):
            return 1 + max(map(depth, value), default=0)
        return 0

    assert json_depth(body) == depth(decoded)


def test_deeper_than_the_limit_is_found_however_it_is_hidden() -> None:
    assert nested_deeper_than(nested(65), 64)
    assert not nested_deeper_than(nested(64), 64)
    # A closing bracket inside each string must not look like the end of a level.
    hidden = b'["]",' * 600 + b"1" + b"]" * 600
    assert nested_deeper_than(hidden, 64)
    # Leaves beside each level, then a long chain.
    leafy = b"[[]," * 100 + b"1" + b"]" * 100
    assert nested_deeper_than(leafy, 64)
    wide = b"[" + b"[1]," * 10_000 + b"[1]]"
    assert not nested_deeper_than(wide, 64)


def test_many_chains_just_under_the_limit_pass_and_one_level_more_is_refused() -> None:
    chain = b"[" * 63 + b"]" * 63
    body = b"[" + (chain + b",") * 6000 + b"1]"
    assert json_depth(body) == 64
    assert not nested_deeper_than(body, 64)
    assert nested_deeper_than(b"[" + body + b"]", 64)
