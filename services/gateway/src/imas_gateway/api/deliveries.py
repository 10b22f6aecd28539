"""``/api/v1/deliveries/``: the delivery ledger, every page and its outcome, newest first (the
notifier answers).

Anyone with a token reads it. What a provider answered, and why a page failed, are shown to
admins only, cut short: they may echo an internal host name, a vendor's message or a piece of
a URL.
"""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.notifier import DeliveryList, DeliveryStatus, ListDeliveries
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream

# How much of a provider's answer (or failure) admins see.
ANSWER_SHOWN = 300


def ledger(found: DeliveryList, principal: Principal) -> dict[str, Any]:
    """The ledger as ``principal`` may see it: provider answers for admins only, cut short."""
    data = message_json(found)
    admin = principal.role == "admin"
    for page in data["results"]:
        for key in ("last_error", "provider_response"):
            value = page.get(key)
            page[key] = value[:ANSWER_SHOWN] if admin and value is not None else None
    return data


class DeliveryController(Controller):
    path = "/api/v1/deliveries"
    tags = ["notifications"]
    opt = role(Role.VIEWER)

    @get(
        "/",
        summary="The delivery ledger, newest first (provider answers: admins only)",
        opt={"answer": DeliveryList},
    )
    async def deliveries(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        status: DeliveryStatus | Literal[""] = Parameter(
            default="", description="Only pages in this state"
        ),
        incident: str = Parameter(default="", description="Only this incident's (its UUID)"),
        limit: int = Parameter(default=100, ge=1, le=500, description="How many, at most"),
        offset: int = Parameter(default=0, ge=0, description="How many to skip"),
    ) -> dict[str, Any]:
        query = ListDeliveries(incident_id=incident, status=status, limit=limit, offset=offset)
        return ledger(await mesh.ask(query, DeliveryList), principal)
