"""Every URL an admin or a manager can configure goes through the outbound guard: each
notification provider (its base URL, webhook URL or SMTP host), each LID exporter, each chat
platform. Pointed at an internal address that the operator did not allow, nothing reaches it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from imas_notifier.providers import registry
from imas_notifier.providers.base import Outgoing, ProviderError
from imas_runtime import outbound
from imas_runtime.outbound import Guard
from imas_testing.fake_google_docs import FakeGoogleDocs
from imas_testing.fake_providers import WebhookReceiver
from imas_warroom.chat.platforms import ChatError, DiscordPlatform, SlackPlatform
from imas_warroom.export.exporters import (
    ConfluenceExporter,
    Content,
    ExportError,
    GoogleDocsExporter,
)
from imas_warroom.export.google_auth import ServiceAccount, TokenSource

pytestmark = pytest.mark.integration

PAGE = Outgoing(
    delivery_id="d-1",
    idempotency_key="k-1",
    channel="chat",
    recipient="alice",
    address="",
    message="INC-1 disk full",
    content={"title": "disk full", "fields": {}},
)


def _providers(url: str) -> dict[str, tuple[str, dict[str, Any], dict[str, str], str]]:
    """kind → (kind, config, secrets, address) pointing every URL the kind takes at ``url``."""
    host, port = url.removeprefix("http://").split(":")
    return {
        "webhook": ("webhook", {"url": f"{url}/hook"}, {}, ""),
        "slack": ("slack", {"base_url": url, "channel": "#ops"}, {"bot_token": "xoxb"}, ""),
        "discord-bot": ("discord", {"base_url": url}, {"bot_token": "b"}, "123"),
        "discord-webhook": ("discord", {}, {"webhook_url": f"{url}/api/webhooks/1/x"}, ""),
        "teams": ("teams", {}, {"webhook_url": f"{url}/webhook"}, ""),
        "ntfy": ("ntfy", {"base_url": url, "topic": "ops"}, {}, ""),
        "ovh": ("ovh", {"endpoint": url, "service_name": "sms-1"}, {}, "+33600000000"),
        "twilio": ("twilio", {"base_url": url, "account_sid": "AC1"}, {}, "+33600000000"),
        "smtp": ("smtp", {"host": host, "port": port, "start_tls": False}, {}, "a@b.c"),
        "webhook-address": ("webhook", {"url": "https://hooks.example.com"}, {}, f"{url}/p"),
    }


@pytest.mark.parametrize(
    "name",
    ["webhook", "slack", "discord-bot", "discord-webhook", "teams", "ntfy", "ovh", "twilio",
     "smtp", "webhook-address"],
)  # fmt: skip
async def test_no_provider_reaches_an_address_the_operator_did_not_allow(name: str) -> None:
    async with WebhookReceiver() as receiver:
        kind, config, secrets, address = _providers(receiver.url)[name]
        guard = Guard()
        async with outbound.client(guard, total=5) as client:
            provider = registry.build(kind, name, config, secrets, client, guard)
            page = Outgoing(**{**PAGE.__dict__, "address": address})
            with pytest.raises(ProviderError, match="outbound guard") as refused:
                await provider.send(page)
    assert not refused.value.retryable
    assert receiver.requests == []


@pytest.mark.parametrize("name", ["webhook", "slack", "teams", "ntfy", "twilio"])
async def test_an_allowed_private_endpoint_is_reached(name: str) -> None:
    async with WebhookReceiver() as receiver:
        kind, config, secrets, address = _providers(receiver.url)[name]
        guard = Guard.from_setting("127.0.0.1/32")
        async with outbound.client(guard, total=5) as client:
            provider = registry.build(kind, name, config, secrets, client, guard)
            # The receiver is not the vendor: its answer may puzzle the provider, but the
            # request went through.
            with contextlib.suppress(ProviderError):
                await provider.send(Outgoing(**{**PAGE.__dict__, "address": address}))
    assert len(receiver.requests) == 1


async def test_lid_exporters_never_reach_an_address_the_operator_did_not_allow() -> None:
    content = Content(title="INC-1", markdown="# INC-1", xhtml="<h1>INC-1</h1>")
    async with WebhookReceiver() as receiver, outbound.client(Guard(), total=5) as client:
        confluence = ConfluenceExporter(
            client, base_url=receiver.url, space_key="OPS", email="a@b.c", api_token="t"
        )
        # Its first call is for a token, to the key's token_uri: the receiver here.
        key = FakeGoogleDocs().service_account()
        account = ServiceAccount.parse(json.dumps({**key, "token_uri": f"{receiver.url}/token"}))
        google = GoogleDocsExporter(client, tokens=TokenSource(account), base_url=receiver.url)
        for exporter in (confluence, google):
            with pytest.raises(ExportError, match="outbound guard"):
                await exporter.write(content, None)
    assert receiver.requests == []


async def test_chat_platforms_never_reach_an_address_the_operator_did_not_allow() -> None:
    async with WebhookReceiver() as receiver:
        slack = SlackPlatform(Guard(), receiver.url, "xoxb", "")
        discord = DiscordPlatform(Guard(), receiver.url, "bot", "guild")
        for platform in (slack, discord):
            with pytest.raises(ChatError, match="outbound guard"):
                await platform.create_channel("inc-1", [])
            await platform.close()
    assert receiver.requests == []
