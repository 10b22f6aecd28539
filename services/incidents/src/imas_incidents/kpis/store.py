"""SQL of the KPIs: MTTD, MTTA and MTTR aggregated in PostgreSQL (``percentile_cont``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from imas_contracts.kpis import HeatCell, KpiFigures, KpiFilter, KpiStats, Offender

_MEASURES = {
    "mttd": "extract(epoch FROM created_at - detected_at)",
    "mtta": "extract(epoch FROM acknowledged_at - created_at)",
    "mttr": "extract(epoch FROM resolved_at - created_at)",
}

# count, then (count, mean, p50, p90) of each measure; percentile_cont skips NULLs.
FIGURES_SQL = ", ".join(
    ["count(*) AS n"]
    + [
        f"count({expr}) AS {name}_n, avg({expr}) AS {name}_mean,"
        f" percentile_cont(0.5) WITHIN GROUP (ORDER BY {expr}) AS {name}_p50,"
        f" percentile_cont(0.9) WITHIN GROUP (ORDER BY {expr}) AS {name}_p90"
        for name, expr in _MEASURES.items()
    ]
)

GROUP_COLUMNS = {"service": "service_name", "team": "team_name", "severity": "severity"}


def _where(f: KpiFilter, start: datetime, end: datetime) -> tuple[str, dict[str, Any]]:
    clauses = ["created_at >= :start", "created_at < :end"]
    params: dict[str, Any] = {"start": start, "end": end}
    for name, column in GROUP_COLUMNS.items():
        value = getattr(f, name)
        if value:
            clauses.append(f"{column} = :{name}")
            params[name] = value
    return " AND ".join(clauses), params


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def figures(row: Any) -> KpiFigures:
    m = row._mapping
    stats = {
        name: KpiStats(
            count=int(m[f"{name}_n"]),
            mean=_rounded(m[f"{name}_mean"]),
            p50=_rounded(m[f"{name}_p50"]),
            p90=_rounded(m[f"{name}_p90"]),
        )
        for name in _MEASURES
    }
    return KpiFigures(count=int(m["n"]), **stats)


async def summary(
    conn: AsyncConnection, f: KpiFilter, start: datetime, end: datetime
) -> KpiFigures:
    where, params = _where(f, start, end)
    row = (
        await conn.execute(text(f"SELECT {FIGURES_SQL} FROM incidents WHERE {where}"), params)
    ).one()
    return figures(row)


async def breakdown(conn: AsyncConnection, f: KpiFilter, group_by: str) -> list[Any]:
    column = GROUP_COLUMNS[group_by]
    where, params = _where(f, f.start, f.end)
    sql = (
        f"SELECT coalesce({column}, '(none)') AS key, {FIGURES_SQL} FROM incidents"
        f" WHERE {where} GROUP BY 1 ORDER BY n DESC, key"
    )
    return list((await conn.execute(text(sql), params)).all())


async def trend(conn: AsyncConnection, f: KpiFilter, bucket: str) -> list[Any]:
    unit = "week" if bucket == "week" else "day"
    where, params = _where(f, f.start, f.end)
    sql = (
        f"SELECT date_trunc('{unit}', created_at AT TIME ZONE 'UTC') AS bucket, {FIGURES_SQL}"
        f" FROM incidents WHERE {where} GROUP BY 1 ORDER BY 1"
    )
    return list((await conn.execute(text(sql), params)).all())


async def heatmap(conn: AsyncConnection, f: KpiFilter) -> list[HeatCell]:
    where, params = _where(f, f.start, f.end)
    sql = (
        "SELECT extract(isodow FROM created_at AT TIME ZONE 'UTC')::int AS weekday,"
        " extract(hour FROM created_at AT TIME ZONE 'UTC')::int AS hour, count(*) AS n"
        f" FROM incidents WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2"
    )
    rows = (await conn.execute(text(sql), params)).all()
    return [HeatCell(weekday=r.weekday, hour=r.hour, count=r.n) for r in rows]


async def top_offenders(conn: AsyncConnection, f: KpiFilter, limit: int) -> list[Offender]:
    where, params = _where(f, f.start, f.end)
    sql = (
        "SELECT service_name,"
        " count(*) FILTER (WHERE severity = 'SEV1_CRITICAL') AS sev1,"
        " count(*) FILTER (WHERE severity = 'SEV2_HIGH') AS sev2, count(*) AS total"
        f" FROM incidents WHERE {where} AND severity IN ('SEV1_CRITICAL', 'SEV2_HIGH')"
        " GROUP BY service_name ORDER BY total DESC, sev1 DESC, service_name LIMIT :limit"
    )
    rows = (await conn.execute(text(sql), {**params, "limit": limit})).all()
    return [Offender(service=r.service_name, sev1=r.sev1, sev2=r.sev2, total=r.total) for r in rows]
