"""KPIs on a small fixture whose answers were computed by hand (see each assertion)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
    KpiStats,
)
from imas_incidents.kpis.usecases import KpiUseCases
from imas_incidents.models import incidents, services, teams
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.errors import Invalid
from imas_runtime.service import ServiceRuntime

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
END = START + timedelta(days=7)

# (service, severity, created, mttd, mtta, mttr) in seconds; None = not yet.
FIXTURE = [
    ("redis-prod", "SEV1_CRITICAL", datetime(2026, 3, 2, 10, 0, tzinfo=UTC), 120, 60, 600),
    ("redis-prod", "SEV2_HIGH", datetime(2026, 3, 3, 10, 30, tzinfo=UTC), 0, 180, 1800),
    ("checkout-api", "SEV1_CRITICAL", datetime(2026, 3, 3, 22, 0, tzinfo=UTC), 300, 300, None),
    ("checkout-api", "SEV3_MEDIUM", datetime(2026, 3, 4, 10, 0, tzinfo=UTC), 60, None, None),
    # the previous week
    ("redis-prod", "SEV2_HIGH", datetime(2026, 2, 24, 10, 0, tzinfo=UTC), 0, 120, 1200),
    # after the window
    ("redis-prod", "SEV1_CRITICAL", datetime(2026, 3, 10, 10, 0, tzinfo=UTC), 10, 10, 10),
]


def _after(created: datetime, seconds: int | None) -> datetime | None:
    return None if seconds is None else created + timedelta(seconds=seconds)


@pytest.fixture
async def kpis(incidents_runtime: ServiceRuntime, usecases: IncidentUseCases) -> KpiUseCases:
    async with incidents_runtime.engine.begin() as conn:
        rows = (
            await conn.execute(
                services.outerjoin(teams, services.c.team_id == teams.c.id)
                .select()
                .with_only_columns(services.c.id, services.c.name, teams.c.id, teams.c.name)
            )
        ).all()
        catalog = {r[1]: r for r in rows}
        for service, severity, created, mttd, mtta, mttr in FIXTURE:
            incident_id = uuid.uuid4()
            row = catalog[service]
            acked = _after(created, mtta)
            resolved = _after(created, mttr)
            await conn.execute(
                incidents.insert().values(
                    id=incident_id,
                    short_id=incident_id.hex[:8].upper(),
                    title="fixture",
                    service_id=row[0],
                    service_name=service,
                    team_id=row[2],
                    team_name=row[3],
                    severity=severity,
                    status="RESOLVED" if resolved else "ACKNOWLEDGED" if acked else "TRIGGERED",
                    dedup_key=str(incident_id),
                    detected_at=created - timedelta(seconds=mttd),
                    created_at=created,
                    acknowledged_at=acked,
                    resolved_at=resolved,
                )
            )
    return KpiUseCases(incidents_runtime.engine)


async def test_summary_means_percentiles_and_change(kpis: KpiUseCases) -> None:
    summary = await kpis.summary(GetKpiSummary(start=START, end=END))
    current = summary.current
    assert current.count == 4
    # MTTD 0, 60, 120, 300: p50 between 60 and 120; p90 at 2.7 → 120 + 0.7 * 180
    assert current.mttd == KpiStats(count=4, mean=120.0, p50=90.0, p90=246.0)
    # MTTA 60, 180, 300: p90 at 1.8 → 180 + 0.8 * 120
    assert current.mtta == KpiStats(count=3, mean=180.0, p50=180.0, p90=276.0)
    # MTTR 600, 1800: p90 at 0.9 → 600 + 0.9 * 1200
    assert current.mttr == KpiStats(count=2, mean=1200.0, p50=1200.0, p90=1680.0)
    assert summary.previous.count == 1
    assert summary.change == {"count": 300.0, "mttd": None, "mtta": 50.0, "mttr": 0.0}


async def test_filters_breakdowns_trend_heatmap_and_offenders(kpis: KpiUseCases) -> None:
    redis = await kpis.summary(GetKpiSummary(start=START, end=END, service="redis-prod"))
    assert redis.current.count == 2 and redis.current.mtta.mean == 120.0
    sev1 = await kpis.summary(GetKpiSummary(start=START, end=END, severity="SEV1_CRITICAL"))
    assert sev1.current.count == 2

    by_service = await kpis.breakdown(GetKpiBreakdown(start=START, end=END, group_by="service"))
    assert [(g.key, g.figures.count, g.figures.mttr.mean) for g in by_service.groups] == [
        ("checkout-api", 2, None),
        ("redis-prod", 2, 1200.0),
    ]
    by_team = await kpis.breakdown(GetKpiBreakdown(start=START, end=END, group_by="team"))
    assert [(g.key, g.figures.count) for g in by_team.groups] == [("(none)", 2), ("SRE Core", 2)]

    trend = await kpis.trend(GetKpiTrend(start=START, end=END, bucket="day"))
    assert [(p.bucket_start.day, p.figures.count) for p in trend.points] == [(2, 1), (3, 2), (4, 1)]
    weekly = await kpis.trend(GetKpiTrend(start=START, end=END, bucket="week"))
    assert [(p.bucket_start.date().isoformat(), p.figures.count) for p in weekly.points] == [
        ("2026-03-02", 4)
    ]

    heatmap = await kpis.heatmap(GetKpiHeatmap(start=START, end=END))
    assert [(c.weekday, c.hour, c.count) for c in heatmap.cells] == [
        (1, 10, 1),
        (2, 10, 1),
        (2, 22, 1),
        (3, 10, 1),
    ]
    offenders = await kpis.top_offenders(GetKpiTopOffenders(start=START, end=END))
    assert [(o.service, o.sev1, o.sev2, o.total) for o in offenders.services] == [
        ("redis-prod", 1, 1, 2),
        ("checkout-api", 1, 0, 1),
    ]


async def test_a_backwards_window_is_refused(kpis: KpiUseCases) -> None:
    with pytest.raises(Invalid):
        await kpis.summary(GetKpiSummary(start=END, end=START))
