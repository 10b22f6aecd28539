"""The silences ingest holds, as the services that hold pages during them (escalation, the
notifier) keep them: asked over request/reply at most every ``ttl`` seconds."""

from __future__ import annotations

import asyncio
import time

from imas_contracts.ingest import ListSilences, Silence, SilenceList
from imas_runtime.bus import Bus
from imas_runtime.logs import get_logger

__all__ = ["SilenceCache"]

log = get_logger(__name__)


class SilenceCache:
    """The silences ingest holds, asked at most every ``ttl`` seconds; when ingest does not
    answer the last answer stands (a page is never held up by it)."""

    def __init__(self, bus: Bus, *, timeout: float, ttl: float = 2.0) -> None:
        self.bus = bus
        self.timeout = timeout
        self.ttl = ttl
        self._fresh_until = 0.0
        self._silences: list[Silence] = []
        self._refresh: asyncio.Task[None] | None = None

    async def current(self) -> list[Silence]:
        """The silences, asked again first when the last answer is older than ``ttl``."""
        if time.monotonic() >= self._fresh_until:
            await self._ask()
        return self._silences

    def latest(self) -> list[Silence]:
        """The last answer at once; a stale one is asked again in the background (for a
        sender that must not wait up to ``timeout`` on ingest)."""
        stale = time.monotonic() >= self._fresh_until
        if stale and (self._refresh is None or self._refresh.done()):
            self._refresh = asyncio.get_running_loop().create_task(self._ask())
        return self._silences

    async def _ask(self) -> None:
        self._fresh_until = time.monotonic() + self.ttl
        try:
            reply = await self.bus.request(ListSilences(), SilenceList, timeout=self.timeout)
            self._silences = list(reply.silences)
        except Exception as exc:
            log.debug("silences unanswered, the last answer stands", error=repr(exc))
