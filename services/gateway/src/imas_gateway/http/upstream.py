"""Asking the services behind the gateway: one request/reply call with the API's timeout.

Every route, page and webhook that needs an answer from ingest, incidents, the notifier,
escalation or the war room asks through the app's one :class:`Upstream` (a dependency named
``mesh``; ``request.gateway.mesh`` in the dashboard's pages).
"""

from __future__ import annotations

from typing import TypeVar

from imas_contracts import Message
from imas_contracts import Request as BusRequest
from imas_contracts.incidents import IncidentView
from imas_runtime.bus import Bus

R = TypeVar("R", bound=Message)


class Upstream:
    """Sends a request and returns its typed reply; refusals are raised as ``RequestFailed``
    (the API answers them as problem JSON) and silence as ``Unavailable`` (503)."""

    def __init__(self, bus: Bus, *, timeout: float) -> None:
        self.bus = bus
        self.timeout = timeout

    async def ask(self, request: BusRequest, reply_type: type[R]) -> R:
        return await self.bus.request(request, reply_type, timeout=self.timeout)

    async def incident(self, request: BusRequest) -> IncidentView:
        """An incident with its timeline: the answer of incident reads and changes."""
        return await self.ask(request, IncidentView)
