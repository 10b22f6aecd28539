"""Outbound webhooks: signed JSON with a stable id.

Each request carries ``X-Webhook-Id`` (the delivery id: the same on every retry, so the
receiver can drop a duplicate), ``X-Webhook-Timestamp`` and ``X-Webhook-Signature``:
``v1=<hex>`` per signing secret, space-separated (several during a key rotation), each an
HMAC-SHA256 of ``<id>.<timestamp>.<body>``.

Like every provider's, the call goes through the outbound guard (``imas_runtime.outbound``):
global addresses only unless allowed by the operator, pinned, no redirects, bounded in time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from imas_notifier.providers.base import HttpProvider, Outgoing, post


def signatures(secrets: list[str], webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1=" + hmac.new(s.encode(), signed, hashlib.sha256).hexdigest() for s in secrets if s
    )


def payload(page: Outgoing) -> dict[str, Any]:
    return {
        "id": page.delivery_id,
        "type": "incident.follow_up" if page.kind == "follow_up" else "incident.page",
        "idempotency_key": page.idempotency_key,
        "recipient": page.recipient,
        "message": page.message,
        "incident": dict(page.content),
    }


class WebhookProvider(HttpProvider):
    """POST the page as JSON to ``url`` (config), signed with the ``signing_secrets`` secret
    (comma-separated, newest first)."""

    kind = "webhook"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.url = str(config.get("url") or "")
        raw = secrets.get("signing_secrets") or secrets.get("signing_secret") or ""
        self.secrets = [s.strip() for s in raw.split(",") if s.strip()]

    async def send(self, page: Outgoing) -> str:
        url = page.address if page.address.startswith("http") else self.url
        body = json.dumps(payload(page), separators=(",", ":")).encode()
        now = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Webhook-Id": page.delivery_id,
            "X-Webhook-Timestamp": str(now),
        }
        if self.secrets:
            headers["X-Webhook-Signature"] = signatures(self.secrets, page.delivery_id, now, body)
        response = await post(self.client, url, content=body, headers=headers)
        return f"HTTP {response.status_code}"
