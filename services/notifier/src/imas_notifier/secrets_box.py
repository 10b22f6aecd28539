"""Provider secrets at rest: a JSON object encrypted with Fernet under ``IMAS_SECRET_KEY``.

``NOTIFIER_PREVIOUS_SECRET_KEYS`` (comma-separated) keeps older keys readable during a
rotation: values are decrypted with any key and always (re-)encrypted with the current one.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _fernet(key: str) -> Fernet:
    """A Fernet key itself, or any string stretched into one."""
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class SecretBox:
    def __init__(self, current: str, previous: list[str] | None = None) -> None:
        self.box = MultiFernet([_fernet(k) for k in [current, *(previous or [])] if k])

    def seal(self, secrets: dict[str, str]) -> bytes:
        return self.box.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def open(self, token: bytes) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.box.decrypt(bytes(token)))
        except InvalidToken:
            raise ValueError(
                "the provider's secrets cannot be decrypted with the keys given"
            ) from None
        return data

    def rotate(self, token: bytes) -> bytes:
        """The same secrets under the current key."""
        return self.box.rotate(bytes(token))
