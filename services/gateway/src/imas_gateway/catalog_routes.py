"""The catalog (teams, services, impact scopes, people) and the KPIs over HTTP.

Viewers read; writing the catalog needs the manager role.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency

from imas_contracts.catalog import (
    CatalogEntries,
    DeleteCatalogEntry,
    ListCatalog,
    SaveCatalogEntry,
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
from imas_gateway.domain import Principal
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

    @get("/")
    async def list_entries(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, object]:
        page, size = params.page_params(request.query_params)
        items = _items(await mesh.ask(ListCatalog(kind=self.kind), CatalogEntries))  # type: ignore[arg-type]
        window = items[(page - 1) * size : page * size]
        return params.paginated(str(request.url), page, size, len(items), window)

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
    opt = role("viewer", body=params.CATALOG_FIELDS[kind])


class ServiceController(_CatalogController):
    path = "/api/v1/services"
    tags = ["catalog"]
    kind = "service"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind])


class ScopeController(_CatalogController):
    path = "/api/v1/scopes"
    tags = ["catalog"]
    kind = "scope"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind])


class PersonController(_CatalogController):
    path = "/api/v1/people"
    tags = ["catalog"]
    kind = "person"
    opt = role("viewer", body=params.CATALOG_FIELDS[kind])


class MetricsController(Controller):
    """MTTD / MTTA / MTTR. Every route takes ``window`` (24h, 7d, 4w; default 30d) or
    ``from`` / ``to``, and the filters ``service``, ``team``, ``severity``."""

    path = "/api/v1/metrics"
    tags = ["metrics"]
    opt = role("viewer")
    dependencies = _DEPENDENCIES

    @staticmethod
    def _filter(request: Request[Any, Any, Any]) -> dict[str, Any]:
        start, end = params.metrics_window(request.query_params, datetime.now(UTC))
        return {"start": start, "end": end, **params.metrics_filters(request.query_params)}

    @get("/", summary="KPI summary, with the change against the previous window")
    async def summary(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        reply = await mesh.ask(GetKpiSummary(**self._filter(request)), KpiSummary)
        return msgspec.to_builtins(reply)  # type: ignore[no-any-return]

    async def _breakdown(
        self, request: Request[Any, Any, Any], mesh: Upstream, group_by: str
    ) -> dict[str, Any]:
        query = GetKpiBreakdown(group_by=group_by, **self._filter(request))  # type: ignore[arg-type]
        return msgspec.to_builtins(await mesh.ask(query, KpiBreakdown))  # type: ignore[no-any-return]

    @get("/by-service/", summary="KPIs per service")
    async def by_service(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await self._breakdown(request, mesh, "service")

    @get("/by-team/", summary="KPIs per team")
    async def by_team(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await self._breakdown(request, mesh, "team")

    @get("/by-severity/", summary="KPIs per severity")
    async def by_severity(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await self._breakdown(request, mesh, "severity")

    @get("/trend/", summary="KPIs per day or week (?bucket=day|week)")
    async def trend(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        bucket = params.choice(request.query_params, "bucket", ("day", "week"), "day")
        query = GetKpiTrend(bucket=bucket, **self._filter(request))  # type: ignore[arg-type]
        return msgspec.to_builtins(await mesh.ask(query, KpiTrend))  # type: ignore[no-any-return]

    @get("/heatmap/", summary="Incidents per weekday (1 = Monday) and hour, UTC")
    async def heatmap(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        query = GetKpiHeatmap(**self._filter(request))
        return msgspec.to_builtins(await mesh.ask(query, KpiHeatmap))  # type: ignore[no-any-return]

    @get("/top-offenders/", summary="Services with the most SEV1 and SEV2 incidents")
    async def top_offenders(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        limit = params.limit_param(request.query_params)
        query = GetKpiTopOffenders(limit=limit, **self._filter(request))
        return msgspec.to_builtins(await mesh.ask(query, KpiTopOffenders))  # type: ignore[no-any-return]


CATALOG_ROUTES = [
    TeamController,
    ServiceController,
    ScopeController,
    PersonController,
    MetricsController,
]
