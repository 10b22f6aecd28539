"""Chat platforms a war room lives on: Slack's Web API, Discord's API, or the log.

Calls go through the outbound guard and end within their total time
(``imas_runtime.outbound``). Each call either succeeds or raises :class:`ChatError`, which
says whether trying again can help and how long the platform asked to wait (HTTP 429 /
``Retry-After``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

import httpx

from imas_runtime import outbound
from imas_runtime.logs import get_logger
from imas_runtime.markup import DISCORD_NO_MENTIONS, discord_text, slack_text
from imas_runtime.outbound import Guard
from imas_warroom.chat.messages import Header, discord_message, slack_blocks

log = get_logger(__name__)


class ChatError(Exception):
    """A chat API call failed; ``code`` is the platform's error (``name_taken``...)."""

    def __init__(self, code: str, *, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


class ChatPlatform(Protocol):
    """``create_channel`` opens the room for ``invitees`` where the platform can do both at
    once (``invites_at_creation``); ``invite`` adds people to an open room and
    ``announce_invited`` tells them they were (a mention: an invite alone may notify no one)."""

    name: str
    invites_at_creation: bool

    def link(self, channel_id: str) -> str: ...
    async def create_channel(self, name: str, invitees: Sequence[str]) -> str: ...
    async def invite(self, channel_id: str, user_ids: Sequence[str]) -> None: ...
    async def announce_invited(self, channel_id: str, user_ids: Sequence[str]) -> None: ...
    async def set_topic(self, channel_id: str, topic: str) -> None: ...
    async def post_header(self, channel_id: str, header: Header) -> str: ...
    async def pin(self, channel_id: str, ref: str) -> None: ...
    async def update_header(self, channel_id: str, ref: str, header: Header) -> None: ...
    async def post(self, channel_id: str, text: str) -> None: ...
    async def archive(self, channel_id: str, name: str) -> None: ...
    async def close(self) -> None: ...


VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY = 1 << 10, 1 << 11, 1 << 16
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]+$")


def discord_ids(user_ids: Sequence[str]) -> list[str]:
    """The Discord user ids (snowflakes) among ``user_ids``; anything else in the catalog's
    ``chat_user_ids`` would make Discord refuse the whole call."""
    return [u for u in user_ids if u.isdigit()]


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", "1"))
    except ValueError:
        return 1.0


