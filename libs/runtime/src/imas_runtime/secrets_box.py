"""Secrets at rest, the same way in every service: Fernet under ``IMAS_SECRET_KEY``.

The key is either a Fernet key itself (32 random bytes, URL-safe base64: what
``imas secret-key`` prints), used as it is, or any other string, a passphrase, stretched with
scrypt and a random salt. The salt travels with each value sealed under a passphrase
(``imas-s1$<salt>$<Fernet token>``), so any process holding the passphrase opens it; the key
derived for a salt is kept, so opening costs one scrypt per salt and process, not per value.

Values sealed before salts existed (the passphrase's bare SHA-256 as the key) still open;
:meth:`SecretBox.stale` says they must be sealed again, and :func:`reseal_column` does it.

Rotation: set the new ``IMAS_SECRET_KEY``, list the old one in ``IMAS_PREVIOUS_SECRET_KEYS``
(or ``<SERVICE>_PREVIOUS_SECRET_KEYS``) and restart. Values open with any key and are always
sealed with the current one; at start each service seals again every stored value that the
current key does not open, then the old key can go.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import Gauge
from sqlalchemy import Column, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_runtime.logs import get_logger

if TYPE_CHECKING:
    # cryptography is imported where a secret is sealed or opened, not here: about 9 MB
    # resident that the services which never hold secrets (and the start-up check of the key)
    # would carry for nothing (DESIGN §7, 120 MB per idle service).
    from cryptography.fernet import Fernet

log = get_logger(__name__)

DEFAULT_SECRET_KEY = "imas-development-secret-key-change-me"
"""The key of ``make run`` and tests: public, so refused in production."""
MIN_SECRET_KEY_LENGTH = 32
SALTED = b"imas-s1$"
# scrypt's cost: 32 MiB and about 0.1 s per derivation, paid once per salt and process.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALTS_KEPT = 64

UNREADABLE = Gauge(
    "imas_secrets_unreadable",
    "Stored secrets that none of the keys given can decrypt (found at start)",
    ["table"],
)


def same_secret(expected: str, given: str) -> bool:
    """Compare a secret (a signature, a CSRF token, a state) in constant time, whatever
    characters ``given`` holds: ``hmac.compare_digest`` raises on non-ASCII strings, which
    turned a forged header into a 500."""
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")
    )


def key_list(keys: str) -> list[str]:
    """``PREVIOUS_SECRET_KEYS`` as given in the environment: comma-separated."""
    return [k.strip() for k in keys.split(",") if k.strip()]


def is_fernet_key(key: str) -> bool:
    """Whether ``key`` is a Fernet key (32 bytes in URL-safe base64), as Fernet itself decides,
    rather than a passphrase."""
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except (ValueError, TypeError, binascii.Error):
        return False


def as_fernet_key(key: str) -> Fernet | None:
    """The key itself when it is a Fernet key, else None (a passphrase)."""
    if not is_fernet_key(key):
        return None
    from cryptography.fernet import Fernet

    return Fernet(key.encode())


def key_weakness(key: str) -> str | None:
    """Why ``key`` must not protect production secrets (None when it may)."""
    if key == DEFAULT_SECRET_KEY:
        return "is the built-in development key, which is public"
    if not is_fernet_key(key) and len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"is {len(key)} characters long: give a Fernet key or at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters"
        )
    return None


class _Key:
    """One key of a ring: a Fernet key, or a passphrase with its keys derived per salt."""

    def __init__(self, material: str) -> None:
        self.material = material.encode()
        self.direct = as_fernet_key(material)
        self._derived: OrderedDict[bytes, Fernet] = OrderedDict()

    def salted(self, salt: bytes) -> Fernet:
        fernet = self._derived.get(salt)
        if fernet is None:
            from cryptography.fernet import Fernet
            from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

            kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
            fernet = Fernet(base64.urlsafe_b64encode(kdf.derive(self.material)))
            self._derived[salt] = fernet
            if len(self._derived) > SALTS_KEPT:
                self._derived.popitem(last=False)
        else:
            self._derived.move_to_end(salt)
        return fernet

    def legacy(self) -> Fernet:
        """How a passphrase was stretched before salts: its bare SHA-256 (opening only)."""
        from cryptography.fernet import Fernet

        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(self.material).digest()))


def _split(token: bytes) -> tuple[bytes | None, bytes]:
    """(salt, Fernet token) of a stored value; no salt for a bare Fernet token."""
    if not token.startswith(SALTED):
        return None, token
    salt, _, inner = token[len(SALTED) :].partition(b"$")
    try:
        return base64.urlsafe_b64decode(salt), inner
    except (ValueError, binascii.Error):
        return b"", inner


class SecretBox:
    """Seals with the current key; opens with it or any of ``previous``."""

    def __init__(
        self, current: str, previous: Sequence[str] | None = None, *, owner: str = ""
    ) -> None:
        self.keys = [_Key(k) for k in [current, *(previous or [])] if k]
        if not self.keys:
            raise ValueError("a secret key is needed")
        self.owner = owner or "the"
        first = self.keys[0]
        self._salt = b"" if first.direct is not None else os.urandom(16)
        self._sealer = first.direct or first.salted(self._salt)

    def encrypt(self, data: bytes) -> bytes:
        token = self._sealer.encrypt(data)
        if not self._salt:
            return token
        return SALTED + base64.urlsafe_b64encode(self._salt) + b"$" + token

    def decrypt(self, token: bytes) -> bytes:
        """The plaintext; ``ValueError`` when no key given opens it."""
        found = self._open(bytes(token))
        if found is None:
            raise ValueError(f"{self.owner} secrets cannot be decrypted with the keys given")
        return found[0]

    def stale(self, token: bytes) -> bool:
        """Whether ``token`` must be sealed again: the current key does not open it, or only
        through the unsalted derivation of old."""
        found = self._open(bytes(token))
        return found is None or found[1] != 0

    def reseal(self, token: bytes) -> bytes:
        """The same plaintext sealed under the current key."""
        return self.encrypt(self.decrypt(token))

    def _open(self, token: bytes) -> tuple[bytes, int] | None:
        """(plaintext, rank): rank 0 for the current key as it seals now, more otherwise."""
        from cryptography.fernet import InvalidToken

        salt, inner = _split(token)
        for index, key in enumerate(self.keys):
            if salt is not None:
                candidates = [key.salted(salt)] if key.direct is None and salt else []
            elif key.direct is not None:
                candidates = [key.direct]
            else:
                candidates = [key.legacy()]
            for fernet in candidates:
                try:
                    plain = fernet.decrypt(inner)
                except InvalidToken:
                    continue
                legacy = salt is None and key.direct is None
                return plain, index * 2 + int(legacy)
        return None

    def seal(self, secrets: dict[str, str]) -> bytes:
        """A JSON object of secrets, sealed."""
        return self.encrypt(json.dumps(secrets, sort_keys=True).encode())

    def open(self, token: bytes | None) -> dict[str, str]:
        if not token:
            return {}
        data: dict[str, str] = json.loads(self.decrypt(token))
        return data


async def reseal_column(engine: AsyncEngine, column: Column[Any], box: SecretBox) -> int:
    """Seal again, under the current key, every value of ``column`` that is stale; answer
    how many were. A value changed meanwhile is left to its writer (compare and set); a value
    no key opens is counted in ``imas_secrets_unreadable`` and logged, and stays as it is.
    Safe to run twice and on several replicas at once."""
    table = column.table
    (primary,) = table.primary_key.columns
    async with engine.connect() as conn:
        rows = (await conn.execute(select(primary, column).where(column.is_not(None)))).all()
    resealed = unreadable = 0
    for ref, token in rows:
        if not token or not box.stale(token):
            continue
        try:
            fresh = box.reseal(token)
        except ValueError:
            unreadable += 1
            continue
        async with engine.begin() as conn:
            changed = await conn.execute(
                update(table).where(primary == ref, column == token).values({column.name: fresh})
            )
        resealed += changed.rowcount
    UNREADABLE.labels(str(table.name)).set(unreadable)
    if unreadable:
        log.error(
            "stored secrets cannot be decrypted with the keys given: list the key they were "
            "sealed with in PREVIOUS_SECRET_KEYS",
            table=str(table.name),
            count=unreadable,
        )
    if resealed:
        log.info(
            "secrets sealed again under the current key", table=str(table.name), count=resealed
        )
    return resealed
