"""Chat providers: Slack (Web API, Block Kit), Discord (bot or webhook, embeds), Microsoft
Teams (incoming webhook) and ntfy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imas_notifier import domain
from imas_notifier.providers import HttpProvider, Outgoing, ProviderError, post

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
        return [{"type": "section", "text": {"type": "mrkdwn", "text": content.get("text", "")}}]
    fields = [{"type": "mrkdwn", "text": f"*{k}:* {v}"} for k, v in content["fields"].items()]
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
    """``chat.postMessage`` with a bot token; follow-ups reply in the page's thread."""

    kind = "slack"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.base_url = str(config.get("base_url") or "https://slack.com/api").rstrip("/")
        self.default_channel = str(config.get("channel") or "")
        self.token = secrets.get("bot_token", "")

    async def send(self, page: Outgoing) -> str:
        body: dict[str, Any] = {
            "channel": page.address or self.default_channel,
            "text": page.message,
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
        return {"description": content.get("text", "")}
    links = "\n".join(f"[{name}]({url})" for name, url in _links(content).items())
    return {
        "title": content["title"][:256],
        "url": _links(content).get("Incident"),
        "color": COLOURS.get(content.get("severity", ""), 0x607D8B),
        "fields": [
            {"name": k, "value": str(v), "inline": True} for k, v in content["fields"].items()
        ]
        + ([{"name": "Links", "value": links}] if links else []),
    }


class DiscordProvider(HttpProvider):
    """A bot (``bot_token``: posts to the channel id in the address) or a webhook
    (``webhook_url``); the message carries an embed."""

    kind = "discord"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.base_url = str(config.get("base_url") or "https://discord.com/api/v10").rstrip("/")
        self.default_channel = str(config.get("channel_id") or "")
        self.token = secrets.get("bot_token", "")
        self.webhook_url = secrets.get("webhook_url", "")

    async def send(self, page: Outgoing) -> str:
        body: dict[str, object] = {
            "content": page.message.splitlines()[0] if page.message else "",
            "embeds": [discord_embed(page.content)],
        }
        if self.token:
            channel = page.address.lstrip("#") or self.default_channel
            if page.thread_ref and page.kind == "follow_up":
                body["message_reference"] = {"message_id": page.thread_ref}
            response = await post(
                self.client,
                f"{self.base_url}/channels/{channel}/messages",
                json=body,
                headers={"Authorization": f"Bot {self.token}"},
            )
        else:
            response = await post(self.client, self.webhook_url, params={"wait": "true"}, json=body)
        return str(response.json().get("id", "")) if response.content else ""


class TeamsProvider(HttpProvider):
    """A Microsoft Teams incoming webhook (``webhook_url``): a MessageCard with links."""

    kind = "teams"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.webhook_url = secrets.get("webhook_url", "")

    async def send(self, page: Outgoing) -> str:
        content = page.content
        card = {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "themeColor": f"{COLOURS.get(content.get('severity', ''), 0x607D8B):06X}",
            "summary": page.message.splitlines()[0] if page.message else "IMAS",
            "title": content.get("title", page.message.splitlines()[0] if page.message else ""),
            "sections": [
                {
                    "facts": [
                        {"name": k, "value": str(v)}
                        for k, v in (content.get("fields") or {}).items()
                    ]
                }
            ],
            "potentialAction": [
                {"@type": "OpenUri", "name": name, "targets": [{"os": "default", "uri": url}]}
                for name, url in _links(content).items()
            ],
        }
        if "title" not in content:
            card["text"] = page.message
        response = await post(self.client, self.webhook_url, json=card)
        return response.text[:100]


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
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        topic = page.address or self.topic
        response = await post(
            self.client, f"{self.base_url}/{topic}", content=page.message.encode(), headers=headers
        )
        return str(response.json().get("id", "")) if response.content else ""
