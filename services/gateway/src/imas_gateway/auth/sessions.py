"""Dashboard sessions, kept in Redis under a random id sent as a cookie, and their CSRF token.

The cookie is HttpOnly, SameSite=Lax, and Secure when the request came over TLS. A session
expires after ``idle_seconds`` without a request. Each session carries a CSRF token: forms send
it as ``csrf_token`` and htmx as the ``X-CSRF-Token`` header; a state-changing request through a
session without it is refused.

A session also carries the user's credentials version at sign-in, and every request checks it
against the user as they stand now (``Authenticator.holder``): a user deleted or disabled, or
whose role or password changed since, has no session any more, however old it is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import msgspec
import redis.asyncio as aioredis
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from imas_gateway.auth.tokens import Authenticator
from imas_gateway.domain import Holder, Principal, in_person
from imas_gateway.http.request import set_session
from imas_gateway.state import gateway_state
from imas_runtime.secrets_box import same_secret

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
    # The user's credentials version when they signed in (-1: a session from before versions,
    # which no user matches).
    version: int = -1

    def principal(self) -> Principal:
        return in_person(self.user_id, self.username, self.role)

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and same_secret(self.csrf, sent or "")


_decoder = msgspec.json.Decoder(Session)


@dataclass
class SessionStore:
    redis: aioredis.Redis
    idle_seconds: int
    authenticator: Authenticator

    async def create(self, user: Holder) -> Session:
        session = Session(
            id=secrets.token_urlsafe(32),
            user_id=user.user_id,
            username=user.username,
            role=user.role,
            csrf=secrets.token_urlsafe(32),
            version=user.version,
        )
        index = _USER_KEY + user.user_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_KEY + session.id, msgspec.json.encode(session), ex=self.idle_seconds)
            pipe.sadd(index, session.id)
            pipe.expire(index, self.idle_seconds * 4)
            await pipe.execute()
        return session

    async def get(
        self, session_id: str, *, touch: bool = True, fresh: bool = False
    ) -> Session | None:
        """The session while its user still holds the credentials it was opened with (see the
        module docstring), with their current name; None when unknown, expired or ended, and
        then it is deleted. ``touch`` restarts its idle timer; ``fresh`` reads the user again
        rather than what the gateway remembers of them."""
        key = _KEY + session_id
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            if touch:
                pipe.expire(key, self.idle_seconds)
            raw = (await pipe.execute())[0]
        if not raw:
            return None
        session = _decoder.decode(raw)
        user = await self.authenticator.holder(session.user_id, fresh=fresh)
        if user is None or not user.active or user.version != session.version:
            await self.delete(session_id)
            return None
        return msgspec.structs.replace(session, username=user.username, role=user.role)

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
    """Leaves the session of the cookie on the connection and, when the request may act
    through it (a safe method, or the right ``X-CSRF-Token``), its principal too (see
    ``http.request``)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            session_id = cookie_of(scope, COOKIE)
            store = gateway_state(Litestar.from_scope(scope)).sessions
            session = await store.get(session_id) if session_id else None
            if session is not None:
                method = scope.get("method", "GET")
                may_act = method in SAFE_METHODS or session.csrf_ok(
                    header_of(scope, _CSRF_HEADER_RAW)
                )
                set_session(scope, session, may_act=may_act)
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
