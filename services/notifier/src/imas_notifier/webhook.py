"""Outbound webhooks: signed JSON with a stable id, behind an SSRF guard.

Each request carries ``X-Webhook-Id`` (the delivery id: the same on every retry, so the
receiver can drop a duplicate), ``X-Webhook-Timestamp`` and ``X-Webhook-Signature``:
``v1=<hex>`` per signing secret, space-separated (several during a key rotation), each an
HMAC-SHA256 of ``<id>.<timestamp>.<body>``.

The guard resolves the host once, refuses loopback, private, link-local, cloud-metadata and
other non-public addresses unless the provider's configuration allows them, connects to that
resolved address (the name is not resolved a second time), and never follows redirects.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from imas_notifier.providers import HttpProvider, Outgoing, ProviderError, post

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class Refused(ProviderError):
    def __init__(self, message: str) -> None:
        super().__init__(f"refused by the SSRF guard: {message}", retryable=False)


def address_refusal(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
    *,
    allow_loopback: bool = False,
    allow_private: bool = False,
) -> str | None:
    """Why ``ip`` may not be called ('' or None when it may)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return None if allow_private else f"{ip} is not a public address"
    return None


async def resolve(host: str, port: int) -> list[str]:
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ProviderError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def pinned_url(url: str, *, allow_loopback: bool, allow_private: bool) -> tuple[str, str]:
    """The URL with its host replaced by the one address it may reach, and the Host header."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"{url!r} is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(parts.hostname, port)
    for address in addresses:
        why = address_refusal(
            ipaddress.ip_address(address),
            allow_loopback=allow_loopback,
            allow_private=allow_private,
        )
        if why:
            raise Refused(f"{parts.hostname} resolves to {why}")
    pinned = addresses[0]
    host = f"[{pinned}]" if ":" in pinned else pinned
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)), parts.netloc.rsplit("@", 1)[-1]


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
    (comma-separated, newest first). ``allow_loopback`` / ``allow_private`` lift the guard."""

    kind = "webhook"

    def configure(self, config: Mapping[str, Any], secrets: Mapping[str, str]) -> None:
        self.url = str(config.get("url") or "")
        self.allow_loopback = bool(config.get("allow_loopback", False))
        self.allow_private = bool(config.get("allow_private", False))
        raw = secrets.get("signing_secrets") or secrets.get("signing_secret") or ""
        self.secrets = [s.strip() for s in raw.split(",") if s.strip()]

    async def send(self, page: Outgoing) -> str:
        url, host = await pinned_url(
            page.address if page.address.startswith("http") else self.url,
            allow_loopback=self.allow_loopback,
            allow_private=self.allow_private,
        )
        body = json.dumps(payload(page), separators=(",", ":")).encode()
        now = int(time.time())
        headers = {
            "Host": host,
            "Content-Type": "application/json",
            "X-Webhook-Id": page.delivery_id,
            "X-Webhook-Timestamp": str(now),
        }
        if self.secrets:
            headers["X-Webhook-Signature"] = signatures(self.secrets, page.delivery_id, now, body)
        extensions = {"sni_hostname": host.split(":")[0]} if url.startswith("https") else {}
        response = await post(
            self.client,
            url,
            content=body,
            headers=headers,
            extensions=extensions,
            follow_redirects=False,
        )
        return f"HTTP {response.status_code}"
