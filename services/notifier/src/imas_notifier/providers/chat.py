"""Chat providers: Slack (Web API, Block Kit), Discord (bot or webhook, embeds), Microsoft
Teams (Workflows webhook, Adaptive Cards) and ntfy.

An incident's title and fields come from whoever sent the alert: in Slack mrkdwn and Discord
markdown they are escaped (``imas_runtime.markup``), and Teams cards carry them as plain-text
runs, so that no alert can ping a channel or hide a link; only IMAS's own links are markup."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from imas_notifier import domain
from imas_notifier.providers.base import HttpProvider, Outgoing, ProviderError, call, post
from imas_runtime.markup import DISCORD_NO_MENTIONS, discord_text, slack_text

COLOURS = {"SEV1_CRITICAL": 0xD32F2F, "SEV2_HIGH": 0xF57C00, "SEV3_MEDIUM": 0xFBC02D}
# Slack errors (HTTP 200, ok false) that are worth another try.
SLACK_TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


def _links(content: Mapping[str, Any]) -> dict[str, str]:
    return dict(content.get("links", {}) or {})


def slack_blocks(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Block Kit: title, fields, links, and an Acknowledge button warroom understands."""
    if "title" not in content:
        text = slack_text(str(content.get("text", "")))
        return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    fields = [
        {"type": "mrkdwn", "text": f"*{k}:* {slack_text(str(v))}"}
        for k, v in content["fields"].items()
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": content["title"][:150]}},
        {"type": "section", "fields": fields},
    ]
    links = " · ".join(f"<{url}|{name}>" for name, url in _links(content).items())
    if links:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": links}]})
    if content.get("ack"):
        button = {
            "type": "button",
            "action_id": domain.ACK_ACTION,
            "value": content["incident_id"],
            "style": "danger",
            "text": {"type": "plain_text", "text": "Acknowledge"},
        }
        blocks.append({"type": "actions", "elements": [button]})
    return blocks


class SlackProvider(HttpProvider):
    """``chat.postMessage`` with a bot token; follow-ups reply in the page's thread. A page
    without an address (a team with no chat channel, a test message) goes to
    ``default_channel`` (``channel`` is its older name)."""

    kind = "slack"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.base_url = str(config.get("base_url") or "https://slack.com/api").rstrip("/")
        self.default_channel = str(config.get("default_channel") or config.get("channel") or "")
        self.token = secrets.get("bot_token", "")

    async def send(self, page: Outgoing) -> str:
        channel = page.address or self.default_channel
        if not channel:
            raise ProviderError(
                "slack: no channel: the team has none and the provider no default_channel",
                retryable=False,
            )
        body: dict[str, Any] = {
            "channel": channel,
            "text": slack_text(page.message),
            "blocks": slack_blocks(page.content),
        }
        if page.thread_ref:
            body["thread_ts"] = page.thread_ref
        response = await post(
            self.client,
            f"{self.base_url}/chat.postMessage",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        answer = response.json()
        if not answer.get("ok"):
            error = str(answer.get("error", "unknown"))
            raise ProviderError(f"slack: {error}", retryable=error in SLACK_TRANSIENT)
        return str(answer.get("ts", ""))


def discord_embed(content: Mapping[str, Any]) -> dict[str, Any]:
    if "title" not in content:
        return {"description": discord_text(str(content.get("text", "")))}
    links = "\n".join(f"[{name}]({url})" for name, url in _links(content).items())
    return {
        "title": content["title"][:256],
        "url": _links(content).get("Incident"),
        "color": COLOURS.get(content.get("severity", ""), 0x607D8B),
        "fields": [
            {"name": k, "value": discord_text(str(v)), "inline": True}
            for k, v in content["fields"].items()
        ]
        + ([{"name": "Links", "value": links}] if links else []),
    }


class DiscordProvider(HttpProvider):
    """A bot (``bot_token``: posts to the channel in the address, else ``default_channel``
    or ``channel_id``) or a webhook (``webhook_url``); the message carries an embed.

    A channel may be named (``#sre-core``) rather than given by id, as teams usually store
    it: a bot finds the id in its guild's channel list (``guild_id``), kept for
    :data:`CHANNEL_LIST_SECONDS` and read again when a name is not in it."""

    kind = "discord"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.base_url = str(config.get("base_url") or "https://discord.com/api/v10").rstrip("/")
        self.default_channel = str(config.get("default_channel") or config.get("channel_id") or "")
        self.guild_id = str(config.get("guild_id") or "")
        self.token = secrets.get("bot_token", "")
        self.webhook_url = secrets.get("webhook_url", "")
        self.channels = GuildChannels(self)

    async def send(self, page: Outgoing) -> str:
        body: dict[str, object] = {
            "content": discord_text(page.message.splitlines()[0] if page.message else ""),
            "embeds": [discord_embed(page.content)],
            "allowed_mentions": DISCORD_NO_MENTIONS,
        }
        if self.token:
            channel = await self.channels.id_of(page.address or self.default_channel)
            if page.thread_ref and page.kind == "follow_up":
                body["message_reference"] = {"message_id": page.thread_ref}
            response = await post(
                self.client,
                f"{self.base_url}/channels/{channel}/messages",
                json=body,
                headers=self.auth,
            )
        else:
            response = await post(self.client, self.webhook_url, params={"wait": "true"}, json=body)
        return str(response.json().get("id", "")) if response.content else ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bot {self.token}"}


CHANNEL_LIST_SECONDS = 300.0
# A name that is not in the list read this recently is not worth reading the list again for.
CHANNEL_LIST_MIN_AGE = 10.0


class GuildChannels:
    """Discord channel names to ids, from ``GET /guilds/{guild_id}/channels``, kept for a
    while; one read at a time, whatever the number of pages waiting for it."""

    def __init__(self, provider: DiscordProvider, clock: Any = time.monotonic) -> None:
        self.provider = provider
        self.clock = clock
        self.ids: dict[str, str] = {}
        self.read_at: float | None = None
        self.lock = asyncio.Lock()

    async def id_of(self, channel: str) -> str:
        """The id of ``channel``: an id as it is, a name (``#sre-core``, ``sre-core``)
        looked up in the guild. A name that cannot be found fails the page for good."""
        channel = channel.strip()
        if not channel:
            raise ProviderError(
                "discord: no channel: the team has none and the provider no default_channel",
                retryable=False,
            )
        if channel.isdigit():
            return channel
        name = channel.removeprefix("#").strip().lower()
        if not self.provider.guild_id:
            raise ProviderError(
                f"discord: {channel!r} is a channel name; set guild_id in the provider's "
                "config so that its id can be found, or give the channel's id",
                retryable=False,
            )
        found = self.ids.get(name) if self._fresh(CHANNEL_LIST_SECONDS) else None
        if found is None:
            async with self.lock:
                # Not when another page read the list just now (while this one waited).
                if not self._fresh(CHANNEL_LIST_MIN_AGE):
                    await self._read()
                found = self.ids.get(name)
        if found is None:
            raise ProviderError(
                f"discord: no channel named #{name} in guild {self.provider.guild_id}",
                retryable=False,
            )
        return found

    def _fresh(self, seconds: float) -> bool:
        return self.read_at is not None and self.clock() - self.read_at < seconds

    async def _read(self) -> None:
        provider = self.provider
        response = await call(
            provider.client,
            "GET",
            f"{provider.base_url}/guilds/{provider.guild_id}/channels",
            headers=provider.auth,
        )
        channels = response.json()
        # Text (0) and announcement (5) channels can take messages; names are unique enough
        # per guild that the first one wins.
        ids: dict[str, str] = {}
        for channel in channels if isinstance(channels, list) else []:
            if isinstance(channel, dict) and channel.get("type", 0) in (0, 5):
                ids.setdefault(str(channel.get("name", "")).lower(), str(channel.get("id", "")))
        self.ids, self.read_at = ids, self.clock()


def _teams_text(label: str, value: str) -> dict[str, Any]:
    # TextRuns are plain text: an alert's title can neither format nor hide a link.
    inlines: list[dict[str, Any]] = []
    if label:
        inlines.append({"type": "TextRun", "text": f"{label}: ", "weight": "Bolder"})
    inlines.append({"type": "TextRun", "text": value})
    return {"type": "RichTextBlock", "inlines": inlines}


def adaptive_card(page: Outgoing) -> dict[str, Any]:
    """The page as an Adaptive Card: title, fields, and a button per link."""
    content = page.content
    first_line = page.message.splitlines()[0] if page.message else "IMAS"
    title = {
        "type": "RichTextBlock",
        "inlines": [
            {
                "type": "TextRun",
                "text": str(content.get("title") or first_line),
                "weight": "Bolder",
                "size": "Medium",
                "color": "Attention" if content.get("severity") == "SEV1_CRITICAL" else "Default",
            }
        ],
    }
    body: list[dict[str, Any]] = [title]
    if "title" not in content:
        body += [_teams_text("", line) for line in page.message.splitlines()[1:] if line]
    body += [_teams_text(str(k), str(v)) for k, v in (content.get("fields") or {}).items()]
    if content.get("follow_up"):
        body.append(_teams_text("", str(content["follow_up"])))
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": name, "url": url}
            for name, url in _links(content).items()
        ],
    }


