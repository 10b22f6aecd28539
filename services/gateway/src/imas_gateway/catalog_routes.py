"""The catalog (teams, services, impact scopes, people) and the KPIs over HTTP.

Viewers read; writing the catalog needs the manager role.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import Parameter

from imas_contracts.catalog import (
    CatalogEntries,
    DeleteCatalogEntry,
    ListCatalog,
    PersonEntry,
    SaveCatalogEntry,
    ScopeEntry,
    ServiceEntry,
    TeamEntry,
)
from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
    KpiBreakdown,
    KpiHeatmap,
    KpiSummary,
    KpiTopOffenders,
    KpiTrend,
)
from imas_gateway import api_params as params
from imas_gateway.auth import role
from imas_gateway.docs_routes import PAGED
from imas_gateway.domain import Principal
from imas_gateway.query_params import KPI_QUERY, PAGING, Bucket, KpiQuery, PageRequest
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream

MANAGER = role("manager")
_LIST_FIELD = {"team": "teams", "service": "services", "scope": "scopes", "person": "people"}
_DEPENDENCIES = MESH_DEPENDENCIES


def _items(entries: CatalogEntries) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = msgspec.to_builtins(getattr(entries, _LIST_FIELD[entries.kind]))
    return items


class _CatalogController(Controller):
    """List, read, create, update (PATCH merges, PUT replaces) and delete one kind."""

    kind: ClassVar[str]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @get("/", dependencies=PAGING, opt=PAGED)
    async def list_entries(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        paging: NamedDependency[PageRequest],
    ) -> dict[str, object]:
        items = _items(await mesh.ask(ListCatalog(kind=self.kind), CatalogEntries))  # type: ignore[arg-type]
        return paging.answer(str(request.url), len(items), paging.of(items))

    @get("/{entry_id:str}/")
    async def detail(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], entry_id: str
    ) -> dict[str, Any]:
        """``entry_id`` is the id or the name (a team's slug, a person's email)."""
        return await self._one(mesh, entry_id)

    async def _one(self, mesh: Upstream, entry_id: str) -> dict[str, Any]:
        query = ListCatalog(kind=self.kind, id=entry_id)  # type: ignore[arg-type]
        return _items(await mesh.ask(query, CatalogEntries))[0]

    async def _save(
        self, mesh: Upstream, principal: Principal, entry_id: str | None, fields: Any
    ) -> dict[str, Any]:
        command = SaveCatalogEntry(
            kind=self.kind,  # type: ignore[arg-type]
            id=entry_id,
            actor=principal.name,
            **{self.kind: fields},
        )
        return _items(await mesh.ask(command, CatalogEntries))[0]

    @post("/", status_code=201, opt=MANAGER)
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        """201 with the new entry; 409 when the name is taken."""
        fields = params.catalog_fields(self.kind, await request.body())
        return await self._save(mesh, principal, None, fields)

    @patch("/{entry_id:str}/", opt=MANAGER)
    async def update(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: str,
    ) -> dict[str, Any]:
        """Changes only the fields given."""
        current = params.entry_fields(self.kind, await self._one(mesh, entry_id))
        fields = params.catalog_fields(self.kind, await request.body(), current)
        return await self._save(mesh, principal, entry_id, fields)

    @put("/{entry_id:str}/", opt=MANAGER)
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: str,
    ) -> dict[str, Any]:
        """Replaces every field (absent ones take their defaults)."""
        fields = params.catalog_fields(self.kind, await request.body())
        return await self._save(mesh, principal, entry_id, fields)

    @delete("/{entry_id:str}/", opt=MANAGER)
    async def remove(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], entry_id: str
    ) -> None:
        """204; 409 for a service that has incidents (set ``active`` to false instead)."""
        command = DeleteCatalogEntry(kind=self.kind, id=entry_id, actor=principal.name)  # type: ignore[arg-type]
        await mesh.ask(command, CatalogEntries)


class TeamController(_CatalogController):
    path = "/api/v1/teams"
    tags = ["catalog"]
    kind = "team"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind], answer=TeamEntry)


class ServiceController(_CatalogController):
    path = "/api/v1/services"
    tags = ["catalog"]
    kind = "service"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind], answer=ServiceEntry)


class ScopeController(_CatalogController):
    path = "/api/v1/scopes"
    tags = ["catalog"]
    kind = "scope"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind], answer=ScopeEntry)


class PersonController(_CatalogController):
    path = "/api/v1/people"
    tags = ["catalog"]
    kind = "person"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind], answer=PersonEntry)


class MetricsController(Controller):
    """MTTD / MTTA / MTTR. Every route takes ``window`` (24h, 7d, 4w; default 30d) or
    ``from`` / ``to``, and the filters ``service``, ``team``, ``severity``."""

    path = "/api/v1/metrics"
    tags = ["metrics"]
    opt = role("viewer")
    dependencies = {**_DEPENDENCIES, **KPI_QUERY}

    @get(
        "/",
        summary="KPI summary, with the change against the previous window",
        opt={"answer": KpiSummary},
    )
    async def summary(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
    ) -> dict[str, Any]:
        return _json(await mesh.ask(GetKpiSummary(**kpis.fields()), KpiSummary))

    @get("/by-service/", summary="KPIs per service", opt={"answer": KpiBreakdown})
    async def by_service(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
    ) -> dict[str, Any]:
        return await _breakdown(mesh, kpis, "service")

    @get("/by-team/", summary="KPIs per team", opt={"answer": KpiBreakdown})
    async def by_team(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
    ) -> dict[str, Any]:
        return await _breakdown(mesh, kpis, "team")

    @get("/by-severity/", summary="KPIs per severity", opt={"answer": KpiBreakdown})
    async def by_severity(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
    ) -> dict[str, Any]:
        return await _breakdown(mesh, kpis, "severity")

    @get("/trend/", summary="KPIs per day or ISO week (UTC)", opt={"answer": KpiTrend})
    async def trend(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
        bucket: Bucket = Parameter(default="day", description="One point per day or per week"),
    ) -> dict[str, Any]:
        return _json(await mesh.ask(GetKpiTrend(bucket=bucket, **kpis.fields()), KpiTrend))

    @get(
        "/heatmap/",
        summary="Incidents per weekday (1 = Monday) and hour, UTC",
        opt={"answer": KpiHeatmap},
    )
    async def heatmap(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
    ) -> dict[str, Any]:
        return _json(await mesh.ask(GetKpiHeatmap(**kpis.fields()), KpiHeatmap))

    @get(
        "/top-offenders/",
        summary="Services with the most SEV1 and SEV2 incidents",
        opt={"answer": KpiTopOffenders},
    )
    async def top_offenders(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        kpis: NamedDependency[KpiQuery],
        limit: int = Parameter(default=10, ge=1, le=100, description="How many services"),
    ) -> dict[str, Any]:
        query = GetKpiTopOffenders(limit=limit, **kpis.fields())
        return _json(await mesh.ask(query, KpiTopOffenders))


def _json(reply: msgspec.Struct) -> dict[str, Any]:
    return msgspec.to_builtins(reply)  # type: ignore[no-any-return]


async def _breakdown(mesh: Upstream, kpis: KpiQuery, group_by: str) -> dict[str, Any]:
    query = GetKpiBreakdown(group_by=group_by, **kpis.fields())  # type: ignore[arg-type]
    return _json(await mesh.ask(query, KpiBreakdown))


CATALOG_ROUTES = [
    TeamController,
    ServiceController,
    ScopeController,
    PersonController,
    MetricsController,
]
