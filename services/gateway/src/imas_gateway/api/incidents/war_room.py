"""``/api/v1/incidents/{id}/responders/``: add someone to the incident's war room (the war
room service answers; the room invites them)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.warroom import AddResponder, RoomResponders
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream


class ResponderBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The person to add: their id, e-mail or name."""

    person: str


class IncidentWarRoomController(Controller):
    path = "/api/v1/incidents"
    tags = ["war room"]
    opt = role(Role.RESPONDER, answer=RoomResponders)

    @post("/{ref:str}/responders/", status_code=200, summary="Add a responder to the war room")
    async def add_responder(
        self,
        data: JSONBody[ResponderBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        """Responders and above. The room invites the person (and mentions them there); the
        answer lists everyone added by hand. 409 when the incident has no war room, 400
        naming ``person`` for someone the catalog does not know or who has no user id on the
        room's chat platform. Adding someone twice adds them once."""
        command = AddResponder(incident=ref, person=data.person, actor=principal.name)
        return message_json(await mesh.ask(command, RoomResponders))
