"""KPI queries: MTTD, MTTA and MTTR, computed by PostgreSQL over the incidents table."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import SEVERITIES
from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
    KpiBreakdown,
    KpiFilter,
    KpiGroup,
    KpiHeatmap,
    KpiPoint,
    KpiSummary,
    KpiTopOffenders,
    KpiTrend,
)
from imas_incidents import domain
from imas_incidents.kpis import store
from imas_runtime.errors import Invalid


def _checked(query: KpiFilter) -> KpiFilter:
    domain.check_window(query.start, query.end)
    if query.severity and query.severity not in SEVERITIES:
        raise Invalid.field("severity", f"must be one of {', '.join(SEVERITIES)}")
    return query


class KpiUseCases:
    """Read-only queries; each is one SQL statement (two for the summary), safe to repeat."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def summary(self, query: GetKpiSummary) -> KpiSummary:
        """The window's figures, the previous window's of equal length, and the change."""
        _checked(query)
        length = query.end - query.start
        async with self.engine.connect() as conn:
            current = await store.summary(conn, query, query.start, query.end)
            previous = await store.summary(conn, query, query.start - length, query.start)
        change = {"count": domain.percent_change(previous.count, current.count)}
        for name in ("mttd", "mtta", "mttr"):
            change[name] = domain.percent_change(
                getattr(previous, name).mean, getattr(current, name).mean
            )
        return KpiSummary(
            start=query.start, end=query.end, current=current, previous=previous, change=change
        )

    async def breakdown(self, query: GetKpiBreakdown) -> KpiBreakdown:
        """Figures per service, team or severity."""
        _checked(query)
        async with self.engine.connect() as conn:
            rows = await store.breakdown(conn, query, query.group_by)
        groups = [KpiGroup(key=r.key, figures=store.figures(r)) for r in rows]
        return KpiBreakdown(group_by=query.group_by, groups=groups)

    async def trend(self, query: GetKpiTrend) -> KpiTrend:
        """Figures per day or week (UTC)."""
        _checked(query)
        async with self.engine.connect() as conn:
            rows = await store.trend(conn, query, query.bucket)
        points = [
            KpiPoint(
                bucket_start=r.bucket.replace(tzinfo=query.start.tzinfo), figures=store.figures(r)
            )
            for r in rows
        ]
        return KpiTrend(bucket=query.bucket, points=points)

    async def heatmap(self, query: GetKpiHeatmap) -> KpiHeatmap:
        """Incidents per weekday and hour (UTC)."""
        _checked(query)
        async with self.engine.connect() as conn:
            return KpiHeatmap(cells=await store.heatmap(conn, query))

    async def top_offenders(self, query: GetKpiTopOffenders) -> KpiTopOffenders:
        """Services with the most SEV1 and SEV2 incidents."""
        _checked(query)
        if not 1 <= query.limit <= 100:
            raise Invalid.field("limit", "must be between 1 and 100")
        async with self.engine.connect() as conn:
            return KpiTopOffenders(services=await store.top_offenders(conn, query, query.limit))
