"""User patterns: linear-time matching, the two modes, refusals and stored-pattern reports."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from prometheus_client import REGISTRY

from imas_contracts.alert_payloads import CustomAlert
from imas_runtime import patterns
from imas_runtime.errors import Invalid
from imas_runtime.patterns import ANCHORED, SEARCH_IGNORING_CASE, StoredPattern, StoredPatterns

pytestmark = pytest.mark.unit

LONG = 50_000

# Each takes exponential time in a backtracking engine on the first text beside it (with
# Python's re, the first alone runs for longer than the universe has existed); the second
# text matches.
CATASTROPHIC = [
    ("(a+)+b", "a" * LONG, "a" * 3000 + "b"),
    ("(a|aa)*c", "a" * LONG, "a" * 3000 + "c"),
    ("(x+x+)+y", "x" * LONG, "x" * 3000 + "y"),
    ("^(\\w+\\s?)*$", "word " * 800 + "!", "word " * 600),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("pattern", "hostile", "matching"), CATASTROPHIC)
@pytest.mark.parametrize("mode", [ANCHORED, SEARCH_IGNORING_CASE])
def test_catastrophic_patterns_answer_on_long_text(
    pattern: str, hostile: str, matching: str, mode: patterns.Mode
) -> None:
    assert patterns.refusal(pattern, mode) is None
    assert patterns.matches(pattern, hostile, mode) is False
    assert patterns.matches(pattern, matching, mode) is True


def test_anchored_patterns_match_the_whole_value_as_alertmanager() -> None:
    assert patterns.matches("db-.*", "db-primary", ANCHORED)
    assert not patterns.matches("db-.*", "old-db-primary", ANCHORED)
    # ^(?:a|b)$, not ^a|b$: the alternation is anchored as a whole.
    assert patterns.matches("a|b", "b", ANCHORED)
    assert not patterns.matches("a|b", "ab", ANCHORED)
    assert not patterns.matches("prod", "PROD", ANCHORED)
    assert patterns.matches("", "", ANCHORED)
    assert not patterns.matches("", "x", ANCHORED)


def test_search_patterns_match_anywhere_ignoring_case() -> None:
    assert patterns.matches("disk (full|space)", "Redis: DISK FULL on node 3", SEARCH_IGNORING_CASE)
    assert patterns.matches("^redis", "Redis down", SEARCH_IGNORING_CASE)
    assert not patterns.matches("^down", "Redis down", SEARCH_IGNORING_CASE)
    assert patterns.matches("été", "Panne ÉTÉ", SEARCH_IGNORING_CASE)


def test_text_is_matched_on_its_first_characters() -> None:
    long_value = "x" + "y" * patterns.MAX_TEXT_LENGTH + "z"
    assert patterns.matches("xy*", long_value, ANCHORED)
    assert not patterns.matches(".*z", long_value, ANCHORED)
    assert not patterns.matches("z", long_value, SEARCH_IGNORING_CASE)


def test_text_no_encoding_accepts_still_matches() -> None:
    assert patterns.matches("a.b", "a\ud800b", ANCHORED)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)\\1", "backreferences are not supported"),
        ("(?P<x>a)(?P=x)", "backreferences are not supported"),
        ("foo(?=bar)", "lookaheads are not supported"),
        ("foo(?!bar)", "lookaheads are not supported"),
        ("(?<=foo)bar", "lookbehinds are not supported"),
        ("(?<!foo)bar", "lookbehinds are not supported"),
        ("(?>a+)b", "atomic groups are not supported"),
        ("a++b", "possessive quantifiers are not supported"),
        ("end\\Z", "write \\z"),
        ("(unclosed", "not a valid regular expression: missing )"),
        ("a{2000}", "not a valid regular expression"),
        ("x" * 1001, "must be at most 1000 characters (it has 1001)"),
        (".{0,999}", "too complex"),
        ("\\pL{1000}", "too complex"),
    ],
)
def test_what_the_engine_cannot_run_is_refused_with_the_reason(pattern: str, reason: str) -> None:
    for mode in (ANCHORED, SEARCH_IGNORING_CASE):
        found = patterns.refusal(pattern, mode)
        assert found is not None and reason in found
        assert not patterns.matches(pattern, "anything", mode)
        with pytest.raises(patterns.PatternRefused):
            patterns.compile_pattern(pattern, mode)
        with pytest.raises(Invalid) as refused:
            patterns.check_pattern(pattern, "matchers[2].value", mode)
        assert refused.value.errors[0].field == "matchers[2].value"
        assert reason in refused.value.errors[0].message


def test_the_longest_pattern_allowed_compiles() -> None:
    longest = "|".join(["service-name"] * 100)[: patterns.MAX_PATTERN_LENGTH]
    assert patterns.refusal(longest, ANCHORED) is None


class RecordingBus:
    """Records what would be published; ``fail`` makes the next publishes raise."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Any]] = []
        self.fail = False

    async def publish(self, event: Any, *, subject: str | None = None) -> None:
        if self.fail:
            raise ConnectionError("no NATS")
        self.sent.append((subject or "", event))


def _gauge(kind: str) -> float | None:
    return REGISTRY.get_sample_value("imas_stored_patterns_refused", {"kind": kind})


async def test_stored_refused_patterns_are_counted_logged_and_alerted_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bus = RecordingBus()
    reporter = StoredPatterns("test_silence", ANCHORED, bus=bus)  # type: ignore[arg-type]
    stored = [
        StoredPattern("s-1", "matchers[0].value", "db-.*"),
        StoredPattern("s-2", "matchers[1].value", "(a)\\1"),
        StoredPattern("s-3", "matchers[0].value", "(?=x)"),
    ]
    bus.fail = True
    refused = await reporter.review(stored)
    assert [r.ref for r in refused] == ["s-2", "s-3"]
    assert _gauge("test_silence") == 2
    assert bus.sent == []
    logged = capsys.readouterr()
    assert "stored pattern refused" in logged.out + logged.err
    # Not published: told again at the next review, once.
    bus.fail = False
    await reporter.review(stored)
    await reporter.review(stored)
    assert len(bus.sent) == 2
    subject, event = bus.sent[0]
    assert subject == "alerts.raw.custom"
    assert event.source == "custom"
    [alert] = msgspec.json.decode(event.payload, type=list[CustomAlert])
    assert alert.service == "imas"
    assert alert.dedup_key == "imas-refused-pattern:test_silence:s-2"
    assert "backreferences are not supported" in alert.description
    assert alert.labels == {
        "origin": "imas-patterns",
        "kind": "test_silence",
        "field": "matchers[1].value",
    }
    # Fixed (or deleted): the gauge says so at the next review.
    await reporter.review(stored[:1])
    assert _gauge("test_silence") == 0
