"""An alert's title reaches Slack and Discord as text: no mention, no ping, no masked link."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from imas_contracts.catalog import Ref
from imas_contracts.incidents import IncidentSnapshot
from imas_notifier import domain
from imas_notifier.providers import registry
from imas_notifier.providers.base import Outgoing
from imas_runtime import outbound
from imas_runtime.outbound import Guard
from imas_testing.fake_providers import WebhookReceiver

HOSTILE = (
    "<!channel> <!here> @everyone @here <@U024BE7LH> <@&123456789012345678> "
    "<http://evil.example/login|Runbook> [Runbook](http://evil.example/login)"
)
# What the markup would make of the hostile title if it went through unescaped.
SLACK_MARKUP = re.compile(r"<(!channel|!here|@U|http://evil)")
DISCORD_MARKUP = re.compile(r"(?<![\\])\[Runbook\]|(?<!\u200b)@everyone|(?<![\\])<@|@here\b")


def _page(service: str = "@everyone-api") -> Outgoing:
    incident = IncidentSnapshot(
        id="5b1c2d3e-0000-4000-8000-000000000001",
        short_id="5B1C2D3E",
        title=HOSTILE,
        service=Ref(id="s-1", name=service),
        severity="SEV1_CRITICAL",
        status="TRIGGERED",
        detected_at=datetime.now(UTC),
        created_at=datetime.now(UTC),
    )
    content = domain.incident_content(incident, "https://imas.example.com")
    return Outgoing(
        delivery_id="d-1",
        idempotency_key="k-1",
        channel="chat",
        recipient="team",
        address="",
        message=domain.content_text(content),
        content=content,
    )


async def _sent(
    kind: str, config: dict[str, Any], secrets: dict[str, str], page: Outgoing | None = None
) -> Any:
    """The JSON body the provider sends for ``page`` (titled with ``HOSTILE``)."""
    guard = Guard.from_setting("127.0.0.1/32")
    async with WebhookReceiver() as receiver, outbound.client(guard, total=5) as client:
        config = {k: v.format(url=receiver.url) for k, v in config.items()}
        secrets = {k: v.format(url=receiver.url) for k, v in secrets.items()}
        provider = registry.build(kind, kind, config, secrets, client, guard)
        await provider.send(page or _page())
    return receiver.requests[0].body


def _mrkdwn(body: Any) -> list[str]:
    """Every piece of the message Slack reads as mrkdwn (headers are plain text)."""
    texts = [body["text"]]
    for block in body["blocks"]:
        if block["type"] == "section":
            texts += [f["text"] for f in block.get("fields", [])]
            texts += [block["text"]["text"]] if "text" in block else []
    return texts


@pytest.mark.integration
async def test_slack_pages_escape_mentions_and_links_from_alert_text() -> None:
    body = await _sent("slack", {"base_url": "{url}", "channel": "#ops"}, {"bot_token": "x"})
    for text in _mrkdwn(body):
        assert not SLACK_MARKUP.search(text), text
    assert "&lt;!channel&gt;" in body["text"]
    # IMAS's own link is still a link.
    context = next(b for b in body["blocks"] if b["type"] == "context")
    assert "<https://imas.example.com/incidents/" in context["elements"][0]["text"]


@pytest.mark.integration
async def test_discord_pages_escape_mentions_and_masked_links_and_ping_nobody() -> None:
    body = await _sent("discord", {"base_url": "{url}", "channel_id": "42"}, {"bot_token": "x"})
    assert body["allowed_mentions"] == {"parse": []}
    embed = body["embeds"][0]
    texts = [body["content"], *(f["value"] for f in embed["fields"] if f["name"] != "Links")]
    for text in texts:
        assert not DISCORD_MARKUP.search(text), text
    assert "\\[Runbook\\]\\(http://evil.example/login\\)" in body["content"]
    assert "@\u200beveryone" in json.dumps(embed, ensure_ascii=False)
