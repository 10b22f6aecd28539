"""Use cases of the gateway: who is calling, and the incident API in front of the mesh."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import GetIncident, IncidentView
from imas_contracts.ingest import SubmitAlert, SubmitAlertReply
from imas_gateway import domain, store
from imas_gateway.domain import IncidentCreate, Principal, TokenCreate
from imas_runtime.bus import Bus
from imas_runtime.errors import NotFound


class Authenticator:
    """Resolves tokens to principals, remembering answers briefly so the hot path stays off
    the database; a revoked token stops working within ``cache_seconds``."""

    def __init__(self, engine: AsyncEngine, *, cache_seconds: float = 10.0) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    async def principal(self, token: str) -> Principal | None:
        token_hash = domain.hash_token(token)
        now = time.monotonic()
        cached = self._cache.get(token_hash)
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.engine.begin() as conn:
            row = await store.find_active_token(conn, token_hash)
            if row is not None:
                await store.touch_token(conn, row.id)
        principal = domain.token_principal(row) if row else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token_hash] = (now + self.cache_seconds, principal)
        return principal

    def forget(self, token_hash: str) -> None:
        """Drop a cached answer (this process sees a revocation at once)."""
        self._cache.pop(token_hash, None)

    async def ensure_bootstrap_token(self, token: str) -> None:
        """Make ``token`` a valid admin token (``IMAS_BOOTSTRAP_ADMIN_TOKEN``)."""
        async with self.engine.begin() as conn:
            await store.ensure_token(
                conn,
                name="bootstrap admin",
                token_hash=domain.hash_token(token),
                prefix=domain.token_prefix(token),
                role="admin",
            )


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

    async def list(self, *, include_revoked: bool) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = await store.list_tokens(conn, include_revoked=include_revoked)
        return [domain.token_json(r) for r in rows]

    async def revoke(self, token_id: str) -> dict[str, Any]:
        """Revoke by id; revoking twice is harmless (the first time is kept)."""
        try:
            key = uuid.UUID(token_id)
        except ValueError:
            raise NotFound(f"no token {token_id}") from None
        async with self.engine.begin() as conn:
            row = await store.revoke_token(conn, key)
        if row is None:
            raise NotFound(f"no token {token_id}")
        self.authenticator.forget(row.token_hash)
        return domain.token_json(row)

    async def active(self, secret: str) -> Any:
        async with self.engine.connect() as conn:
            return await store.find_active_token(conn, domain.hash_token(secret))

    async def regenerate(self, token_id: str) -> dict[str, Any]:
        """Revoke this token and issue a new one with the same name, role, scopes, limits and
        lifetime, in one transaction."""
        async with self.engine.begin() as conn:
            old = await store.revoke_token(conn, uuid.UUID(token_id))
            if old is None:
                raise NotFound(f"no token {token_id}")
            secret = domain.new_token()
            lifetime = old.expires_at - old.created_at if old.expires_at else None
            row = await store.insert_token(
                conn,
                {
                    "name": old.name,
                    "role": old.role,
                    "token_hash": domain.hash_token(secret),
                    "prefix": domain.token_prefix(secret),
                    "expires_at": datetime.now(UTC) + lifetime if lifetime else None,
                    "scopes": old.scopes,
                    "rate_limit": old.rate_limit,
                    "rate_window": old.rate_window,
                    "created_by": old.created_by,
                    "user_id": old.user_id,
                },
            )
        self.authenticator.forget(old.token_hash)
        return {**domain.token_json(row), "token": secret}


class IncidentApi:
    """The incident endpoints, answered by asking ingest and incidents over the bus."""

    def __init__(self, bus: Bus, *, timeout: float) -> None:
        self.bus = bus
        self.timeout = timeout

    async def create(self, payload: IncidentCreate, principal: Principal) -> SubmitAlertReply:
        """Open an incident or attach to the open one for the service (the brief's 201 / 200)."""
        request = SubmitAlert(
            title=payload.title,
            description=payload.description,
            service_name=payload.service_name,
            severity=payload.severity,  # type: ignore[arg-type]  # validated by the domain
            dedup_key=payload.dedup_key,
            detected_at=payload.detected_at,
            source="api",
            actor=principal.name,
            tags=payload.tags,
            impacted_scopes=payload.impacted_scopes,
        )
        return await self.bus.request(request, SubmitAlertReply, timeout=self.timeout)

    async def get(self, ref: str) -> IncidentView:
        return await self.bus.request(GetIncident(id=ref), IncidentView, timeout=self.timeout)
