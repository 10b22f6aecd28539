"""Chat commands and buttons: ``/incident``, ``/oncall`` and the header's buttons.

Requests arrive from the gateway as received; the signature is checked here, where the secrets
live. Actions go to the incidents service over request/reply, attributed to the IMAS person
mapped from the chat user (``chat_user_ids`` in the catalog).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import (
    GetIncident,
    IncidentPage,
    IncidentView,
    ListIncidents,
    Status,
    TransitionIncident,
)
from imas_contracts.warroom import ChatReply, DiscordRequest, SlackRequest
from imas_runtime.bus import Bus
from imas_runtime.errors import RequestFailed, ServiceError
from imas_runtime.logs import get_logger
from imas_warroom import domain, store
from imas_warroom.directory import Directory
from imas_warroom.domain import ACTIONS, HELP, SEVERITY_LABELS
from imas_warroom.messages import ACK, RESOLVE
from imas_warroom.signatures import discord_refusal, slack_refusal

log = get_logger(__name__)

OPEN: list[Status] = ["TRIGGERED", "ACKNOWLEDGED", "MITIGATED"]


@dataclass(frozen=True)
class Caller:
    platform: str
    user_id: str
    user_name: str
    channel_id: str


def _json(body: Any, status: int = 200) -> ChatReply:
    return ChatReply(status=status, body=json.dumps(body))


class ChatOps:
    """Answers Slack and Discord; every reply is a message the person understands."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        directory: Directory,
        *,
        slack_signing_secret: str,
        discord_public_key: str,
        window: float = 300.0,
        require_known_user: bool = False,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.directory = directory
        self.slack_secret = slack_signing_secret
        self.discord_key = discord_public_key
        self.window = window
        self.require_known_user = require_known_user
        self.timeout = timeout
        self.clock = clock

    def _signed(self, req: SlackRequest | DiscordRequest) -> tuple[str, str, str, float, float]:
        return req.timestamp, req.signature, req.body, self.clock(), self.window

    def _refused(self, platform: str, refusal: str | None) -> ChatReply | None:
        """401 (and a log line) when the signature check found a reason to refuse."""
        if refusal is None:
            return None
        log.warning("chat request refused", platform=platform, reason=refusal)
        return _json({"error": refusal}, 401)

    # -- Slack --------------------------------------------------------------------------------

    async def slack(self, req: SlackRequest) -> ChatReply:
        """A slash command, a button press or an Events API call. 401 unless signed by Slack
        within the replay window. Safe to run twice (a second ack answers 'already')."""
        refused = self._refused("slack", slack_refusal(self.slack_secret, *self._signed(req)))
        if refused is not None:
            return refused
        if req.kind == "event":
            event = json.loads(req.body or "{}")
            if event.get("type") == "url_verification":
                return _json({"challenge": event.get("challenge", "")})
            return _json({})
        if req.kind == "interaction":
            payload = json.loads(_form(req.body).get("payload", "{}"))
            user = payload.get("user") or {}
            caller = Caller(
                "slack",
                user.get("id", ""),
                user.get("username") or user.get("name", ""),
                (payload.get("channel") or {}).get("id", ""),
            )
            actions = payload.get("actions") or [{}]
            text = await self.button(
                caller, actions[0].get("action_id", ""), actions[0].get("value", "")
            )
            return _json({"response_type": "ephemeral", "replace_original": False, "text": text})
        form = _form(req.body)
        caller = Caller(
            "slack", form.get("user_id", ""), form.get("user_name", ""), form.get("channel_id", "")
        )
        text = await self.command(caller, form.get("command", ""), form.get("text", ""))
        return _json({"response_type": "ephemeral", "text": text})

    # -- Discord ------------------------------------------------------------------------------

    async def discord(self, req: DiscordRequest) -> ChatReply:
        """A Discord interaction: PING, an application command or a button. 401 unless signed
        with the application's Ed25519 key."""
        refused = self._refused("discord", discord_refusal(self.discord_key, *self._signed(req)))
        if refused is not None:
            return refused
        interaction = json.loads(req.body or "{}")
        kind = interaction.get("type")
        if kind == 1:
            return _json({"type": 1})
        user = (interaction.get("member") or {}).get("user") or interaction.get("user") or {}
        caller = Caller(
            "discord",
            user.get("id", ""),
            user.get("username", ""),
            interaction.get("channel_id", ""),
        )
        data = interaction.get("data") or {}
        if kind == 3:
            action, _, incident_id = str(data.get("custom_id", "")).partition(":")
            text = await self.button(caller, action, incident_id)
        elif kind == 2:
            options = {o.get("name"): str(o.get("value", "")) for o in data.get("options") or []}
            words = " ".join(v for v in options.values() if v)
            text = await self.command(caller, "/" + str(data.get("name", "")), words)
        else:
            text = "This kind of interaction is not supported."
        return _json({"type": 4, "data": {"content": text, "flags": 64}})

    # -- what both platforms share --------------------------------------------------------------

    async def button(self, caller: Caller, action: str, incident_id: str) -> str:
        if action == ACK:
            return await self._act(caller, "ack", incident_id, "")
        if action == RESOLVE:
            return await self._act(caller, "resolve", incident_id, "")
        return f"Unknown button '{action}'."

    async def command(self, caller: Caller, command: str, text: str) -> str:
        if command == "/oncall":
            return await self._oncall(caller, text.strip())
        if command != "/incident":
            return f"Unknown command '{command}'. Try `/incident help`."
        cmd = domain.parse_incident_command(text)
        if cmd.verb == "help":
            return HELP
        if cmd.verb in ACTIONS:
            if cmd.verb == "resolve" and not cmd.note:
                return "Say how it was resolved: `/incident resolve [INC-id] <note>`."
            return await self._act(caller, cmd.verb, cmd.ref, cmd.note)
        if cmd.verb == "status":
            return await self._status(caller, cmd.ref)
        if cmd.verb == "list":
            return await self._list()
        return f"Unknown command '{cmd.verb}'.\n{HELP}"

    async def _actor(self, caller: Caller) -> str | None:
        person = await self.directory.person_for_chat_user(caller.platform, caller.user_id)
        if person is not None:
            return person.name
        if self.require_known_user:
            return None
        return f"{caller.user_name or caller.user_id} ({caller.platform})"

    async def _incident_ref(self, caller: Caller, ref: str | None) -> str | None:
        if ref:
            return ref
        if not caller.channel_id:
            return None
        async with self.engine.connect() as conn:
            room = await store.room_by_channel(conn, caller.channel_id)
        return str(room.incident_id) if room is not None else None

    async def _act(self, caller: Caller, verb: str, ref: str | None, note: str) -> str:
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return f"Which incident? Use `/incident {verb} INC-<id>`, or run it in its war room."
        actor = await self._actor(caller)
        if actor is None:
            return (
                "You are not known to IMAS, so you cannot change incidents: ask an admin to add "
                f"your {caller.platform} id ({caller.user_id}) to your person."
            )
        request = TransitionIncident(
            id=incident_ref, action=ACTIONS[verb], note=note, actor=actor, source="chat"
        )
        try:
            view = await self.bus.request(request, IncidentView, timeout=self.timeout)
        except RequestFailed as exc:
            if exc.code == "not_found":
                return f"No incident {incident_ref}."
            return f"Not done: {exc.message}"
        except ServiceError as exc:
            return f"IMAS could not reach the incidents service ({exc.message}); try again."
        i = view.incident
        return f"INC-{i.short_id} is now {i.status} (by {actor})."

    async def _status(self, caller: Caller, ref: str | None) -> str:
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return "Which incident? Use `/incident status INC-<id>`, or run it in its war room."
        try:
            view = await self.bus.request(
                GetIncident(id=incident_ref), IncidentView, timeout=self.timeout
            )
        except ServiceError as exc:
            return f"No incident {incident_ref}." if exc.code == "not_found" else exc.message
        i = view.incident
        return (
            f"*INC-{i.short_id} - {i.title}*\n"
            f"{i.status} · {SEVERITY_LABELS.get(i.severity, i.severity)} · {i.service.name}"
            f" · lead {i.lead or 'unassigned'}\n" + (f"LID: {i.lid_link}" if i.lid_link else "")
        )

    async def _list(self) -> str:
        try:
            page = await self.bus.request(
                ListIncidents(status=OPEN, limit=10),
                IncidentPage,
                timeout=self.timeout,
            )
        except ServiceError as exc:
            return f"IMAS could not list incidents ({exc.message})."
        if not page.results:
            return "No open incident. :tada:"
        lines = [
            f"INC-{i.short_id} {i.status} {SEVERITY_LABELS.get(i.severity, i.severity)}"
            f" {i.service.name}: {i.title}"
            for i in page.results
        ]
        return f"{page.count} open incident(s):\n" + "\n".join(lines)

    async def _oncall(self, caller: Caller, team_ref: str) -> str:
        if not team_ref:
            return "Which team? `/oncall <team>`."
        team = await self.directory.team(team_ref)
        if team is None:
            return f"No team '{team_ref}'."
        names = await self.directory.on_call(team.id)
        if not names:
            return f"Nobody is on call for {team.name} right now."
        return f"On call for {team.name}: {', '.join(names)}."


def _form(body: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
