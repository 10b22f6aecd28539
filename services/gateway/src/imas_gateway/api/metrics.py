"""``/api/v1/metrics/``: MTTD / MTTA / MTTR over a window (the incidents service's KPIs),
and the incidents of a window with their own, as CSV or JSON
(``/api/v1/metrics/export.csv`` and ``.json``) — the raw material of every KPI, for a
spreadsheet or a BI tool.

The exports are streamed a page at a time, so a year of incidents never sits whole in the
gateway's memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any, Literal

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import Stream

from imas_contracts.incidents import IncidentPage, IncidentSnapshot, ListIncidents
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
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, reply_json, spreadsheet_safe
from imas_gateway.http.params import KPI_QUERY, Bucket, KpiQuery
from imas_gateway.http.upstream import Upstream

PAGE = 500
CSV = "text/csv"
COLUMNS = (
    "id",
    "short_id",
    "title",
    "service",
    "team",
    "severity",
    "status",
    "alert_count",
    "detected_at",
    "created_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "mttd_seconds",
    "mtta_seconds",
    "mttr_seconds",
)


def export_row(incident: IncidentSnapshot) -> dict[str, Any]:
    """One incident as an export row (times in ISO 8601, durations in seconds)."""
    row = msgspec.to_builtins(incident)
    row["service"] = incident.service.name
    row["team"] = incident.team.name if incident.team else None
    return {column: row.get(column) for column in COLUMNS}


def _query(kpis: KpiQuery) -> ListIncidents:
    return ListIncidents(
        service=kpis.service,
        team=kpis.team,
        severity=[kpis.severity] if kpis.severity else [],  # type: ignore[list-item]  # checked by metrics_filters
        created_from=kpis.start,
        created_to=kpis.end,
        ordering="created_at",
        limit=PAGE,
    )


async def _incidents(
    mesh: Upstream, query: ListIncidents, first: IncidentPage
) -> AsyncIterator[IncidentSnapshot]:
    """Every incident of the query, starting with its first page (already fetched, so that a
    service being away is a 503 answer, not a stream cut short)."""
    page, offset = first, 0
    while True:
        for incident in page.results:
            yield incident
        offset += len(page.results)
        if len(page.results) < PAGE or offset >= page.count:
            return
        page = await mesh.ask(msgspec.structs.replace(query, offset=offset), IncidentPage)


async def _csv(rows: AsyncIterator[IncidentSnapshot]) -> AsyncIterator[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    async for incident in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in export_row(incident).items()})
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


async def _json_rows(rows: AsyncIterator[IncidentSnapshot]) -> AsyncIterator[bytes]:
    encode = msgspec.json.Encoder().encode
    first = True
    yield b"["
    async for incident in rows:
        yield (b"" if first else b",") + encode(export_row(incident))
        first = False
    yield b"]"


_DESCRIPTION = (
    "Takes the same window and filters as every metrics route; one row per incident created "
    f"in the window, oldest first, with the columns {', '.join(COLUMNS)}."
)


async def _export(mesh: Upstream, kpis: KpiQuery, kind: Literal["csv", "json"]) -> Stream:
    name = f"imas-incidents-{kpis.start:%Y%m%d}-{kpis.end:%Y%m%d}.{kind}"
    query = _query(kpis)
    rows = _incidents(mesh, query, await mesh.ask(query, IncidentPage))
    return Stream(
        _csv(rows) if kind == "csv" else _json_rows(rows),
        # Litestar adds the charset of text answers itself.
        media_type=CSV if kind == "csv" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get(
    "/api/v1/metrics/export.csv",
    summary="The window's incidents with their MTTD / MTTA / MTTR, as CSV",
    media_type=CSV,
    description=_DESCRIPTION,
    tags=["metrics"],
    dependencies=KPI_QUERY,
    opt=role(Role.VIEWER),
)
async def export_csv(
    principal: NamedDependency[Principal],
    mesh: NamedDependency[Upstream],
    kpis: NamedDependency[KpiQuery],
) -> Stream:
    return await _export(mesh, kpis, "csv")


@get(
    "/api/v1/metrics/export.json",
    summary="The window's incidents with their MTTD / MTTA / MTTR, as a JSON array",
    description=_DESCRIPTION,
    tags=["metrics"],
    dependencies=KPI_QUERY,
    opt=role(Role.VIEWER),
)
async def export_json(
    principal: NamedDependency[Principal],
    mesh: NamedDependency[Upstream],
    kpis: NamedDependency[KpiQuery],
) -> Stream:
    return await _export(mesh, kpis, "json")


class MetricsController(Controller):
    """MTTD / MTTA / MTTR. Every route takes ``window`` (24h, 7d, 4w; default 30d) or
    ``from`` / ``to``, and the filters ``service``, ``team``, ``severity``."""

    path = "/api/v1/metrics"
    tags = ["metrics"]
    opt = role(Role.VIEWER)
    dependencies = KPI_QUERY

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
        return reply_json(await mesh.ask(GetKpiSummary(**kpis.fields()), KpiSummary))

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
        return reply_json(await mesh.ask(GetKpiTrend(bucket=bucket, **kpis.fields()), KpiTrend))

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
        return reply_json(await mesh.ask(GetKpiHeatmap(**kpis.fields()), KpiHeatmap))

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
        return reply_json(await mesh.ask(query, KpiTopOffenders))


async def _breakdown(mesh: Upstream, kpis: KpiQuery, group_by: str) -> dict[str, Any]:
    query = GetKpiBreakdown(group_by=group_by, **kpis.fields())  # type: ignore[arg-type]  # str fields, checked
    return reply_json(await mesh.ask(query, KpiBreakdown))
