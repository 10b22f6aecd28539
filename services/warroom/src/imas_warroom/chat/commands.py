"""Chat commands and buttons: ``/incident``, ``/oncall`` and the header's buttons.

Requests arrive from the gateway as received; the signature is checked here, where the secrets
live. Every command but ``help`` is run for the IMAS person mapped from the chat user
(``chat_user_ids`` in the catalog) and only when the role of that person's IMAS user (which the
gateway attaches, see :class:`~imas_contracts.warroom.SlackRequest`) allows it. Actions go to
the incidents service over request/reply, attributed to that person.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.catalog import PersonEntry
from imas_contracts.incidents import (
    GetIncident,
    IncidentPage,
    IncidentSnapshot,
    IncidentView,
    ListIncidents,
    OpenOrAttach,
    OpenOrAttachReply,
    Status,
    TransitionIncident,
)
from imas_contracts.warroom import (
    AssignRole,
    ChatReply,
    DiscordRequest,
    EscalateIncident,
    PostStatusUpdate,
    SlackRequest,
)
from imas_runtime.bus import Bus
from imas_runtime.errors import RequestFailed, ServiceError
from imas_runtime.logs import get_logger
from imas_warroom import domain, store
from imas_warroom.chat.messages import ACK, RESOLVE
from imas_warroom.chat.signatures import discord_refusal, slack_refusal
from imas_warroom.directory import Directory
from imas_warroom.domain import ACTIONS, HELP, REQUIRED_ROLE, SEVERITY_LABELS
from imas_warroom.escalations.usecases import Escalations
from imas_warroom.stakeholders.usecases import Stakeholders

log = get_logger(__name__)

OPEN: list[Status] = ["TRIGGERED", "ACKNOWLEDGED", "MITIGATED"]
# ``/incident create`` without a severity word opens a SEV3.
DEFAULT_SEVERITY = "SEV3_MEDIUM"


@dataclass(frozen=True)
class Caller:
    platform: str
    user_id: str
    user_name: str
    channel_id: str
    # The role of the IMAS user linked to the chat user, as the gateway found it.
    role: str = ""


class Refused(Exception):
    """A command the caller may not run; the message tells them why and what to do."""


def _json(body: Any, status: int = 200) -> ChatReply:
    return ChatReply(status=status, body=json.dumps(body))


class ChatOps:
    """Answers Slack and Discord; every reply is a message the person understands."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        directory: Directory,
        escalations: Escalations,
        stakeholders: Stakeholders,
        *,
        slack_signing_secret: str,
        discord_public_key: str,
        window: float = 300.0,
        timeout: float = 10.0,
        on_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.directory = directory
        self.escalations = escalations
        self.stakeholders = stakeholders
        self.slack_secret = slack_signing_secret
        self.discord_key = discord_public_key
        self.window = window
        self.timeout = timeout
        self._on_commit = on_commit
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
                req.caller_role,
            )
            actions = payload.get("actions") or [{}]
            text = await self.button(
                caller, actions[0].get("action_id", ""), actions[0].get("value", "")
            )
            return _json({"response_type": "ephemeral", "replace_original": False, "text": text})
        form = _form(req.body)
        caller = Caller(
            "slack",
            form.get("user_id", ""),
            form.get("user_name", ""),
            form.get("channel_id", ""),
            req.caller_role,
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
            req.caller_role,
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
        verbs = {ACK: "ack", RESOLVE: "resolve"}
        if action not in verbs:
            return f"Unknown button '{action}'."
        try:
            return await self._act(caller, verbs[action], incident_id, "")
        except Refused as refusal:
            return str(refusal)

    async def command(self, caller: Caller, command: str, text: str) -> str:
        try:
            return await self._command(caller, command, text)
        except Refused as refusal:
            return str(refusal)

    async def _command(self, caller: Caller, command: str, text: str) -> str:
        if command == "/oncall":
            await self._actor(caller, "oncall")
            return await self._oncall(text.strip())
        if command != "/incident":
            return f"Unknown command '{command}'. Try `/incident help`."
        cmd = domain.parse_incident_command(text)
        if cmd.verb == "help":
            return HELP
        if cmd.verb in ACTIONS:
            if cmd.verb == "resolve" and not cmd.note:
                return "Say how it was resolved: `/incident resolve [INC-id] <note>`."
            return await self._act(caller, cmd.verb, cmd.ref, cmd.note)
        if cmd.verb == "escalate":
            return await self._escalate(caller, cmd.ref)
        if cmd.verb == "role":
            return await self._role(caller, cmd.ref, cmd.note)
        if cmd.verb == "update":
            return await self._update(caller, cmd.ref, cmd.note)
        if cmd.verb == "create":
            # The whole text after the verb: a title word may look like an incident id.
            return await self._create(caller, text.strip().partition(" ")[2])
        if cmd.verb == "status":
            await self._actor(caller, "status")
            return await self._status(caller, cmd.ref)
        if cmd.verb == "list":
            await self._actor(caller, "list")
            return await self._list()
        return f"Unknown command '{cmd.verb}'.\n{HELP}"

    async def _actor(self, caller: Caller, verb: str) -> PersonEntry:
        """The IMAS person the caller acts as, when their role allows ``verb``; Refused with
        what to do otherwise."""
        where = "Slack member" if caller.platform == "slack" else f"{caller.platform.title()} user"
        person = await self.directory.person_for_chat_user(caller.platform, caller.user_id)
        if person is None:
            raise Refused(
                f"Your {where} id ({caller.user_id or 'unknown'}) is not linked to an IMAS "
                f"person, so IMAS cannot tell who you are. Link your account: ask an admin to "
                f"add it to your person's `chat_user_ids` ({caller.platform}) in the catalog."
            )
        if not caller.role:
            raise Refused(
                f"Your IMAS person ({person.email}) has no IMAS user account, so it has no "
                "role. Link your account: ask an admin to create an IMAS user with that e-mail."
            )
        if not domain.role_allows(caller.role, verb):
            needed = REQUIRED_ROLE.get(verb, "admin")
            raise Refused(
                f"Your IMAS role ({caller.role}) does not allow `{verb}`: "
                f"it needs {needed} or above. Ask an admin if you should have it."
            )
        return person

    async def _incident_ref(self, caller: Caller, ref: str | None) -> str | None:
        if ref:
            return ref
        if not caller.channel_id:
            return None
        async with self.engine.connect() as conn:
            room = await store.room_by_channel(conn, caller.channel_id)
        return str(room.incident_id) if room is not None else None

    async def _act(self, caller: Caller, verb: str, ref: str | None, note: str) -> str:
        actor = await self._actor(caller, verb)
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return f"Which incident? Use `/incident {verb} INC-<id>`, or run it in its war room."
        request = TransitionIncident(
            id=incident_ref, action=ACTIONS[verb], note=note, actor=actor.name, source="chat"
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
        return f"INC-{i.short_id} is now {i.status} (by {actor.name})."

    async def _incident(self, ref: str) -> IncidentSnapshot | str:
        """The incident, or the reply explaining why it cannot be had."""
        try:
            view = await self.bus.request(GetIncident(id=ref), IncidentView, timeout=self.timeout)
        except ServiceError as exc:
            return f"No incident {ref}." if exc.code == "not_found" else exc.message
        return view.incident

    async def _status(self, caller: Caller, ref: str | None) -> str:
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return "Which incident? Use `/incident status INC-<id>`, or run it in its war room."
        i = await self._incident(incident_ref)
        if isinstance(i, str):
            return i
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

    async def _oncall(self, team_ref: str) -> str:
        if not team_ref:
            return "Which team? `/oncall <team>`."
        team = await self.directory.team(team_ref)
        if team is None:
            return f"No team '{team_ref}'."
        names = await self.directory.on_call(team.id)
        if not names:
            return f"Nobody is on call for {team.name} right now."
        return f"On call for {team.name}: {', '.join(names)}."

    # -- create and escalate --------------------------------------------------------------------

    async def _create(self, caller: Caller, text: str) -> str:
        """Open an incident (or join the open one of the same service, as the API does)."""
        actor = await self._actor(caller, "create")
        new = domain.parse_new_incident(text)
        usage = "`/incident create [SEV1-4] [service:<name>] <title>`"
        if not new.title:
            return f"Give the incident a title: {usage}."
        service = new.service
        if service is None:
            ref = await self._incident_ref(caller, None)
            found = await self._incident(ref) if ref else None
            if not isinstance(found, IncidentSnapshot):
                return f"Which service is affected? Add `service:<name>`: {usage}."
            service = found.service.name
        request = OpenOrAttach(
            title=new.title,
            service_name=service,
            severity=new.severity or DEFAULT_SEVERITY,  # type: ignore[arg-type]  # parsed: SEV1-4
            source="chat",
            alert_source="chat",
            actor=actor.name,
        )
        try:
            reply = await self.bus.request(request, OpenOrAttachReply, timeout=self.timeout)
        except RequestFailed as exc:
            return f"Not created: {exc.message}"
        except ServiceError as exc:
            return f"IMAS could not reach the incidents service ({exc.message}); try again."
        i = reply.incident
        label = f"INC-{i.short_id} - {i.title}"
        if not reply.created:
            return f"{i.service.name} already has an open incident, {label}: added to it."
        severity = SEVERITY_LABELS.get(i.severity, i.severity)
        return f"{label} opened ({severity}, {i.service.name}) by {actor.name}."

    async def _escalate(self, caller: Caller, ref: str | None) -> str:
        """Page the next level of the team's escalation policy now, and say who was paged
        (see :mod:`imas_warroom.escalations`)."""
        actor = await self._actor(caller, "escalate")
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return "Which incident? Use `/incident escalate INC-<id>`, or run it in its war room."
        command = EscalateIncident(incident=incident_ref, actor=actor.name, source="chat")
        try:
            sent = await self.escalations.escalate(command)
        except ServiceError as exc:
            if exc.code == "not_found":
                return f"No incident {incident_ref}."
            if exc.code in ("unavailable", "internal"):
                return f"IMAS could not reach a service ({exc.message}); try again."
            return exc.message[:1].upper() + exc.message[1:] + "."
        return (
            f"INC-{sent.short_id} escalated to level {sent.level}: paging "
            f"{', '.join(sent.names)} (by {actor.name})."
        )

    # -- roles and status updates -----------------------------------------------------------------

    async def _role(self, caller: Caller, ref: str | None, text: str) -> str:
        """Give a role to the person mentioned (or named), or take it back (``none``)."""
        actor = await self._actor(caller, "role")
        roles = ", ".join(await self.stakeholders.role_names())
        usage = f"`/incident role [INC-id] <role> @someone` (roles: {roles}; `none` takes it back)"
        role, user_id, name = domain.parse_role_command(text)
        if not role or not (user_id or name):
            return f"Who gets which role? {usage}."
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return f"Which incident? Use {usage} with an INC-id, or run it in its war room."
        person = ""
        if user_id:
            found = await self.directory.person_for_chat_user(caller.platform, user_id)
            if found is None:
                return f"<@{user_id}> is not linked to an IMAS person (chat_user_ids)."
            person = found.id
        elif name.lower() not in domain.NOBODY:
            named = await self._person_named(name)
            if named is None:
                return f"No person '{name}' in the catalog."
            person = named
        command = AssignRole(
            incident=incident_ref, role=role, person=person, actor=actor.name, source="chat"
        )
        try:
            answer = await self.stakeholders.assign_role(command)
        except ServiceError as exc:
            return self._refusal(exc, incident_ref)
        holder = next(h for h in answer.roles if h.role == role)
        if not holder.name:
            return f"INC-{answer.short_id}: nobody is {role} now (by {actor.name})."
        return f"INC-{answer.short_id}: {holder.name} is {role} (by {actor.name})."

    async def _person_named(self, name: str) -> str | None:
        """A person's id from what chat users type: an id, e-mail or full name, else the one
        person whose first name or e-mail's local part it is."""
        exact = await self.directory.person(name)
        if exact is not None:
            return exact.id
        wanted = name.strip().lower()
        found = [
            p
            for p in await self.directory.people()
            if wanted in (p.name.split(" ")[0].lower(), p.email.partition("@")[0].lower())
        ]
        return found[0].id if len(found) == 1 else None

    async def _update(self, caller: Caller, ref: str | None, text: str) -> str:
        """Send a status update to the incident's subscribers."""
        actor = await self._actor(caller, "update")
        if not text.strip():
            return "Say what to tell the subscribers: `/incident update [INC-id] <text>`."
        incident_ref = await self._incident_ref(caller, ref)
        if incident_ref is None:
            return (
                "Which incident? Use `/incident update INC-<id> <text>`, or run it in its war room."
            )
        command = PostStatusUpdate(
            incident=incident_ref, message=text, actor=actor.name, source="chat"
        )
        try:
            sent = await self.stakeholders.post_update(command)
        except ServiceError as exc:
            return self._refusal(exc, incident_ref)
        if not sent.recipients:
            return f"INC-{sent.short_id}: update recorded in the LID; nobody follows it yet."
        return f"INC-{sent.short_id}: update sent to {', '.join(sent.recipients)}."

    @staticmethod
    def _refusal(exc: ServiceError, incident_ref: str) -> str:
        if exc.code == "not_found":
            return f"No incident {incident_ref}."
        if exc.code in ("unavailable", "internal"):
            return f"IMAS could not reach a service ({exc.message}); try again."
        return exc.message[:1].upper() + exc.message[1:] + "."


def _form(body: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
