"""Use cases of the gateway: who is calling, and the incident API in front of the mesh."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import GetIncident, IncidentView
from imas_contracts.ingest import SubmitAlert, SubmitAlertReply
from imas_gateway import domain, store
from imas_gateway.domain import IncidentCreate, Principal
from imas_runtime.bus import Bus


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
        principal = Principal(token_id=str(row.id), name=row.name, role=row.role) if row else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[token_hash] = (now + self.cache_seconds, principal)
        return principal

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
