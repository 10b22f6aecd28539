"""Integration secrets: generated, hashed for look-up, encrypted at rest, HMAC checked (pure)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from imas_runtime.errors import Invalid
from imas_runtime.secrets_box import SecretBox, same_secret

# A signed request older (or newer) than this is refused: a replay is stale.
MAX_SKEW_SECONDS = 300


class BadCredentials(Exception):
    """The webhook's credentials do not prove it comes from the integration."""


def new_secret() -> str:
    """32 hex characters, 128 random bits: the shape of a PagerDuty routing key."""
    return secrets.token_hex(16)


# Sentry's Client Secrets are 64 hex characters; a shorter key would be guessable.
MIN_GIVEN_SECRET = 32
MAX_GIVEN_SECRET = 256


def given_secret(kind: str, secret: str) -> str:
    """A secret made by the sender rather than by IMAS: the Client Secret Sentry makes for
    its integration, which signs its webhooks. Other integrations keep IMAS's secrets."""
    if kind != "sentry":
        raise Invalid.field("secret", "can only be given to sentry integrations")
    if not MIN_GIVEN_SECRET <= len(secret) <= MAX_GIVEN_SECRET:
        raise Invalid.field(
            "secret", f"must have {MIN_GIVEN_SECRET} to {MAX_GIVEN_SECRET} characters"
        )
    if not secret.isascii() or not secret.isprintable() or " " in secret:
        raise Invalid.field("secret", "must be printable ASCII without spaces")
    return secret


def lookup_hash(secret: str) -> str:
    """Secrets carry 128 random bits, so a plain SHA-256 is a safe, fast look-up key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def encrypt(box: SecretBox, secret: str) -> bytes:
    return box.encrypt(secret.encode())


def decrypt(box: SecretBox, token: bytes) -> str:
    try:
        return box.decrypt(token).decode()
    except ValueError:
        raise BadCredentials("the integration's key cannot be decrypted") from None


def _fresh(timestamp: str, now: float) -> None:
    try:
        sent = float(timestamp)
    except ValueError:
        raise BadCredentials("the signature timestamp is missing or not a number") from None
    if sent > 1e11:  # milliseconds
        sent /= 1000
    if abs(now - sent) > MAX_SKEW_SECONDS:
        raise BadCredentials("the signature timestamp is stale")


def verify_sentry(key: str, body: bytes, signature: str, timestamp: str, now: float) -> None:
    """``Sentry-Hook-Signature``: hex HMAC-SHA256 of the body with the client secret;
    ``Sentry-Hook-Timestamp`` must be within five minutes of ``now``."""
    expected = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not same_secret(expected, signature.strip().lower()):
        raise BadCredentials("the signature does not match the body")
    _fresh(timestamp, now)


def sign_custom(key: str, body: bytes, timestamp: int) -> str:
    """The ``X-IMAS-Signature`` header value: ``t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``."""
    mac = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_custom(key: str, body: bytes, header: str, now: float) -> None:
    """The timestamp is signed with the body, so a replayed request cannot be refreshed."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    timestamp, given = parts.get("t", "").strip(), parts.get("v1", "").strip()
    expected = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not given or not same_secret(expected, given.lower()):
        raise BadCredentials("the signature does not match the body")
    _fresh(timestamp, now)
