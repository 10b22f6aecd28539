"""Regular expressions written by users, matched in time linear in the text.

Silences, alert rules, tag rules and runbooks carry patterns that run over text monitoring
tools and users send. A backtracking engine (Python's ``re``) takes exponential time on
patterns such as ``(a+)+b``: one silence and one alert of 48 ``a`` s kept ingest busy for good.
RE2 (``google-re2``) never backtracks. It refuses what would need backtracking
(backreferences, lookarounds, atomic groups, possessive quantifiers) and matches in one pass
over the text. Three bounds keep the cost of one match small whatever the user wrote:

- a pattern has at most :data:`MAX_PATTERN_LENGTH` characters;
- it compiles to at most :data:`MAX_PROGRAM_SIZE` instructions (each character of text costs
  at most that many steps in RE2's slowest mode; ``.{0,999}`` alone is about 9,000);
- text is matched on its first :data:`MAX_TEXT_LENGTH` characters.

Two modes, each the one its feature has always had:

- :data:`ANCHORED`: the pattern must match the whole text, as Alertmanager's
  ``^(?:pattern)$``. Silence and alert rule matchers, ``alert_name``.
- :data:`SEARCH_IGNORING_CASE`: the pattern may match anywhere in the text, ignoring case.
  Tag rules and runbook ``alert_pattern`` over incident titles.

Patterns stored before these checks that RE2 refuses never stop a service: a refused pattern
never matches (its silence, rule, tag rule or runbook is skipped), and :class:`StoredPatterns`
says so once as an error log, an internal alert and a gauge.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from prometheus_client import Gauge

from imas_contracts import new_event_id, utcnow
from imas_contracts.alert_payloads import CustomAlert
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_runtime.errors import Invalid
from imas_runtime.logs import get_logger

if TYPE_CHECKING:
    from imas_runtime.bus import Bus

log = get_logger(__name__)

MAX_PATTERN_LENGTH = 1_000
MAX_PROGRAM_SIZE = 2_000
MAX_TEXT_LENGTH = 4_096
MAX_MEMORY = 1 << 20

REFUSED_STORED = Gauge(
    "imas_stored_patterns_refused",
    "Stored patterns the regular expression engine refuses (their entries are skipped)",
    ["kind"],
)


@dataclass(frozen=True)
class Mode:
    """How a feature runs its patterns."""

    anchored: bool
    ignore_case: bool = False


ANCHORED = Mode(anchored=True)
SEARCH_IGNORING_CASE = Mode(anchored=False, ignore_case=True)


class PatternRefused(ValueError):
    """The engine will not run this pattern; ``reason`` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, eq=False)
class Pattern:
    """A compiled user pattern; :meth:`matches` is the only way to run it."""

    source: str
    anchored: bool
    _regexp: Any

    def matches(self, text: str) -> bool:
        """Whether the pattern matches ``text`` (its first :data:`MAX_TEXT_LENGTH` characters):
        whole for an anchored pattern, anywhere otherwise."""
        # Bytes spare the wrapper its character offsets; lone surrogates (never valid UTF-8)
        # become "?" instead of failing the encoding.
        data = text[:MAX_TEXT_LENGTH].encode("utf-8", errors="replace")
        found = self._regexp.fullmatch(data) if self.anchored else self._regexp.search(data)
        return found is not None


def compile_pattern(pattern: str, mode: Mode) -> Pattern:
    """``pattern`` compiled for matching, or :class:`PatternRefused` with the reason."""
    compiled = _compile(pattern, mode)
    if isinstance(compiled, str):
        raise PatternRefused(compiled)
    return compiled


def refusal(pattern: str, mode: Mode) -> str | None:
    """Why the engine refuses ``pattern``, or None when it takes it."""
    compiled = _compile(pattern, mode)
    return compiled if isinstance(compiled, str) else None


def check_pattern(pattern: str, field: str, mode: Mode) -> Pattern:
    """``pattern`` compiled, or an ``Invalid`` naming ``field`` (a 400 at the API)."""
    try:
        return compile_pattern(pattern, mode)
    except PatternRefused as exc:
        raise Invalid.field(field, exc.reason) from None


def matches(pattern: str, text: str, mode: Mode) -> bool:
    """Whether ``pattern`` matches ``text``; a refused pattern matches nothing."""
    compiled = _compile(pattern, mode)
    return not isinstance(compiled, str) and compiled.matches(text)


