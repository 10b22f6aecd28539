"""KPI queries answered by the incidents service: MTTD, MTTA and MTTR over a time window.

MTTD = created_at - detected_at, MTTA = acknowledged_at - created_at, MTTR = resolved_at -
created_at, in seconds. An incident belongs to a window by its ``created_at`` (start included,
end excluded). Statistics leave out incidents the measure does not apply to yet (an
unacknowledged incident has no MTTA), so each carries its own ``count``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Message, Request


class KpiStats(msgspec.Struct, frozen=True, kw_only=True):
    """Mean, median and 90th percentile in seconds over ``count`` incidents (None if none)."""

    count: int = 0
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None


class KpiFigures(msgspec.Struct, frozen=True, kw_only=True):
    """How many incidents, and their MTTD / MTTA / MTTR."""

    count: int = 0
    mttd: KpiStats = KpiStats()
    mtta: KpiStats = KpiStats()
    mttr: KpiStats = KpiStats()


class KpiFilter(Request, frozen=True, kw_only=True):
    """The window ``[start, end)`` and optional filters (service and team names, a severity)."""

    start: datetime
    end: datetime
    service: str = ""
    team: str = ""
    severity: str = ""


class KpiSummary(Message, frozen=True, kw_only=True, tag="incidents.kpis.summary.reply.v1"):
    """The window's figures, the previous window's (same length, just before) and the change
    in percent of each (``count``, ``mttd``, ``mtta``, ``mttr`` means; None when undefined)."""

    start: datetime
    end: datetime
    current: KpiFigures
    previous: KpiFigures
    change: dict[str, float | None] = {}


class GetKpiSummary(KpiFilter, frozen=True, kw_only=True, tag="incidents.kpis.summary.v1"):
    reply_type: ClassVar[type[Message]] = KpiSummary


class KpiGroup(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    figures: KpiFigures


class KpiBreakdown(Message, frozen=True, kw_only=True, tag="incidents.kpis.breakdown.reply.v1"):
    """Figures per service, team or severity, the group with most incidents first."""

    group_by: str
    groups: list[KpiGroup] = []


class GetKpiBreakdown(KpiFilter, frozen=True, kw_only=True, tag="incidents.kpis.breakdown.v1"):
    reply_type: ClassVar[type[Message]] = KpiBreakdown

    group_by: Literal["service", "team", "severity"] = "service"


class KpiPoint(msgspec.Struct, frozen=True, kw_only=True):
    bucket_start: datetime
    figures: KpiFigures


class KpiTrend(Message, frozen=True, kw_only=True, tag="incidents.kpis.trend.reply.v1"):
    """Figures per day or ISO week (UTC), oldest first; empty buckets are left out."""

    bucket: str
    points: list[KpiPoint] = []


class GetKpiTrend(KpiFilter, frozen=True, kw_only=True, tag="incidents.kpis.trend.v1"):
    reply_type: ClassVar[type[Message]] = KpiTrend

    bucket: Literal["day", "week"] = "day"


class HeatCell(msgspec.Struct, frozen=True, kw_only=True):
    """Incidents created on ``weekday`` (1 = Monday … 7 = Sunday) at ``hour`` (0-23, UTC)."""

    weekday: int
    hour: int
    count: int


class KpiHeatmap(Message, frozen=True, kw_only=True, tag="incidents.kpis.heatmap.reply.v1"):
    cells: list[HeatCell] = []


class GetKpiHeatmap(KpiFilter, frozen=True, kw_only=True, tag="incidents.kpis.heatmap.v1"):
    reply_type: ClassVar[type[Message]] = KpiHeatmap


class Offender(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    sev1: int
    sev2: int
    total: int


class KpiTopOffenders(
    Message, frozen=True, kw_only=True, tag="incidents.kpis.top_offenders.reply.v1"
):
    """Services with the most SEV1 + SEV2 incidents in the window, most first."""

    services: list[Offender] = []


class GetKpiTopOffenders(
    KpiFilter, frozen=True, kw_only=True, tag="incidents.kpis.top_offenders.v1"
):
    reply_type: ClassVar[type[Message]] = KpiTopOffenders

    limit: int = 10


REQUESTS: tuple[type[Request], ...] = (
    GetKpiSummary,
    GetKpiBreakdown,
    GetKpiTrend,
    GetKpiHeatmap,
    GetKpiTopOffenders,
)
