"""Access tokens for the Google APIs, from a service account's JSON key, refreshed as needed.

Google's OAuth 2.0 for server-to-server applications: a JWT claiming the account's e-mail,
the scopes and the token URI, valid one hour, signed RS256 with the account's private key, is
exchanged at the key's ``token_uri`` (the JWT bearer grant) for an access token that lasts
about an hour. :class:`TokenSource` keeps that token and fetches a new one a minute before it
expires, or at once when an API answers 401.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Create documents, and move the ones IMAS made into a folder (drive.file: only those).
SCOPES = (
    "https://www.googleapis.com/auth/documents",
    "https://www.googleapis.com/auth/drive.file",
)
LIFETIME = 3600  # the longest a Google assertion may last
MARGIN = 60.0  # a token this close to its end is replaced before use


class GoogleAuthError(Exception):
    """The token endpoint refused the account or could not be reached."""


@dataclass(frozen=True)
class ServiceAccount:
    """What IMAS uses of a service account's JSON key."""

    client_email: str
    private_key: rsa.RSAPrivateKey
    key_id: str
    token_uri: str

    @classmethod
    def parse(cls, text: str) -> ServiceAccount:
        """The account of a JSON key as Google Cloud downloads it; ValueError saying what is
        wrong (never quoting the key)."""
        try:
            key = json.loads(text)
        except ValueError:
            raise ValueError("is not JSON: paste the service account's key file") from None
        if not isinstance(key, dict) or key.get("type") != "service_account":
            raise ValueError('is not a service account key ("type": "service_account")')
        for name in ("client_email", "private_key"):
            if not isinstance(key.get(name), str) or not key[name].strip():
                raise ValueError(f"has no {name}")
        try:
            private = serialization.load_pem_private_key(key["private_key"].encode(), None)
        except (ValueError, TypeError):
            raise ValueError("has a private_key that is not a PEM RSA key") from None
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("has a private_key that is not an RSA key")
        token_uri = str(key.get("token_uri") or GOOGLE_TOKEN_URI)
        if not token_uri.startswith(("https://", "http://")):
            raise ValueError("has a token_uri that is not an http(s) URL")
        return cls(
            client_email=key["client_email"],
            private_key=private,
            key_id=str(key.get("private_key_id") or ""),
            token_uri=token_uri,
        )

    def assertion(self, now: float, subject: str = "") -> str:
        """The signed JWT asking for :data:`SCOPES` for an hour from ``now`` (as ``subject``
        when the account may act for a user of the domain)."""
        header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
        if self.key_id:
            header["kid"] = self.key_id
        claims: dict[str, Any] = {
            "iss": self.client_email,
            "scope": " ".join(SCOPES),
            "aud": self.token_uri,
            "iat": int(now),
            "exp": int(now) + LIFETIME,
        }
        if subject:
            claims["sub"] = subject
        signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
        signature = self.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode()}.{_b64url(signature)}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


class TokenSource:
    """The account's current access token: fetched when there is none, when it is about to
    expire, and after :meth:`forget` (an API answered 401). One fetch at a time."""

    def __init__(
        self, account: ServiceAccount, subject: str = "", clock: Callable[[], float] = time.time
    ) -> None:
        self.account = account
        self.subject = subject
        self.clock = clock
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def forget(self, token: str) -> None:
        """``token`` was refused: the next :meth:`token` fetches another."""
        if token == self._token:
            self._token = ""

    async def token(self, client: httpx.AsyncClient) -> str:
        async with self._lock:
            if not self._token or self.clock() >= self._expires_at - MARGIN:
                await self._fetch(client)
            return self._token

    async def _fetch(self, client: httpx.AsyncClient) -> None:
        now = self.clock()
        form = {"grant_type": JWT_BEARER, "assertion": self.account.assertion(now, self.subject)}
        try:
            response = await client.post(self.account.token_uri, data=form)
        except httpx.HTTPError as exc:
            raise GoogleAuthError(f"Google's token endpoint unreachable: {exc!r}") from exc
        if response.status_code != 200:
            raise GoogleAuthError(
                f"Google's token endpoint answered {response.status_code}: {response.text[:300]}"
            )
        answer = response.json()
        self._token = str(answer.get("access_token") or "")
        if not self._token:
            raise GoogleAuthError("Google's token endpoint answered no access_token")
        self._expires_at = now + float(answer.get("expires_in") or LIFETIME)
