"""Shedding webhooks past capacity: a fast 503 with Retry-After instead of a slow answer.

A gateway past capacity holds more calls than it can answer in time; each one it takes makes
every other one later, until monitoring tools wait for 30 s and give up, having learnt
nothing. Instead, the calls in hand are counted, and so is how many the gateway took in the
last second (refusals cost next to nothing and do not count): when it holds more than it takes
in ``answer_seconds`` (never counting fewer than ``min_in_flight``), a new call is refused at
once with 503 and Retry-After, before any work is spent on it; monitoring tools retry 5xx.

Repeats go first: at half that mark, a payload that repeats one this gateway stored moments
ago (same integration, same bytes) is refused, since it adds nothing but a count to an alert
already stored, while new alerts are still taken.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

REMEMBER_SECONDS = 60.0
REMEMBER_MAX = 50_000


class Overload:
    """How many webhook calls are in hand, how many are answered per second, and the
    payloads stored lately (by fingerprint)."""

    def __init__(
        self,
        *,
        answer_seconds: float,
        min_in_flight: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.answer_seconds = answer_seconds
        self.min_in_flight = min_in_flight
        self.clock = clock
        self.in_flight = 0
        self._window_start = clock()
        self._answered = 0
        self._per_second = 0
        self._stored: dict[bytes, float] = {}

    @contextmanager
    def in_hand(self) -> Iterator[None]:
        """One call in hand until answered."""
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1

    def taken(self) -> None:
        """One call was taken (stored): what the rate of answers in time counts, and not the
        refusals, which cost next to nothing."""
        now = self.clock()
        if now - self._window_start >= 1.0:
            elapsed = now - self._window_start
            # A window that saw no answer for a while says the rate is that much lower.
            self._per_second = round(self._answered / elapsed) if elapsed < 2.0 else 0
            self._window_start = now
            self._answered = 0
        self._answered += 1

    def capacity(self) -> int:
        """How many calls may be in hand: what the gateway answers in ``answer_seconds``."""
        return max(self.min_in_flight, int(self._per_second * self.answer_seconds))

    def refuses(self, *, duplicate: bool) -> bool:
        """Whether to shed the call being taken (counted in hand already)."""
        limit = self.capacity()
        if self.in_flight > limit:
            return True
        return duplicate and self.in_flight > limit // 2

    @staticmethod
    def fingerprint(integration: str, body: bytes) -> bytes:
        return hashlib.blake2b(body, digest_size=16, key=integration.encode()[:64]).digest()

    def seen(self, fingerprint: bytes) -> bool:
        """Whether this payload was stored in the last minute."""
        at = self._stored.get(fingerprint)
        return at is not None and self.clock() - at < REMEMBER_SECONDS

    def remember(self, fingerprint: bytes) -> None:
        """The payload was stored (the oldest remembered one is forgotten past the most)."""
        self._stored.pop(fingerprint, None)
        self._stored[fingerprint] = self.clock()
        if len(self._stored) > REMEMBER_MAX:
            del self._stored[next(iter(self._stored))]
