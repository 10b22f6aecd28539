"""The pager at the far end: an HTTP receiver that IMAS's outbound ``webhook`` provider pages,
recording every copy of every page as it arrives. What it counts is what the on-call people
got, whatever IMAS's own ledger says.

Each test's team is paged at a URL of its own on the pager (its ``chat_channel``, which the
webhook provider posts to): a test gives its line a behaviour (answer after 20 s, refuse the
first attempt of each page with a 500) with :meth:`PageSink.behave`; every other page is
answered 200 at once. Pages are told apart by the incident id and idempotency key they carry.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from imas_testing.fake_providers import FakeProvider

PAGE = "incident.page"
FOLLOW_UP = "incident.follow_up"
# esc:<incident>:[runN:]step<k>:<repeat>:<recipient>:<channel> (escalation's page keys)
STEP_KEY = re.compile(r"^esc:[^:]+:(?:run\d+:)?step(\d+):")


@dataclass(frozen=True)
class Arrival:
    """One request the pager received."""

    at: float  # time.time() when it arrived
    key: str  # the page's idempotency key: the same on every copy of one page
    kind: str  # PAGE or FOLLOW_UP
    incident_id: str
    line: str  # the URL path it was sent to
    refused: bool  # answered with an error: the vendor did not take this copy

    @property
    def step(self) -> int | None:
        """The escalation step that sent this page (None for the page at trigger)."""
        found = STEP_KEY.match(self.key)
        return int(found.group(1)) if found else None


@dataclass
class Behaviour:
    delay: float = 0.0  # seconds before answering
    refuse_first: int = 0  # copies of each page answered 500 before one is taken


class PageSink(FakeProvider):
    """Answers 200 (after a service's behaviour) and records each arrival."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[Arrival] = []
        self._behaviours: dict[str, Behaviour] = {}
        self._tries: Counter[str] = Counter()

    def line(self, name: str) -> str:
        """The URL of a pager line of its own (a team's address)."""
        return f"{self.url}/{name}"

    def behave(self, line: str, behaviour: Behaviour) -> None:
        self._behaviours[line.rsplit("/", 1)[-1]] = behaviour

    def key_of(self, method: str, path: str) -> str:
        return f"{method} {path}"

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        incident = body.get("incident", {}) if isinstance(body, dict) else {}
        key = str(body.get("idempotency_key", "")) if isinstance(body, dict) else ""
        line = path.strip("/")
        behaviour = self._behaviours.get(line, Behaviour())
        refused = self._tries[key] < behaviour.refuse_first
        self._tries[key] += 1
        self.arrivals.append(
            Arrival(
                at=time.time(),
                key=key,
                kind=str(body.get("type", "")),
                incident_id=str(incident.get("incident_id", "")),
                line=line,
                refused=refused,
            )
        )
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        return (500, {"message": "try again later"}) if refused else (200, {"ok": True})

    def received(self, incident_ids: set[str]) -> list[Arrival]:
        """Every copy of every page and follow-up of these incidents that the pager took."""
        return [a for a in self.arrivals if a.incident_id in incident_ids and not a.refused]