class TeamsProvider(HttpProvider):
    """A Microsoft Teams Workflows webhook (``webhook_url``, the "When a Teams webhook request
    is received" trigger): a message with one Adaptive Card attachment. (The Office 365
    connectors' MessageCard is retired.)"""

    kind = "teams"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.webhook_url = secrets.get("webhook_url", "")

    async def send(self, page: Outgoing) -> str:
        message = {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": adaptive_card(page),
                }
            ],
        }
        response = await post(self.client, self.webhook_url, json=message)
        # Workflows answer 202 with no body: the run's id, when given, is the reference.
        return response.headers.get("x-ms-workflow-run-id", "") or response.text[:100]


def ntfy_actions(actions: list[dict[str, str]]) -> str:
    """ntfy's ``Actions`` header: one ``http`` button per action, POSTing to its (signed,
    single-use) URL from the phone and clearing the notification once it answered."""
    return "; ".join(f"http, {a['label']}, {a['url']}, method=POST, clear=true" for a in actions)


class NtfyProvider(HttpProvider):
    """ntfy: the message to ``<base_url>/<topic>`` (the address, else the configured topic)."""

    kind = "ntfy"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.base_url = str(config.get("base_url") or "https://ntfy.sh").rstrip("/")
        self.topic = str(config.get("topic") or "")
        self.token = secrets.get("token", "")

    async def send(self, page: Outgoing) -> str:
        content = page.content
        headers = {
            "Title": str(content.get("title", "IMAS")).encode("ascii", "replace").decode(),
            "Priority": "urgent" if content.get("severity") == "SEV1_CRITICAL" else "high",
            "Tags": "rotating_light",
        }
        if "Incident" in _links(content):
            headers["Click"] = _links(content)["Incident"]
        if content.get("actions"):
            headers["Actions"] = ntfy_actions(content["actions"])
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        topic = page.address or self.topic
        response = await post(
            self.client, f"{self.base_url}/{topic}", content=page.message.encode(), headers=headers
        )
        return str(response.json().get("id", "")) if response.content else ""