class SlackPlatform:
    """Slack's Web API with a bot token (``chat:write``, ``channels:manage``, ``pins:write``)."""

    name = "slack"
    # Slack invites to a channel that exists: ``invite`` follows ``create_channel``.
    invites_at_creation = False
    # Errors that mean the wanted state is already there.
    HARMLESS = frozenset({"already_in_channel", "cant_invite_self", "already_pinned"})

    def __init__(
        self, guard: Guard, api_url: str, token: str, link_base: str, timeout: float = 10.0
    ) -> None:
        self._client = outbound.client(
            guard,
            total=timeout,
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
        )
        self._link_base = link_base

    def link(self, channel_id: str) -> str:
        return f"{self._link_base}{channel_id}"

    async def call(self, method: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(method, json=payload)
        except httpx.HTTPError as exc:
            raise ChatError(f"slack unreachable: {exc!r}") from exc
        if response.status_code == 429:
            raise ChatError("ratelimited", retry_after=_retry_after(response))
        if response.status_code >= 400:
            raise ChatError(f"http_{response.status_code}")
        body: dict[str, Any] = response.json()
        if not body.get("ok"):
            error = str(body.get("error", "unknown_error"))
            if error in self.HARMLESS:
                return body
            raise ChatError(error)
        return body

    async def create_channel(self, name: str, invitees: Sequence[str]) -> str:
        body = await self.call("conversations.create", {"name": name, "is_private": False})
        return str(body["channel"]["id"])

    async def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        """Slack tells each invited member they were added; ``force`` invites the valid ids
        of a list that holds an unknown one."""
        if user_ids:
            await self.call(
                "conversations.invite",
                {"channel": channel_id, "users": ",".join(user_ids), "force": True},
            )

    async def announce_invited(self, channel_id: str, user_ids: Sequence[str]) -> None:
        mentions = " ".join(f"<@{u}>" for u in user_ids if _SLACK_ID.match(u))
        if mentions:
            text = f":wave: {mentions} joined this war room."
            await self.call("chat.postMessage", {"channel": channel_id, "text": text})

    async def set_topic(self, channel_id: str, topic: str) -> None:
        await self.call("conversations.setTopic", {"channel": channel_id, "topic": topic})

    async def post_header(self, channel_id: str, header: Header) -> str:
        body = await self.call(
            "chat.postMessage",
            {
                "channel": channel_id,
                "text": header.text(slack_text),
                "blocks": slack_blocks(header),
            },
        )
        return str(body["ts"])

    async def pin(self, channel_id: str, ref: str) -> None:
        await self.call("pins.add", {"channel": channel_id, "timestamp": ref})

    async def update_header(self, channel_id: str, ref: str, header: Header) -> None:
        await self.call(
            "chat.update",
            {
                "channel": channel_id,
                "ts": ref,
                "text": header.text(slack_text),
                "blocks": slack_blocks(header),
            },
        )

    async def post(self, channel_id: str, text: str) -> None:
        await self.call("chat.postMessage", {"channel": channel_id, "text": slack_text(text)})

    async def archive(self, channel_id: str, name: str) -> None:
        await self.call("conversations.archive", {"channel": channel_id})

    async def close(self) -> None:
        await self._client.aclose()


class DiscordPlatform:
    """Discord's REST API with a bot token, in one guild. Discord has no archive: an archived
    room is renamed ``archived-…`` and moved to ``archive_category`` when one is set."""

    name = "discord"
    # Members who may see, read back and write in the room, set as the channel is created.
    invites_at_creation = True
    MEMBER = str(VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY)

    def __init__(
        self,
        guard: Guard,
        api_url: str,
        token: str,
        guild_id: str,
        archive_category: str = "",
        timeout: float = 10.0,
    ) -> None:
        self._client = outbound.client(
            guard,
            total=timeout,
            base_url=api_url.rstrip("/"),
            headers={"Authorization": f"Bot {token}"},
        )
        self._guild = guild_id
        self._archive_category = archive_category

    def link(self, channel_id: str) -> str:
        return f"https://discord.com/channels/{self._guild}/{channel_id}"

    async def call(self, method: str, path: str, payload: Any = None) -> Any:
        try:
            response = await self._client.request(method, path, json=payload)
        except httpx.HTTPError as exc:
            raise ChatError(f"discord unreachable: {exc!r}") from exc
        if response.status_code == 429:
            retry_after = _retry_after(response)
            try:
                retry_after = float(response.json().get("retry_after", retry_after))
            except (ValueError, json.JSONDecodeError, AttributeError):
                pass
            raise ChatError("ratelimited", retry_after=retry_after)
        if response.status_code >= 400:
            raise ChatError(f"http_{response.status_code}: {response.text[:200]}")
        return response.json() if response.content else None

    async def create_channel(self, name: str, invitees: Sequence[str]) -> str:
        """The channel, with a member permission overwrite per invitee: they can see it
        whatever the category's permissions (the header's mention notifies them)."""
        overwrites = [
            {"id": user, "type": 1, "allow": self.MEMBER, "deny": "0"}
            for user in discord_ids(invitees)
        ]
        body = await self.call(
            "POST",
            f"/guilds/{self._guild}/channels",
            {"name": name, "type": 0, "permission_overwrites": overwrites},
        )
        return str(body["id"])

    async def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        for user in discord_ids(user_ids):
            await self.call(
                "PUT",
                f"/channels/{channel_id}/permissions/{user}",
                {"type": 1, "allow": self.MEMBER, "deny": "0"},
            )

    async def announce_invited(self, channel_id: str, user_ids: Sequence[str]) -> None:
        users = discord_ids(user_ids)
        if users:
            await self.call(
                "POST",
                f"/channels/{channel_id}/messages",
                {
                    "content": " ".join(f"<@{u}>" for u in users) + " joined this war room.",
                    "allowed_mentions": {"parse": [], "users": users[:100]},
                },
            )

    async def set_topic(self, channel_id: str, topic: str) -> None:
        await self.call("PATCH", f"/channels/{channel_id}", {"topic": topic})

    async def post_header(self, channel_id: str, header: Header) -> str:
        body = await self.call("POST", f"/channels/{channel_id}/messages", discord_message(header))
        return str(body["id"])

    async def pin(self, channel_id: str, ref: str) -> None:
        await self.call("PUT", f"/channels/{channel_id}/pins/{ref}")

    async def update_header(self, channel_id: str, ref: str, header: Header) -> None:
        await self.call("PATCH", f"/channels/{channel_id}/messages/{ref}", discord_message(header))

    async def post(self, channel_id: str, text: str) -> None:
        message = {"content": discord_text(text)[:2000], "allowed_mentions": DISCORD_NO_MENTIONS}
        await self.call("POST", f"/channels/{channel_id}/messages", message)

    async def archive(self, channel_id: str, name: str) -> None:
        change: dict[str, Any] = {"name": f"archived-{name}"[:100]}
        if self._archive_category:
            change["parent_id"] = self._archive_category
        await self.call("PATCH", f"/channels/{channel_id}", change)

    async def close(self) -> None:
        await self._client.aclose()


class LogPlatform:
    """No chat platform: what would be said is logged (``make run`` without credentials)."""

    name = "log"
    invites_at_creation = False

    def link(self, channel_id: str) -> str:
        return f"log://{channel_id}"

    async def create_channel(self, name: str, invitees: Sequence[str]) -> str:
        log.info("war room opened", channel=name)
        return name

    async def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        log.info("war room invite", channel=channel_id, users=list(user_ids))

    async def announce_invited(self, channel_id: str, user_ids: Sequence[str]) -> None:
        return None

    async def set_topic(self, channel_id: str, topic: str) -> None:
        log.info("war room topic", channel=channel_id, topic=topic)

    async def post_header(self, channel_id: str, header: Header) -> str:
        log.info("war room header", channel=channel_id, header=header.text())
        return "header"

    async def pin(self, channel_id: str, ref: str) -> None:
        return None

    async def update_header(self, channel_id: str, ref: str, header: Header) -> None:
        log.info("war room header updated", channel=channel_id, header=header.text())

    async def post(self, channel_id: str, text: str) -> None:
        log.info("war room message", channel=channel_id, text=text)

    async def archive(self, channel_id: str, name: str) -> None:
        log.info("war room archived", channel=channel_id)

    async def close(self) -> None:
        return None
