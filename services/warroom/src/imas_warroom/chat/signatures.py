"""Is this request really from Slack / Discord? (pure: the secret, the clock and the bytes)."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from imas_runtime.secrets_box import same_secret


def slack_signature(secret: str, timestamp: str, body: str) -> str:
    """``v0=`` + HMAC-SHA256 of ``v0:<timestamp>:<body>`` with the app's signing secret."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_refusal(
    secret: str, timestamp: str, signature: str, body: str, now: float, window: float
) -> str | None:
    """Why the request must be refused (None when it is genuine and fresh)."""
    if not secret:
        return "no Slack signing secret is configured"
    if not timestamp or not signature:
        return "missing X-Slack-Request-Timestamp or X-Slack-Signature"
    try:
        sent = float(timestamp)
    except ValueError:
        return "bad X-Slack-Request-Timestamp"
    if abs(now - sent) > window:
        return "request too old (replay window passed)"
    if not same_secret(slack_signature(secret, timestamp, body), signature):
        return "bad signature"
    return None


def discord_refusal(
    public_key_hex: str, timestamp: str, signature: str, body: str, now: float, window: float
) -> str | None:
    """Why the interaction must be refused: Ed25519 over ``timestamp + body`` with the
    application's public key (and, like Slack, a bounded age)."""
    if not public_key_hex:
        return "no Discord public key is configured"
    if not timestamp or not signature:
        return "missing X-Signature-Ed25519 or X-Signature-Timestamp"
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature), (timestamp + body).encode())
    except (ValueError, InvalidSignature):
        return "bad signature"
    try:
        if abs(now - float(timestamp)) > window:
            return "request too old (replay window passed)"
    except ValueError:
        return "bad X-Signature-Timestamp"
    return None
