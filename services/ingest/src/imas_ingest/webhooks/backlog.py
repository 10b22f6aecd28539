"""How full the stream of raw webhook payloads is (ALERTS, a work queue: what ingest has not
handled yet). Exported in ``/metrics``; past ``warn_ratio`` of its ``max_bytes`` an IMAS
incident is raised (again every ``repeat`` seconds while it stays there, attaching to the
same incident), so that someone acts before the gateway has to refuse webhooks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Gauge

from imas_contracts.incidents import OpenOrAttach
from imas_contracts.ingest import ALERTS_STREAM
from imas_ingest import domain
from imas_runtime.bus import Bus
from imas_runtime.logs import get_logger

log = get_logger(__name__)

BACKLOG_BYTES = Gauge("imas_alerts_backlog_bytes", "Raw payloads in ALERTS ingest has not handled")
BACKLOG_MESSAGES = Gauge("imas_alerts_backlog_messages", "Raw payloads in ALERTS not handled yet")
BACKLOG_LIMIT = Gauge("imas_alerts_backlog_max_bytes", "ALERTS's max_bytes (-1: no limit)")


class BacklogWatch:
    """Reads ALERTS's state every ``every`` seconds (one JetStream API call)."""

    def __init__(
        self,
        bus: Bus,
        raise_alert: Callable[[OpenOrAttach], Awaitable[Any]],
        *,
        service: str,
        every: float = 5.0,
        warn_ratio: float = 0.8,
        repeat: float = 60.0,
    ) -> None:
        self.bus = bus
        self.raise_alert = raise_alert
        self.service = service
        self.every = every
        self.warn_ratio = warn_ratio
        self.repeat = repeat
        self._raised_at = float("-inf")

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.check()
            except Exception as exc:
                log.warning("could not check the ALERTS backlog", error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.every)

    async def check(self) -> None:
        info = await self.bus.js.stream_info(ALERTS_STREAM.name)
        used, limit = info.state.bytes, info.config.max_bytes or -1
        BACKLOG_BYTES.set(used)
        BACKLOG_MESSAGES.set(info.state.messages)
        BACKLOG_LIMIT.set(limit)
        now = asyncio.get_running_loop().time()
        if limit <= 0 or used < self.warn_ratio * limit or now - self._raised_at < self.repeat:
            return
        self._raised_at = now
        log.error("ALERTS backlog filling up", used=used, max_bytes=limit)
        await self.raise_alert(domain.backlog_alert(self.service, ALERTS_STREAM.name, used, limit))
