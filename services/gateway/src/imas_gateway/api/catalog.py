"""What the catalog's four kinds share over HTTP: teams, services, impact scopes and people
(``api.teams``, ``api.services``, ``api.scopes``, ``api.people``) each list, read, create,
update and delete their entries alike.

Viewers read; writing the catalog needs the manager role.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.catalog import (
    CatalogEntries,
    CatalogKind,
    DeleteCatalogEntry,
    ListCatalog,
    SaveCatalogEntry,
)
from imas_gateway.api.docs import PAGED
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal
from imas_gateway.http import parsing as params
from imas_gateway.http.body import given, partial
from imas_gateway.http.params import PAGING, PageRequest
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import Invalid, NotFound, RequestFailed

MANAGER = role(Role.MANAGER)
_LIST_FIELD = {"team": "teams", "service": "services", "scope": "scopes", "person": "people"}


def _items(entries: CatalogEntries) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = msgspec.to_builtins(getattr(entries, _LIST_FIELD[entries.kind]))
    return items


# The body of a create or replace, and of a PATCH (every field optional): each kind's controller
# names its own types in its ``signature_namespace``.
FieldsT = TypeVar("FieldsT", bound=msgspec.Struct)
PatchT = TypeVar("PatchT", bound=msgspec.Struct)


def kind_types(fields: type[msgspec.Struct]) -> dict[str, Any]:
    """What a kind's controller declares in its ``signature_namespace``: its bodies' types."""
    return {"FieldsT": fields, "PatchT": partial(fields)}


class CatalogController(Controller):
    """List, read, create, update (PATCH merges, PUT replaces) and delete one kind."""

    kind: ClassVar[CatalogKind]
    opt = role(Role.VIEWER)

    @get("/", dependencies=PAGING, opt=PAGED)
    async def list_entries(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        paging: NamedDependency[PageRequest],
    ) -> dict[str, object]:
        items = _items(await mesh.ask(ListCatalog(kind=self.kind), CatalogEntries))
        return paging.answer(str(request.url), len(items), paging.of(items))

    @get("/{entry_id:str}/")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        """``entry_id`` is the id or the name (a team's slug, a person's email)."""
        return await self._one(mesh, entry_id)

    async def _one(self, mesh: Upstream, entry_id: str) -> dict[str, Any]:
        query = ListCatalog(kind=self.kind, id=entry_id)
        return _items(await mesh.ask(query, CatalogEntries))[0]

    async def _save(
        self, mesh: Upstream, principal: Principal, entry_id: str | None, fields: Any
    ) -> dict[str, Any]:
        command = SaveCatalogEntry(
            kind=self.kind,
            id=entry_id,
            actor=principal.name,
            **{self.kind: fields},
        )
        return _items(await mesh.ask(command, CatalogEntries))[0]

    @post("/", status_code=201, opt=MANAGER)
    async def create(
        self,
        data: JSONBody[FieldsT],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        """201 with the new entry; 409 when the name is taken."""
        return await self._save(mesh, principal, None, data)

    @patch("/{entry_id:str}/", opt=MANAGER)
    async def update(
        self,
        data: JSONBody[PatchT],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        """Changes only the fields given."""
        current = params.entry_fields(self.kind, await self._one(mesh, entry_id))
        fields = params.catalog_fields(self.kind, {**current, **given(data)})
        return await self._save(mesh, principal, entry_id, fields)

    @put("/{entry_id:str}/", opt=MANAGER)
    async def replace(
        self,
        data: JSONBody[FieldsT],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        """Replaces every field (absent ones take their defaults)."""
        return await self._save(mesh, principal, entry_id, data)

    @delete("/{entry_id:str}/", opt=MANAGER)
    async def remove(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> None:
        """204; 409 for a service that has incidents (set ``active`` to false instead)."""
        command = DeleteCatalogEntry(kind=self.kind, id=entry_id, actor=principal.name)
        await mesh.ask(command, CatalogEntries)


async def catalog_entry(mesh: Upstream, kind: CatalogKind, ref: str) -> dict[str, Any]:
    """One catalog entry by id or name (NotFound otherwise)."""
    found = await mesh.ask(ListCatalog(kind=kind, id=ref), CatalogEntries)
    entries: list[dict[str, Any]] = msgspec.to_builtins(
        {"team": found.teams, "scope": found.scopes, "person": found.people}[kind]
    )
    if not entries:
        raise NotFound(f"no {kind} {ref}")
    return entries[0]


async def catalog_id(mesh: Upstream, kind: CatalogKind, ref: str, field: str) -> str:
    """The id of the entry ``ref`` names; '' for ''; 400 naming ``field`` when unknown."""
    if not ref.strip():
        return ""
    try:
        return str((await catalog_entry(mesh, kind, ref.strip()))["id"])
    except RequestFailed as exc:
        if exc.code in ("not_found", "invalid"):
            raise Invalid.field(field, f"no {kind} '{ref}'") from None
        raise
    except NotFound:
        raise Invalid.field(field, f"no {kind} '{ref}'") from None
