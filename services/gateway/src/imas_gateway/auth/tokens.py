"""API tokens: who a token stands for (``Authenticator``, remembered briefly and forgotten on
every gateway at once), and the tokens themselves (``Tokens``: create, list, revoke,
regenerate)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from nats.aio.msg import Msg
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import new_event_id, utcnow
from imas_contracts.gateway import CredentialsChanged
from imas_gateway import domain, store
from imas_gateway.domain import Holder, Principal, TokenCreate, TokenPatch, patched_token
from imas_runtime.bus import Bus, encode
from imas_runtime.errors import Invalid, NotFound
from imas_runtime.logs import get_logger

log = get_logger(__name__)

BOOTSTRAP_TOKEN_NAME = "bootstrap admin"


class Authenticator:
    """Resolves tokens to principals, and users to what their credentials allow now.

    Answers are remembered for ``cache_seconds`` so the hot path stays off the database. A
    change to a user or a token (:meth:`changed`) is forgotten at once here and broadcast to
    the other gateways (``gateway.credentials_changed.v1``), which forget it too; a gateway
    that misses the broadcast forgets within ``cache_seconds``.
    """

    def __init__(
        self, engine: AsyncEngine, *, cache_seconds: float = 10.0, bus: Bus | None = None
    ) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self.bus = bus
        self._tokens: dict[str, tuple[float, Any]] = {}
        self._holders: dict[str, tuple[float, Holder | None]] = {}
        # Counts forgettings: an answer read while one happened may be stale, and is used
        # but not remembered.
        self._forgotten = 0

    async def principal(self, token: str, *, fresh: bool = False) -> Principal | None:
        """Who ``token`` stands for now, or None: unknown, revoked, expired, or its user is
        gone or disabled (see ``domain.token_principal``). ``fresh`` skips what is remembered
        (live streams re-checking their caller)."""
        token_hash = domain.hash_token(token)
        now = time.monotonic()
        cached = None if fresh else self._tokens.get(token_hash)
        if cached is not None and cached[0] > now:
            row = cached[1]
        else:
            forgotten = self._forgotten
            async with self.engine.begin() as conn:
                row = await store.find_active_token(conn, token_hash)
                if row is not None:
                    await store.touch_token(conn, row.id)
            if forgotten == self._forgotten:
                _remember(self._tokens, token_hash, (now + self.cache_seconds, row))
        if row is None or (row.expires_at is not None and row.expires_at <= datetime.now(UTC)):
            return None
        holder = await self.holder(str(row.user_id), fresh=fresh) if row.user_id else None
        return domain.token_principal(row, holder)

    async def holder(self, user_id: str, *, fresh: bool = False) -> Holder | None:
        """The user's credentials as they stand now; None when there is no such user."""
        now = time.monotonic()
        cached = None if fresh else self._holders.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            key = uuid.UUID(user_id)
        except ValueError:
            return None
        forgotten = self._forgotten
        async with self.engine.connect() as conn:
            row = await store.find_holder(conn, key)
        found = domain.holder_of(row) if row is not None else None
        if forgotten == self._forgotten:
            _remember(self._holders, user_id, (now + self.cache_seconds, found))
        return found

    def forget(self, *, user_ids: Iterable[str] = (), token_ids: Iterable[str] = ()) -> None:
        """Drop what is remembered of these users (and their tokens) and tokens."""
        users, tokens = set(user_ids), set(token_ids)
        self._forgotten += 1
        for user_id in users:
            self._holders.pop(user_id, None)
        for token_hash, (_, row) in list(self._tokens.items()):
            if row is not None and (str(row.id) in tokens or str(row.user_id) in users):
                del self._tokens[token_hash]

    async def changed(self, *, user_ids: Iterable[str] = (), token_ids: Iterable[str] = ()) -> None:
        """Users or tokens changed: forget them here, and tell the other gateways."""
        change = CredentialsChanged(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            user_ids=sorted(str(u) for u in user_ids),
            token_ids=sorted(str(t) for t in token_ids),
        )
        if not change.user_ids and not change.token_ids:
            return
        self.forget(user_ids=change.user_ids, token_ids=change.token_ids)
        if self.bus is None:
            return
        try:
            await self.bus.nc.publish(CredentialsChanged.type_name(), encode(change))
        except Exception:
            # The others still forget within their cache lifetime; say so, go on.
            log.warning("credentials change not broadcast", exc_info=True)

    async def listen(self) -> None:
        """Forget what the other gateways say changed (core NATS, resubscribed by the client
        after a reconnection)."""
        assert self.bus is not None
        decoder = msgspec.json.Decoder(CredentialsChanged)

        async def heard(msg: Msg) -> None:
            try:
                change = decoder.decode(msg.data)
            except msgspec.DecodeError:
                return
            self.forget(user_ids=change.user_ids, token_ids=change.token_ids)

        await self.bus.nc.subscribe(CredentialsChanged.type_name(), cb=heard)

    async def set_bootstrap_token(self, token: str) -> None:
        """Make ``token`` the valid bootstrap admin token (``IMAS_BOOTSTRAP_ADMIN_TOKEN``), or,
        when it is empty, remove the one there was; tokens of earlier values are revoked."""
        async with self.engine.begin() as conn:
            if token:
                revoked = await store.put_bootstrap_token(
                    conn,
                    name=BOOTSTRAP_TOKEN_NAME,
                    token_hash=domain.hash_token(token),
                    prefix=domain.token_prefix(token),
                )
            else:
                revoked = await store.revoke_bootstrap_tokens(conn)
        await self.changed(token_ids=[str(t) for t in revoked])

    async def cap_lifetimes(self, max_days: int) -> None:
        """No token of a user lives longer than ``max_days`` from now (see the store)."""
        async with self.engine.begin() as conn:
            changed = await store.cap_user_token_lifetimes(conn, max_days)
        self.forget(token_ids=[str(t) for t in changed])


