"""Secrets at rest, the same way in every service: Fernet under ``IMAS_SECRET_KEY``.

A service's ``<SERVICE>_PREVIOUS_SECRET_KEYS`` (comma-separated) keeps older keys readable
during a rotation: values are decrypted with any of the keys and always encrypted with the
current one.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def fernet(key: str) -> Fernet:
    """A Fernet key itself, or any string stretched into one."""
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def key_list(keys: str) -> list[str]:
    """``PREVIOUS_SECRET_KEYS`` as given in the environment: comma-separated."""
    return [k.strip() for k in keys.split(",") if k.strip()]


def keyring(current: str, previous: list[str] | None = None) -> MultiFernet:
    """Encrypts with ``current``; decrypts with it or any of ``previous``."""
    return MultiFernet([fernet(k) for k in [current, *(previous or [])] if k])


class SecretBox:
    """A JSON object of secrets, sealed and opened with the service's keys."""

    def __init__(self, current: str, previous: list[str] | None = None, *, owner: str = "") -> None:
        self.box = keyring(current, previous)
        self.owner = owner or "the"

    def seal(self, secrets: dict[str, str]) -> bytes:
        return self.box.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def open(self, token: bytes | None) -> dict[str, str]:
        if not token:
            return {}
        try:
            data: dict[str, str] = json.loads(self.box.decrypt(bytes(token)))
        except InvalidToken:
            raise ValueError(
                f"{self.owner} secrets cannot be decrypted with the keys given"
            ) from None
        return data

    def rotate(self, token: bytes) -> bytes:
        """The same secrets under the current key."""
        return self.box.rotate(bytes(token))
