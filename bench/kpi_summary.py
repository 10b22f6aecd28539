"""KPI queries over 100,000 incidents: how long each takes in PostgreSQL.

Loads 100,000 incidents spread over a year (4 services, 4 severities, random MTTD / MTTA /
MTTR) into a throw-away database, then times each KPI query over a 30-day and a 365-day window.

    uv run python -m bench.kpi_summary
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bench.common import print_table, summary_ms, write_results
from imas_cli.demo import DEMO_CATALOG
from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
)
from imas_incidents.app import MIGRATIONS
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.kpis.usecases import KpiUseCases
from imas_runtime.db import drop_database, ensure_database, make_engine, with_database
from imas_runtime.migrations import upgrade_async

SERVER = os.environ.get("IMAS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
INCIDENTS = 100_000
RUNS = 7
END = datetime(2026, 3, 1, tzinfo=UTC)

# Each incident: a service and team from the catalog, a severity, created within the year,
# detected up to 10 min before, acknowledged (90%) within 30 min, resolved (80%) within 8 h.
LOAD = """
INSERT INTO incidents (id, short_id, title, service_id, service_name, team_id, team_name,
    severity, status, dedup_key, detected_at, created_at, acknowledged_at, resolved_at)
SELECT g.id, upper(substr(replace(g.id::text, '-', ''), 1, 8)), 'bench', s.id, s.name, t.id, t.name,
    (ARRAY['SEV1_CRITICAL','SEV2_HIGH','SEV3_MEDIUM','SEV4_LOW'])[1 + (n % 4)],
    CASE WHEN n % 5 = 0 THEN 'ACKNOWLEDGED' ELSE 'RESOLVED' END, n::text,
    created - random() * interval '10 minutes', created,
    CASE WHEN n % 10 = 0 THEN NULL ELSE created + random() * interval '30 minutes' END,
    CASE WHEN n % 5 = 0 THEN NULL ELSE created + random() * interval '8 hours' END
FROM (
    SELECT gen_random_uuid() AS id, n,
        CAST(:end AS timestamptz) - random() * interval '365 days' AS created,
        n % (SELECT count(*) FROM services) AS k
    FROM generate_series(1, :count) AS n
) AS g
JOIN (SELECT id, name, team_id, row_number() OVER (ORDER BY name) - 1 AS k FROM services) AS s
    ON s.k = g.k
LEFT JOIN teams AS t ON t.id = s.team_id
"""


async def timed(call: Callable[[], Awaitable[Any]]) -> list[float]:
    await call()  # warm the cache: a dashboard asks the same again and again
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return seconds


async def main() -> None:
    name = f"bench_kpi_{uuid.uuid4().hex[:8]}"
    await ensure_database(SERVER, name)
    url = with_database(SERVER, name)
    try:
        await upgrade_async(MIGRATIONS, url)
        engine = make_engine(url)
        await CatalogUseCases(engine).apply(DEMO_CATALOG)
        started = time.perf_counter()
        async with engine.begin() as conn:
            await conn.execute(text(LOAD), {"end": END, "count": INCIDENTS})
            await conn.execute(text("ANALYZE incidents"))
        load_seconds = time.perf_counter() - started
        kpis = KpiUseCases(engine)
        rows = []
        for days in (30, 365):
            window = {"start": END - timedelta(days=days), "end": END}
            queries: dict[str, Callable[[], Awaitable[Any]]] = {
                "summary": lambda w=window: kpis.summary(GetKpiSummary(**w)),
                "summary (service)": lambda w=window: kpis.summary(
                    GetKpiSummary(**w, service="redis-prod")
                ),
                "by service": lambda w=window: kpis.breakdown(GetKpiBreakdown(**w)),
                "by team": lambda w=window: kpis.breakdown(GetKpiBreakdown(**w, group_by="team")),
                "trend (day)": lambda w=window: kpis.trend(GetKpiTrend(**w)),
                "heatmap": lambda w=window: kpis.heatmap(GetKpiHeatmap(**w)),
                "top offenders": lambda w=window: kpis.top_offenders(GetKpiTopOffenders(**w)),
            }
            for label, call in queries.items():
                stats = summary_ms(await timed(call))
                rows.append(
                    {
                        "query": label,
                        "window": f"{days}d",
                        "p50_ms": stats["p50_ms"],
                        "max_ms": stats["max_ms"],
                    }
                )
        await engine.dispose()
        print(f"loaded {INCIDENTS:,} incidents in {load_seconds:.1f}s")
        print_table(f"KPI queries over {INCIDENTS:,} incidents ({RUNS} runs each)", rows)
        write_results("kpi_summary", {"incidents": INCIDENTS, "runs": RUNS, "rows": rows})
    finally:
        await drop_database(SERVER, name)


if __name__ == "__main__":
    asyncio.run(main())