def _token_key(token_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(token_id)
    except ValueError:
        raise NotFound(f"no token {token_id}") from None


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = value


class Tokens:
    """API tokens: created (the secret shown once), listed, revoked and regenerated; only
    their SHA-256 is stored. Every method is one transaction."""

    def __init__(self, engine: AsyncEngine, authenticator: Authenticator) -> None:
        self.engine = engine
        self.authenticator = authenticator

    async def create(
        self, spec: TokenCreate, *, created_by: str, user_id: str | None = None
    ) -> dict[str, Any]:
        """A new token; the answer is the only place its secret ever appears."""
        secret = domain.new_token()
        expires_at = spec.expires_at
        if expires_at is None and spec.expires_in_days:
            expires_at = datetime.now(UTC) + timedelta(days=spec.expires_in_days)
        values = {
            "name": spec.name.strip(),
            "role": spec.role,
            "token_hash": domain.hash_token(secret),
            "prefix": domain.token_prefix(secret),
            "expires_at": expires_at,
            "scopes": list(spec.scopes),
            "rate_limit": spec.rate_limit,
            "rate_window": spec.rate_window,
            "created_by": created_by,
            "user_id": uuid.UUID(user_id) if user_id else None,
        }
        async with self.engine.begin() as conn:
            row = await store.insert_token(conn, values)
        return {**domain.token_json(row), "token": secret}

    async def list(
        self, *, include_revoked: bool, user_id: uuid.UUID | None = None
    ) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await store.list_tokens(conn, include_revoked=include_revoked, user_id=user_id)
        return [domain.token_json(r) for r in rows]

    async def revoke(self, token_id: str) -> dict[str, Any]:
        """Revoke by id; revoking twice is harmless (the first time is kept)."""
        key = _token_key(token_id)
        async with self.engine.begin() as conn:
            row = await store.revoke_token(conn, key)
        if row is None:
            raise NotFound(f"no token {token_id}")
        await self.authenticator.changed(token_ids=[token_id])
        return domain.token_json(row)

    async def update(self, token_id: str, patch: TokenPatch) -> dict[str, Any]:
        """Change a token's role, scopes, limits or expiry in place (its secret stays); every
        gateway forgets it at once. A user's token follows its user, and the bootstrap token
        its setting: neither changes here."""
        key = _token_key(token_id)
        async with self.engine.begin() as conn:
            row = await store.find_token(conn, key)
            if row is None or row.revoked_at is not None:
                raise NotFound(f"no token {token_id}")
            if row.user_id is not None or row.bootstrap:
                owner = "its user" if row.user_id is not None else "IMAS_BOOTSTRAP_ADMIN_TOKEN"
                raise Invalid.field("token_id", f"this token follows {owner}: not changed")
            spec = patched_token(row, patch, datetime.now(UTC))
            values = {
                "role": spec.role,
                "scopes": list(spec.scopes),
                "rate_limit": spec.rate_limit,
                "rate_window": spec.rate_window,
                "expires_at": spec.expires_at,
            }
            row = await store.update_token(conn, key, values)
        await self.authenticator.changed(token_ids=[token_id])
        return domain.token_json(row)

    async def active(self, secret: str) -> dict[str, Any] | None:
        """The token as the API lists it, with the role it carries now; None unless it works
        (unknown, revoked, expired, or its user is gone or disabled)."""
        principal = await self.authenticator.principal(secret, fresh=True)
        if principal is None:
            return None
        async with self.engine.connect() as conn:
            row = await store.find_active_token(conn, domain.hash_token(secret))
        return {**domain.token_json(row), "role": principal.role} if row is not None else None

    async def regenerate(self, token_id: str) -> dict[str, Any]:
        """Revoke this token and issue a new one with the same name, role, scopes, limits,
        user and expiry (a token never outlives the one it replaces), in one transaction."""
        async with self.engine.begin() as conn:
            old = await store.revoke_token(conn, uuid.UUID(token_id))
            if old is None:
                raise NotFound(f"no token {token_id}")
            secret = domain.new_token()
            row = await store.insert_token(
                conn,
                {
                    "name": old.name,
                    "role": old.role,
                    "token_hash": domain.hash_token(secret),
                    "prefix": domain.token_prefix(secret),
                    "expires_at": old.expires_at,
                    "scopes": old.scopes,
                    "rate_limit": old.rate_limit,
                    "rate_window": old.rate_window,
                    "created_by": old.created_by,
                    "user_id": old.user_id,
                },
            )
        await self.authenticator.changed(token_ids=[token_id])
        return {**domain.token_json(row), "token": secret}
