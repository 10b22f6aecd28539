"""``GET /api/v1/metrics/export.csv`` and ``.json``: the incidents of a metrics window, with
their MTTD / MTTA / MTTR — the raw material of every KPI, for a spreadsheet or a BI tool.

Streamed a page at a time, so a year of incidents never sits whole in the gateway's memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any, Literal

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.response import Stream

from imas_contracts.incidents import IncidentPage, IncidentSnapshot, ListIncidents
from imas_gateway.auth import role
from imas_gateway.domain import Principal
from imas_gateway.query_params import KPI_QUERY, KpiQuery
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream

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
        severity=[kpis.severity] if kpis.severity else [],  # type: ignore[list-item]
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
        writer.writerow(export_row(incident))
        if out.tell() > 64 * 1024:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


async def _json(rows: AsyncIterator[IncidentSnapshot]) -> AsyncIterator[bytes]:
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
_DEPENDENCIES = {**MESH_DEPENDENCIES, **KPI_QUERY}


async def _export(mesh: Upstream, kpis: KpiQuery, kind: Literal["csv", "json"]) -> Stream:
    name = f"imas-incidents-{kpis.start:%Y%m%d}-{kpis.end:%Y%m%d}.{kind}"
    query = _query(kpis)
    rows = _incidents(mesh, query, await mesh.ask(query, IncidentPage))
    return Stream(
        _csv(rows) if kind == "csv" else _json(rows),
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
    dependencies=_DEPENDENCIES,
    opt=role("viewer"),
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
    dependencies=_DEPENDENCIES,
    opt=role("viewer"),
)
async def export_json(
    principal: NamedDependency[Principal],
    mesh: NamedDependency[Upstream],
    kpis: NamedDependency[KpiQuery],
) -> Stream:
    return await _export(mesh, kpis, "json")


METRICS_EXPORT_ROUTES = [export_csv, export_json]
