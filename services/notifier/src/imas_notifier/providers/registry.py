"""Building providers from their stored configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from imas_notifier.providers.base import LogProvider, Provider
from imas_notifier.providers.chat import DiscordProvider, NtfyProvider, SlackProvider, TeamsProvider
from imas_notifier.providers.sms_mail import OvhSmsProvider, SmtpProvider, TwilioSmsProvider
from imas_notifier.providers.webhook import WebhookProvider
from imas_runtime.outbound import Guard

KINDS: dict[str, Any] = {
    "slack": SlackProvider,
    "discord": DiscordProvider,
    "teams": TeamsProvider,
    "ovh": OvhSmsProvider,
    "twilio": TwilioSmsProvider,
    "smtp": SmtpProvider,
    "ntfy": NtfyProvider,
    "webhook": WebhookProvider,
}
# Secrets each kind needs (write-only in the API).
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "slack": ("bot_token",),
    "discord": ("bot_token", "webhook_url"),
    "teams": ("webhook_url",),
    "ovh": ("application_secret", "consumer_key"),
    "twilio": ("auth_token",),
    "smtp": ("password",),
    "ntfy": ("token",),
    "webhook": ("signing_secrets",),
    "log": (),
}


def build(
    kind: str,
    name: str,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
    client: httpx.AsyncClient,
    guard: Guard,
) -> Provider:
    if kind == "log":
        return LogProvider(name)
    provider: Provider = KINDS[kind](name, client, config, secrets, guard)
    return provider
