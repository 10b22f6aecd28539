"""The catalog facts every alert needs (its service, the tag rules), kept briefly in memory.

Open-or-attach runs for every alert; reading the service and the tag rules from PostgreSQL each
time would double its cost. Writes through this process clear the cache at once; other replicas
see a change within ``ttl`` seconds. Unknown service names are never cached, so a service
created a moment ago is found at once everywhere. Each load of the tag rules reports those whose
pattern the engine refuses (they tag nothing).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from imas_incidents import domain, store
from imas_runtime.patterns import StoredPattern, StoredPatterns


class CatalogCache:
    def __init__(self, ttl: float = 5.0, refused: StoredPatterns | None = None) -> None:
        self.ttl = ttl
        self.refused = refused or StoredPatterns("tag_rule", domain.TAG_MODE)
        self._services: dict[str, tuple[float, Any]] = {}
        self._tag_rules: tuple[float, list[tuple[str, str]]] | None = None

    def clear(self) -> None:
        self._services.clear()
        self._tag_rules = None

    def cached_service(self, name: str) -> Any | None:
        hit = self._services.get(name)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    async def service(self, conn: AsyncConnection, name: str) -> Any | None:
        found = self.cached_service(name)
        if found is None:
            found = await store.find_service(conn, name)
            if found is not None:
                self._services[name] = (time.monotonic() + self.ttl, found)
        return found

    def cached_tag_rules(self) -> list[tuple[str, str]] | None:
        hit = self._tag_rules
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    async def tag_rules(self, conn: AsyncConnection) -> list[tuple[str, str]]:
        rules = self.cached_tag_rules()
        if rules is None:
            rules = await store.tag_rule_pairs(conn)
            self._tag_rules = (time.monotonic() + self.ttl, rules)
            await self.refused.review(StoredPattern(tag, "pattern", p) for tag, p in rules)
        return rules
