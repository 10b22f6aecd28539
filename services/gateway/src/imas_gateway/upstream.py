"""Asking the services behind the gateway: one request/reply call with the API's timeout."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Request
from litestar.di import Provide

from imas_contracts import Message
from imas_contracts.incidents import IncidentView
from imas_gateway.auth import authenticate
from imas_runtime.bus import Bus

R = TypeVar("R", bound=Message)


class Upstream:
    """Sends a request and returns its typed reply; refusals are raised as ``RequestFailed``
    (the API answers them as problem JSON) and silence as ``Unavailable`` (503)."""

    def __init__(self, bus: Bus, *, timeout: float) -> None:
        self.bus = bus
        self.timeout = timeout

    async def ask(self, request: Any, reply_type: type[R]) -> R:
        return await self.bus.request(request, reply_type, timeout=self.timeout)

    async def incident(self, request: Any) -> IncidentView:
        return await self.ask(request, IncidentView)


def upstream(request: Request[Any, Any, Any]) -> Upstream:
    """The app's :class:`Upstream`, made on first use from the runtime's bus."""
    state = request.app.state
    found: Upstream | None = getattr(state, "upstream", None)
    if found is None:
        found = Upstream(state.runtime.bus, timeout=state.incident_api.timeout)
        state.upstream = found
    return found


MESH_DEPENDENCIES = {
    "principal": Provide(authenticate),
    "mesh": Provide(upstream, sync_to_thread=False),
}
"""What most route controllers need: the caller, and a way to ask the services behind."""
