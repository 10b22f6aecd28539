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


@dataclass(frozen=True)
class _Loaded:
    """A configuration and the counters read before its tables: replaced as one value, so
    no caller ever sees the counters of one load with the tables of another."""

    config: RoutingConfig
    catalog_version: int | None
    rules_version: int | None


class ConfigCache:
    def __init__(self, providers: ProviderCache) -> None:
        self.providers = providers
        self._loaded: _Loaded | None = None

    @property
    def last(self) -> RoutingConfig:
        """The configuration as of the last :meth:`current` (empty before the first)."""
        return self._loaded.config if self._loaded is not None else RoutingConfig()

    async def current(self, conn: AsyncConnection) -> RoutingConfig:
        """The configuration as committed now, reloading only the parts whose counter moved.
        The counters are read before the tables, so a change committed in between is
        reloaded next time rather than missed.

        Safe to run concurrently (both consumers and page actions call it): a part is reused
        only from the snapshot read with the counters, whose own counters describe its
        tables, and the snapshot is replaced whole. A counter kept apart from its tables let
        a call reuse the counter another had just set with tables it never loaded: the empty
        rules of a process just started, for every incident until the rules changed."""
        versions = await store.load_config_versions(conn)
        base = self._loaded
        catalog, rules = versions.get("catalog"), versions.get("rules")
        directory, routing_rules, person_rules = None, None, None
        if base is not None and catalog is not None and catalog == base.catalog_version:
            directory = base.config.directory
        if base is not None and rules is not None and rules == base.rules_version:
            routing_rules, person_rules = base.config.rules, base.config.person_rules
        if directory is None:
            directory = await store.load_directory(conn)
        if routing_rules is None or person_rules is None:
            routing_rules = tuple(await store.load_rules(conn))
            person_rules = await store.load_all_person_rules(conn)
        await self.providers.refresh(conn, versions.get("providers"))
        kinds = self.providers.kinds
        unchanged = (
            base is not None
            and directory is base.config.directory
            and routing_rules is base.config.rules
            and kinds == base.config.configured
        )
        config = (
            base.config
            if base is not None and unchanged
            else RoutingConfig(directory, routing_rules, person_rules, dict(kinds))
        )
        self._loaded = _Loaded(config, catalog, rules)
        return config
