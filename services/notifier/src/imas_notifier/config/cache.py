"""What routing reads for every incident — the catalog projection, routing and person rules,
the providers — kept in memory and reloaded only when it changed.

Each of ``catalog``, ``rules`` and ``providers`` has a counter in ``config_versions`` that
triggers bump in the transaction of any write to its tables (the catalog consumer, the rules
API, the providers API, or SQL by hand), so the check is one small read per batch of events,
and every replica sees a committed change on the next incident it routes: the cache is never
stale, only cheaper.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from imas_notifier import store
from imas_notifier.providers.cache import ProviderCache
from imas_notifier.routing.domain import Directory, RoutingRule


@dataclass(frozen=True)
class RoutingConfig:
    directory: Directory = field(default_factory=Directory)
    rules: tuple[RoutingRule, ...] = ()
    # person id → [(channel, delay in minutes)]; people without rules are absent.
    person_rules: Mapping[str, list[tuple[str, float]]] = field(default_factory=dict)
    # provider kind → name of the first enabled provider of that kind.
    configured: Mapping[str, str] = field(default_factory=dict)


class ConfigCache:
    def __init__(self, providers: ProviderCache) -> None:
        self.providers = providers
        self.last = RoutingConfig()
        self._loaded = False
        self._catalog_version: int | None = None
        self._rules_version: int | None = None

    async def current(self, conn: AsyncConnection) -> RoutingConfig:
        """The configuration as committed now, reloading only the parts whose counter moved.
        The counters are read before the tables, so a change committed in between is
        reloaded next time rather than missed."""
        versions = await store.load_config_versions(conn)
        config = self.last
        catalog, rules = versions.get("catalog"), versions.get("rules")
        if not self._loaded or catalog is None or catalog != self._catalog_version:
            config = RoutingConfig(
                await store.load_directory(conn),
                config.rules,
                config.person_rules,
                config.configured,
            )
            self._catalog_version = catalog
        if not self._loaded or rules is None or rules != self._rules_version:
            config = RoutingConfig(
                config.directory,
                tuple(await store.load_rules(conn)),
                await store.load_all_person_rules(conn),
                config.configured,
            )
            self._rules_version = rules
        await self.providers.refresh(conn, versions.get("providers"))
        if config.configured != self.providers.kinds:
            config = RoutingConfig(
                config.directory, config.rules, config.person_rules, dict(self.providers.kinds)
            )
        self.last, self._loaded = config, True
        return config
