"""The providers configured in the database, built once per configuration version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_notifier import store
from imas_notifier.providers import registry
from imas_notifier.providers.base import Provider, ProviderError
from imas_runtime.outbound import Guard
from imas_runtime.secrets_box import SecretBox


class ProviderCache:
    """Providers by name, as an operator configured them (``log`` among them only when
    configured); rebuilt when the table changes (its triggers bump the ``providers`` row of
    ``config_versions``).

    ``extra`` providers (given in code) win over stored ones of the same name."""

    def __init__(
        self,
        box: SecretBox,
        client: httpx.AsyncClient,
        extra: Mapping[str, Provider] | None = None,
        guard: Guard | None = None,
    ) -> None:
        self.box = box
        self.client = client
        self.guard = guard or Guard()
        self.extra = dict(extra or {})
        self._version: Any = None
        self._by_name: dict[str, Provider] = {}
        self._kinds: dict[str, str] = {}

    async def refresh(self, conn: AsyncConnection, version: int | None = None) -> None:
        """Rebuild the providers if the ``providers`` counter of ``config_versions`` moved
        (read here unless given)."""
        if version is None:
            version = (await store.load_config_versions(conn)).get("providers")
        if version is not None and version == self._version:
            return
        by_name: dict[str, Provider] = {}
        kinds: dict[str, str] = {}
        for row in await store.list_providers(conn):
            if not row.enabled:
                continue
            try:
                secrets = self.box.open(row.secrets)
            except ValueError:
                continue  # unreadable with the keys given: its channels are not served
            by_name[row.name] = registry.build(
                row.kind, row.name, row.config, secrets, self.client, self.guard
            )
            kinds.setdefault(row.kind, row.name)
        for name, provider in self.extra.items():
            by_name[name] = provider
            kinds.setdefault(str(getattr(provider, "kind", name)), name)
        self._by_name, self._kinds, self._version = by_name, kinds, version

    async def configured(self, conn: AsyncConnection) -> dict[str, str]:
        """Provider kind → the name of the first enabled provider of that kind."""
        await self.refresh(conn)
        return dict(self._kinds)

    @property
    def kinds(self) -> dict[str, str]:
        """:meth:`configured` as of the last refresh."""
        return self._kinds

    async def get(self, conn: AsyncConnection, name: str) -> Provider:
        await self.refresh(conn)
        return self.named(name)

    async def of_kind(self, conn: AsyncConnection, kind: str) -> list[Provider]:
        """The enabled providers of ``kind`` (to verify what their vendor calls us with)."""
        await self.refresh(conn)
        return [p for p in self._by_name.values() if getattr(p, "kind", "") == kind]

    def named(self, name: str) -> Provider:
        """A provider as of the last refresh."""
        provider = self._by_name.get(name)
        if provider is None:
            raise ProviderError(f"no provider named {name!r} is configured", retryable=False)
        return provider