# The pattern compiled, or why it is refused. Refusals are cached too: a stored pattern the
# engine refuses is met on every alert.
@functools.lru_cache(maxsize=4096)
def _compile(pattern: str, mode: Mode) -> Pattern | str:
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"must be at most {MAX_PATTERN_LENGTH} characters (it has {len(pattern)})"
    # Imported with the first pattern (compiled patterns are cached): about 4 MB resident
    # that a service with no silence, rule or runbook pattern would hold for nothing.
    import re2

    options = re2.Options()
    options.log_errors = False
    options.never_capture = True  # only "does it match" is asked: the fastest engine answers
    options.case_sensitive = not mode.ignore_case
    # RE2's memory for one pattern (its program and its DFA cache; 8 MiB by default). Past it
    # RE2 falls back to its slower linear engine: on hostile text that is faster than a DFA
    # cache thrashing, and thousands of cached patterns stay within memory.
    options.max_mem = MAX_MEMORY
    try:
        regexp = re2.compile(pattern, options)
    except re2.error as exc:
        return _reason(exc)
    if regexp.programsize > MAX_PROGRAM_SIZE:
        return (
            f"too complex: it compiles to {regexp.programsize} instructions, at most "
            f"{MAX_PROGRAM_SIZE} (large counted repetitions such as .{{0,999}} are the usual "
            "cause)"
        )
    return Pattern(source=pattern, anchored=mode.anchored, _regexp=regexp)


# RE2's words for what users of backtracking engines write most, and what it is.
_UNSUPPORTED = (
    ("invalid perl operator: (?=", "lookaheads are not supported"),
    ("invalid perl operator: (?!", "lookaheads are not supported"),
    ("invalid perl operator: (?<=", "lookbehinds are not supported"),
    ("invalid perl operator: (?<!", "lookbehinds are not supported"),
    ("invalid perl operator: (?P", "backreferences are not supported"),
    ("invalid perl operator: (?>", "atomic groups are not supported"),
    ("invalid escape sequence: \\Z", "\\Z is not supported: write \\z"),
)


def _reason(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else exc
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    for start, meaning in _UNSUPPORTED:
        if text.startswith(start):
            return f"{meaning} ({text})"
    if text.startswith("invalid escape sequence: \\") and text[-1:].isdigit():
        return f"backreferences are not supported ({text})"
    if text.startswith("bad repetition operator: ") and text.endswith("+"):
        return f"possessive quantifiers are not supported ({text})"
    if text.startswith("pattern too large"):
        return "too complex for the regular expression engine"
    return f"not a valid regular expression: {text}"


# -- patterns stored before these checks ------------------------------------------------------


@dataclass(frozen=True)
class StoredPattern:
    """One pattern as stored: what holds it (``ref``: an id or a name), in which field."""

    ref: str
    field: str
    pattern: str


class StoredPatterns:
    """Reports the stored patterns of one ``kind`` (``silence``, ``alert_rule``...) that the
    engine refuses: patterns saved before they were checked this way.

    Matching skips them already (a refused pattern matches nothing), so intake never stops.
    :meth:`review` tells people: an error log and an internal alert on ``internal_service``
    for each refused pattern, once per process, and their number in the gauge
    ``imas_stored_patterns_refused{kind}`` at each review. An alert that could not be
    published is tried again at the next review.
    """

    def __init__(
        self,
        kind: str,
        mode: Mode,
        *,
        bus: Bus | None = None,
        internal_service: str = "imas",
    ) -> None:
        self.kind = kind
        self.mode = mode
        self.bus = bus
        self.internal_service = internal_service
        self._told: set[StoredPattern] = set()

    async def review(self, stored: Iterable[StoredPattern]) -> list[StoredPattern]:
        """The refused ones among ``stored``; each new one is logged and alerted."""
        refused = [
            (entry, reason)
            for entry in stored
            if (reason := refusal(entry.pattern, self.mode)) is not None
        ]
        REFUSED_STORED.labels(kind=self.kind).set(len(refused))
        for entry, reason in refused:
            if entry not in self._told:
                await self._tell(entry, reason)
        return [entry for entry, _ in refused]

    async def _tell(self, entry: StoredPattern, reason: str) -> None:
        log.error(
            "stored pattern refused: this entry is skipped until its pattern is fixed",
            kind=self.kind,
            ref=entry.ref,
            field=entry.field,
            reason=reason,
        )
        if self.bus is not None and self.internal_service:
            event = AlertReceived(
                event_id=new_event_id(),
                occurred_at=utcnow(),
                source="custom",
                payload=msgspec.json.encode([self.alert(entry, reason)]),
            )
            try:
                await self.bus.publish(event, subject=raw_alert_subject("custom"))
            except Exception as exc:
                log.warning("internal alert not published", kind=self.kind, error=repr(exc))
                return
        self._told.add(entry)

    def alert(self, entry: StoredPattern, reason: str) -> CustomAlert:
        """The internal alert saying one stored entry is skipped (IMAS's generic format)."""
        what = self.kind.replace("_", " ")
        return CustomAlert(
            title=f"A stored {what} is skipped: its pattern is refused",
            severity="SEV3",
            service=self.internal_service,
            dedup_key=f"imas-refused-pattern:{self.kind}:{entry.ref}"[:255],
            description=(
                f"The {what} {entry.ref} has a {entry.field} that the regular expression "
                f"engine refuses ({reason}), so it applies to no alert or incident. It was "
                "saved before patterns were checked this way. Rewrite it (see the pattern "
                f"rules in the API documentation) or delete it.\n\nPattern: {entry.pattern[:500]}"
            ),
            labels={"origin": "imas-patterns", "kind": self.kind, "field": entry.field},
        )
