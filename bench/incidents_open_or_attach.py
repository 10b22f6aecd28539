"""Open-or-attach decisions per second, against PostgreSQL, through the incidents use case.

Concurrent callers send alerts for a handful of keys (90% duplicates, as in a storm); every call
is one committed decision. Uses ``IMAS_DATABASE_URL`` (default: the local server) and a
throw-away database.

    uv run python -m bench.incidents_open_or_attach
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid

from bench.common import print_table, summary_ms, write_results
from imas_cli.demo import DEMO_CATALOG
from imas_contracts.incidents import OpenOrAttach
from imas_incidents.app import MIGRATIONS
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.db import drop_database, ensure_database, make_engine, with_database
from imas_runtime.migrations import upgrade_async

SERVER = os.environ.get("IMAS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DECISIONS = 5_000


async def run(concurrency: int, duplicates: float) -> dict[str, object]:
    name = f"bench_ooa_{uuid.uuid4().hex[:8]}"
    await ensure_database(SERVER, name)
    url = with_database(SERVER, name)
    try:
        await upgrade_async(MIGRATIONS, url)
        engine = make_engine(url, pool_size=concurrency, max_overflow=0)
        await CatalogUseCases(engine).apply(DEMO_CATALOG)
        usecases = IncidentUseCases(engine)
        rng = random.Random(7)
        services = [s.name for s in DEMO_CATALOG.services]
        alerts = [
            OpenOrAttach(
                title="Disk full",
                service_name=rng.choice(services),
                severity="SEV2_HIGH",
                dedup_key=f"k{rng.randrange(5)}" if rng.random() < duplicates else uuid.uuid4().hex,
            )
            for _ in range(DECISIONS)
        ]
        latencies: list[float] = []
        queue = iter(alerts)

        async def worker() -> None:
            for alert in queue:
                started = time.perf_counter()
                await usecases.open_or_attach(alert)
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        await engine.dispose()
        return {
            "concurrency": concurrency,
            "duplicates": f"{duplicates:.0%}",
            "decisions": DECISIONS,
            "per_second": round(DECISIONS / elapsed),
            **{k: v for k, v in summary_ms(latencies).items() if k != "count"},
        }
    finally:
        await drop_database(SERVER, name)


async def main() -> None:
    rows = [await run(c, d) for c, d in ((1, 0.9), (16, 0.9), (64, 0.9), (64, 0.0))]
    print_table("open-or-attach decisions (incidents use case, PostgreSQL)", rows)
    write_results("incidents_open_or_attach", {"rows": rows})


if __name__ == "__main__":
    asyncio.run(main())
