"""Dashboard sessions, kept in Redis under a random id sent as a cookie, and their CSRF token.

The cookie is HttpOnly, SameSite=Lax, and Secure when the request came over TLS. A session
expires after ``idle_seconds`` without a request. Each session carries a CSRF token: forms send
it as ``csrf_token`` and htmx as the ``X-CSRF-Token`` header; a state-changing request through a
session without it is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import msgspec
import redis.asyncio as aioredis
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from imas_gateway.domain import Principal

COOKIE = "imas_session"
CSRF_HEADER = "x-csrf-token"
_CSRF_HEADER_RAW = CSRF_HEADER.encode()
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_KEY = "imas:gateway:session:"
_USER_KEY = "imas:gateway:user-sessions:"


class Session(msgspec.Struct, kw_only=True):
    id: str = ""
    user_id: str
    username: str
    role: str
    csrf: str

    def principal(self) -> Principal:
        return Principal(
            token_id="",
            name=self.username,
            role=self.role,
            user_id=self.user_id,
            username=self.username,
        )

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf, sent or "")


_decoder = msgspec.json.Decoder(Session)


@dataclass
class SessionStore:
    redis: aioredis.Redis
    idle_seconds: int

    async def create(self, principal: Principal, user_id: str) -> Session:
        session = Session(
            id=secrets.token_urlsafe(32),
            user_id=user_id,
            username=principal.name,
            role=principal.role,
            csrf=secrets.token_urlsafe(32),
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_KEY + session.id, msgspec.json.encode(session), ex=self.idle_seconds)
            pipe.sadd(_USER_KEY + user_id, session.id)
            pipe.expire(_USER_KEY + user_id, self.idle_seconds * 4)
            await pipe.execute()
        return session

    async def get(self, session_id: str) -> Session | None:
        """The session, its idle timer restarted; None when unknown or expired."""
        key = _KEY + session_id
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.expire(key, self.idle_seconds)
            raw, _ = await pipe.execute()
        return _decoder.decode(raw) if raw else None

    async def delete(self, session_id: str) -> None:
        await self.redis.delete(_KEY + session_id)

    async def sign_out_user(self, user_id: str) -> None:
        """Ends every session of a user (after a change of role, password or a deletion)."""
        ids = await self.redis.smembers(_USER_KEY + user_id)
        keys = [_KEY + (i.decode() if isinstance(i, bytes) else i) for i in ids]
        await self.redis.delete(_USER_KEY + user_id, *keys)


def cookie_of(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            if name in jar:
                return jar[name].value
    return None


def header_of(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def session_middleware(app: ASGIApp) -> ASGIApp:
    """Loads the session of the cookie into ``scope["imas_session"]`` and, when the request may
    act through it (a safe method, or the right ``X-CSRF-Token``), its principal into
    ``scope["imas_session_principal"]``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            session_id = cookie_of(scope, COOKIE)
            store: SessionStore | None = getattr(Litestar.from_scope(scope).state, "sessions", None)
            session = await store.get(session_id) if session_id and store else None
            if session is not None:
                scope["imas_session"] = session  # type: ignore[typeddict-unknown-key]
                method = scope.get("method", "GET")
                if method in SAFE_METHODS or session.csrf_ok(header_of(scope, _CSRF_HEADER_RAW)):
                    scope["imas_session_principal"] = session.principal()  # type: ignore[typeddict-unknown-key]
        await app(scope, receive, send)

    return middleware


def cookie_options(scope: Scope, idle_seconds: int) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": scope.get("scheme") == "https",
        "path": "/",
        "max_age": idle_seconds,
    }
