"""Single sign-on for the dashboard with an OpenID Connect provider.

The authorization code flow with PKCE: :meth:`SingleSignOn.start` remembers a login attempt
(state, nonce, code verifier, where to go next) in Redis for ten minutes and answers the
provider's authorization URL; :meth:`SingleSignOn.finish` takes the attempt back (once),
exchanges the code at the token endpoint and verifies the ID token: an RS256 signature by a
key of the provider's JWKS, the issuer, the audience (our client id), the expiry and the nonce.
The provider's endpoints come from its ``/.well-known/openid-configuration``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec
import redis.asyncio as aioredis

from imas_gateway.settings import GatewaySettings
from imas_runtime import outbound
from imas_runtime.errors import ServiceError
from imas_runtime.secrets_box import same_secret

ATTEMPT_SECONDS = 600
METADATA_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60
USER_ROLES = ("viewer", "operator", "responder", "manager", "admin")
_ATTEMPT_KEY = "imas:gateway:oidc-attempt:"


class SignInRefused(ServiceError):
    """The provider's answer cannot sign anyone in (the message says why, never a secret)."""

    code = "unauthorized"


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    redirect_url: str
    role_claim: str
    default_role: str
    scopes: str

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> OidcConfig | None:
        """None when single sign-on is not configured."""
        if not settings.oidc_issuer:
            return None
        redirect = settings.oidc_redirect_url or (
            settings.public_url.rstrip("/") + "/auth/oidc/callback"
        )
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            redirect_url=redirect,
            role_claim=settings.oidc_role_claim,
            default_role=settings.oidc_default_role,
            scopes=settings.oidc_scopes,
        )


