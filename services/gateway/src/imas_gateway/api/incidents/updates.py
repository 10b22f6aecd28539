"""``/api/v1/incidents/{id}/updates/``: status updates sent to the incident's stakeholders,
and ``.../subscribers/``: who they go to (the war room service answers; the notifier
delivers)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.warroom import (
    IncidentSubscribers,
    ListSubscribers,
    PostStatusUpdate,
    StatusUpdateSent,
    Subscribe,
    SubscriberKind,
    Unsubscribe,
)
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import Invalid


class UpdateBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The status update, as its readers will read it."""

    message: str


class SubscriberBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One of: ``person`` (id, e-mail or name: told by e-mail), ``team`` (id or name: told in
    its chat channel), ``email`` (an address, such as a list), ``slack`` (a channel,
    ``#status`` or its id)."""

    person: str = ""
    team: str = ""
    email: str = ""
    slack: str = ""


class IncidentUpdatesController(Controller):
    path = "/api/v1/incidents"
    tags = ["war room"]
    opt = role(Role.VIEWER, answer=IncidentSubscribers)

    @post(
        "/{ref:str}/updates/",
        summary="Send a status update to the incident's subscribers",
        opt=role(Role.RESPONDER, answer=StatusUpdateSent),
    )
    async def post_update(
        self,
        data: JSONBody[UpdateBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        """Responders and above (201). The update goes to every subscriber through the
        notifier's providers, and is kept in the LID and the timeline; the answer names who
        it went to. 400 naming ``message`` when it is empty. Each call sends again."""
        command = PostStatusUpdate(incident=ref, message=data.message, actor=principal.name)
        return message_json(await mesh.ask(command, StatusUpdateSent))

    @get("/{ref:str}/subscribers/", summary="Who the incident's status updates go to")
    async def subscribers(
        self, mesh: NamedDependency[Upstream], ref: FromPath[str]
    ) -> dict[str, Any]:
        return message_json(await mesh.ask(ListSubscribers(incident=ref), IncidentSubscribers))

    @post(
        "/{ref:str}/subscribers/",
        status_code=200,
        summary="Send the incident's status updates to someone",
        opt=role(Role.RESPONDER, answer=IncidentSubscribers),
    )
    async def subscribe(
        self,
        data: JSONBody[SubscriberBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        """Responders and above; answers the subscribers. A subscriber added twice is
        listed once. 400 naming the field for someone unknown, an address that is none, or
        past 100 subscribers (each status update goes to every one)."""
        choices: list[tuple[SubscriberKind, str]] = [
            ("person", data.person),
            ("team", data.team),
            ("email", data.email),
            ("slack", data.slack),
        ]
        given = [(kind, value) for kind, value in choices if value.strip()]
        if len(given) != 1:
            raise Invalid.field("person", "give one of person, team, email or slack")
        kind, value = given[0]
        command = Subscribe(incident=ref, kind=kind, ref=value, actor=principal.name)
        return message_json(await mesh.ask(command, IncidentSubscribers))

    @delete(
        "/{ref:str}/subscribers/{subscriber:str}/",
        status_code=200,
        summary="Stop sending the incident's status updates to a subscriber",
        opt=role(Role.RESPONDER, answer=IncidentSubscribers),
    )
    async def unsubscribe(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        ref: FromPath[str],
        subscriber: FromPath[str],
    ) -> dict[str, Any]:
        """Responders and above, by the subscriber's ``id``; answers the subscribers.
        Removing one that is gone changes nothing."""
        command = Unsubscribe(incident=ref, id=subscriber, actor=principal.name)
        return message_json(await mesh.ask(command, IncidentSubscribers))
