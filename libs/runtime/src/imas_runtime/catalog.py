"""The catalog's entries as a reader keeps them (pure: no I/O).

incidents owns the catalog (teams, services, impact scopes, people) and publishes each change
as ``catalog.changed.v1``; a service that reads it for every incident keeps the entries it
needs in a projection of its own (:mod:`imas_runtime.catalog_projection`), so no page waits on
a request to incidents. This module is what its domain code sees of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Every kind of entry incidents publishes, as ``CatalogChanged.kind`` names it.
KINDS: tuple[str, ...] = ("team", "service", "scope", "person")


@dataclass(frozen=True)
class Entity:
    """One catalog entry: its id, its name and the rest of what incidents published."""

    id: str
    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


# Entries by kind, then by id: ``entries["person"]["alice"]``.
Entries = Mapping[str, Mapping[str, Entity]]