class ProviderMetadata(msgspec.Struct, kw_only=True):
    """The part of the discovery document the flow uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


class LoginAttempt(msgspec.Struct, kw_only=True):
    state: str
    nonce: str
    verifier: str
    next: str


@dataclass(frozen=True)
class SignedIn:
    """Who the provider says signed in, and where the browser goes next."""

    subject: str
    username: str
    full_name: str
    email: str
    # Only a verified e-mail links the user's chat accounts to their role.
    email_verified: bool
    role: str | None
    next: str


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def role_from_claims(claims: dict[str, Any], claim: str) -> str | None:
    """The IMAS role the ``claim`` names: a role name, or a list whose highest role wins;
    None when the claim is not configured, absent or names no role."""
    if not claim:
        return None
    value = claims.get(claim)
    named = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = [r.strip().lower() for r in named if isinstance(r, str)]
    known = [r for r in USER_ROLES if r in roles]
    return known[-1] if known else None


def signed_in(claims: dict[str, Any], issuer: str, role_claim: str, next_: str) -> SignedIn:
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    username = claims.get("preferred_username") or email or claims["sub"]
    return SignedIn(
        subject=f"{issuer} {claims['sub']}",
        username=str(username).strip(),
        full_name=str(claims.get("name") or ""),
        email=str(email or ""),
        email_verified=claims.get("email_verified") in (True, "true"),
        role=role_from_claims(claims, role_claim),
        next=next_,
    )


def _jwt() -> ModuleType:
    """PyJWT, imported on first use: with its cryptography backend it weighs 8 MB, which a
    gateway without single sign-on should not carry."""
    import jwt

    return jwt


def verify_id_token(
    token: str, keys: dict[str, Any], *, issuer: str, audience: str, nonce: str
) -> dict[str, Any]:
    """The claims of an ID token signed (RS256) by one of ``keys`` (JWKS entries by key id),
    issued by ``issuer`` for ``audience``, not expired, carrying ``nonce``."""
    jwt = _jwt()
    try:
        header = jwt.get_unverified_header(token)
        key = keys.get(header.get("kid", ""))
        if key is None and len(keys) == 1 and not header.get("kid"):
            key = next(iter(keys.values()))
        if key is None:
            raise SignInRefused("the ID token is signed by an unknown key")
        claims: dict[str, Any] = jwt.decode(
            token,
            key=jwt.PyJWK(key).key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise SignInRefused(f"the ID token is not valid: {exc}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != audience:
        raise SignInRefused("the ID token was issued to another client")
    if not nonce or not same_secret(str(claims.get("nonce", "")), nonce):
        raise SignInRefused("the ID token does not answer this sign-in (nonce)")
    return claims


class SingleSignOn:
    """The flow against one provider; its discovery document and keys are cached."""

    def __init__(self, config: OidcConfig, redis: aioredis.Redis, *, timeout: float) -> None:
        self.config = config
        self.redis = redis
        # Sign-ins are rare: each call to the provider gets a client of its own.
        self.timeout = timeout
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: dict[str, Any] = {}

    async def metadata(self) -> ProviderMetadata:
        if self._metadata is None or self._metadata[0] < time.monotonic():
            url = self.config.issuer + "/.well-known/openid-configuration"
            try:
                found = msgspec.convert(await self._get_json(url), ProviderMetadata)
            except msgspec.ValidationError as exc:
                raise SignInRefused(f"the provider's discovery document: {exc}") from None
            if found.issuer.rstrip("/") != self.config.issuer:
                raise SignInRefused("the provider's discovery document names another issuer")
            self._metadata = (time.monotonic() + METADATA_SECONDS, found)
        return self._metadata[1]

    async def start(self, next_: str) -> LoginAttempt:
        """A new login attempt, remembered for ten minutes."""
        attempt = LoginAttempt(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            next=next_,
        )
        key = _ATTEMPT_KEY + attempt.state
        await self.redis.set(key, msgspec.json.encode(attempt), ex=ATTEMPT_SECONDS)
        return attempt

    async def authorization_url(self, attempt: LoginAttempt) -> str:
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_url,
            "scope": self.config.scopes,
            "state": attempt.state,
            "nonce": attempt.nonce,
            "code_challenge": pkce_challenge(attempt.verifier),
            "code_challenge_method": "S256",
        }
        endpoint = (await self.metadata()).authorization_endpoint
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"

    async def finish(self, state: str, code: str) -> SignedIn:
        """Who signed in, from the provider's answer to the attempt ``state`` (usable once)."""
        raw = await self.redis.getdel(_ATTEMPT_KEY + state) if state else None
        if not raw:
            raise SignInRefused("this sign-in expired or was already used: sign in again")
        attempt = msgspec.json.decode(raw, type=LoginAttempt)
        id_token = await self._exchange(code, attempt.verifier)
        claims = verify_id_token(
            id_token,
            await self._signing_keys(id_token),
            issuer=(await self.metadata()).issuer,
            audience=self.config.client_id,
            nonce=attempt.nonce,
        )
        return signed_in(claims, self.config.issuer, self.config.role_claim, attempt.next)

    async def _exchange(self, code: str, verifier: str) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.config.redirect_url,
            "code_verifier": verifier,
            "client_id": self.config.client_id,
        }
        # client_secret_basic; a public client (no secret) sends only its id.
        auth = (
            httpx.BasicAuth(self.config.client_id, self.config.client_secret)
            if self.config.client_secret
            else None
        )
        endpoint = (await self.metadata()).token_endpoint
        try:
            async with outbound.client(None, total=self.timeout, auth=auth) as http:
                response = await http.post(endpoint, data=form)
        except httpx.HTTPError as exc:
            raise SignInRefused(f"the provider cannot be reached ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise SignInRefused(f"the provider refused the code ({response.status_code})")
        try:
            token = response.json().get("id_token")
        except ValueError:
            token = None
        if not isinstance(token, str):
            raise SignInRefused("the provider's answer has no ID token")
        return token

    async def _signing_keys(self, id_token: str) -> dict[str, Any]:
        """The provider's keys by id, fetched again when the token names a key not seen yet
        (the provider rotated its keys)."""
        jwt = _jwt()
        try:
            kid = jwt.get_unverified_header(id_token).get("kid", "")
        except jwt.PyJWTError:
            raise SignInRefused("the ID token is not a JWT") from None
        if not self._keys or (kid and kid not in self._keys):
            jwks = await self._get_json((await self.metadata()).jwks_uri)
            keys = jwks.get("keys", []) if isinstance(jwks, dict) else []
            self._keys = {str(k.get("kid", "")): k for k in keys if isinstance(k, dict)}
        return self._keys

    async def _get_json(self, url: str) -> Any:
        try:
            async with outbound.client(None, total=self.timeout) as http:
                response = await http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SignInRefused(f"the provider cannot be reached ({type(exc).__name__})") from None
