"""Slack and Discord callbacks over HTTP (slash commands, buttons, events, interactions).

They carry no token: warroom checks their signatures, and the gateway attaches the role of the
IMAS user linked to the chat user (the one whose e-mail is the catalog person's with that chat
id).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from litestar import Controller, Response, post
from litestar.di import NamedDependency

from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.warroom import ChatReply, DiscordRequest, SlackRequest
from imas_gateway.auth.guard import PUBLIC, role
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import ServiceError


async def signed_text(request: Request) -> str:
    """The body as the platform signed it. It stays raw, not a typed ``data``: the war room
    checks the signature over these exact bytes (and Slack's form or Discord's JSON is parsed
    there, once the signature holds)."""
    return (await request.body()).decode("utf-8", errors="replace")


def _chat_response(reply: ChatReply) -> Response[bytes]:
    return Response(reply.body.encode(), status_code=reply.status, media_type=reply.content_type)


def chat_user_id(platform: str, kind: str, body: str) -> str:
    """The chat user a Slack command / interaction or a Discord interaction comes from ("" for
    anything else, or a body that does not parse)."""
    try:
        if platform == "discord":
            interaction = json.loads(body or "{}")
            user = (interaction.get("member") or {}).get("user") or interaction.get("user") or {}
            return str(user.get("id", ""))
        form = {k: v[0] for k, v in parse_qs(body).items()}
        if kind == "command":
            return form.get("user_id", "")
        if kind == "interaction":
            return str((json.loads(form.get("payload", "{}")).get("user") or {}).get("id", ""))
    except (ValueError, AttributeError):
        return ""
    return ""


async def chat_caller_role(request: Request, mesh: Upstream, platform: str, user_id: str) -> str:
    """The role of the IMAS user linked to a chat user: the catalog person with that chat id,
    then the active IMAS user whose *verified* e-mail is that person's (set by an admin, or
    verified by the single sign-on provider: anyone can claim an e-mail at a provider that
    does not check it). Several such users: the least of their roles. "" when there is none.

    Looked up before warroom checks the signature: the role is only used once it has (and
    only for the user id the signed body names)."""
    if not user_id:
        return ""
    try:
        people = await mesh.ask(ListCatalog(kind="person"), CatalogEntries)
    except ServiceError:
        return ""
    person = next((p for p in people.people if p.chat_user_ids.get(platform) == user_id), None)
    if person is None:
        return ""
    found = await request.gateway.users.acting_as(person.email)
    return found[0] if found else ""


class ChatController(Controller):
    """Where Slack and Discord call IMAS (slash commands, buttons, events, interactions)."""

    path = "/api/v1/chat"
    tags = ["chat"]
    # Slack and Discord sign their calls; the warroom service checks the signatures.
    opt = role(PUBLIC, audit=False, own_errors=True)

    async def _slack(self, request: Request, mesh: Upstream, kind: str) -> Response[bytes]:
        body = await signed_text(request)
        user_id = chat_user_id("slack", kind, body)
        slack = SlackRequest(
            kind=kind,  # type: ignore[arg-type]  # one of the routes' own kinds
            body=body,
            timestamp=request.headers.get("x-slack-request-timestamp", ""),
            signature=request.headers.get("x-slack-signature", ""),
            caller_role=await chat_caller_role(request, mesh, "slack", user_id),
        )
        return _chat_response(await mesh.ask(slack, ChatReply))

    @post("/slack/commands", summary="Slack slash commands (/incident, /oncall)")
    async def slack_commands(
        self, request: Request, mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        return await self._slack(request, mesh, "command")

    @post("/slack/interactions", summary="Slack interactive buttons")
    async def slack_interactions(
        self, request: Request, mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        return await self._slack(request, mesh, "interaction")

    @post("/slack/events", summary="Slack Events API (url_verification)")
    async def slack_events(
        self, request: Request, mesh: NamedDependency[Upstream]
    ) -> Response[bytes]:
        return await self._slack(request, mesh, "event")

    @post("/discord/interactions", summary="Discord interactions (Ed25519-signed)")
    async def discord(self, request: Request, mesh: NamedDependency[Upstream]) -> Response[bytes]:
        body = await signed_text(request)
        user_id = chat_user_id("discord", "interaction", body)
        interaction = DiscordRequest(
            body=body,
            timestamp=request.headers.get("x-signature-timestamp", ""),
            signature=request.headers.get("x-signature-ed25519", ""),
            caller_role=await chat_caller_role(request, mesh, "discord", user_id),
        )
        return _chat_response(await mesh.ask(interaction, ChatReply))
