"""What every benchmark shares: the mesh as real processes, percentiles, the table, the JSON."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import shutil
import statistics
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imas_cli.demo import DEMO_CATALOG, DEMO_PROVIDER
from imas_runtime.db import drop_database
from imas_runtime.embedded import EmbeddedNats, EmbeddedPostgres, EmbeddedRedis
from imas_testing.processes import ProcessMesh, running_processes

RESULTS = Path(__file__).parent / "results"
SERVICES = ("incidents", "ingest", "notifier", "escalation", "warroom", "gateway")


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
    }


def machine() -> dict[str, Any]:
    """Where and when a result was measured: the load average is the machine's when the result
    is written (a benchmark records its own at its start beside it)."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_table(title: str, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    print(f"\n{title}")
    if not rows:
        print("(no rows)")
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **data}, indent=2))
    print(f"\nwrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return path


# The mesh a benchmark runs (imas_testing.processes): ``databases`` are URLs by service.
BenchMesh = ProcessMesh


def _not_logs(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".log")]


@contextlib.asynccontextmanager
async def running_mesh(
    services: Sequence[str] = SERVICES, extra_env: dict[str, str] | None = None
) -> AsyncIterator[BenchMesh]:
    """The services as separate processes on NATS (always embedded) and on PostgreSQL / Redis
    from ``IMAS_TEST_DATABASE_URL`` / ``IMAS_TEST_REDIS_URL`` or embedded ones."""
    with tempfile.TemporaryDirectory(prefix="imas-bench-") as tmp:
        root = Path(tmp)
        stack = contextlib.ExitStack()
        nats = EmbeddedNats(root / "nats").start()
        stack.callback(nats.stop)
        pg_url = os.environ.get("IMAS_TEST_DATABASE_URL")
        if not pg_url:
            pg = EmbeddedPostgres(root / "pg").start()
            stack.callback(pg.stop)
            pg_url = pg.url
        redis_url = os.environ.get("IMAS_TEST_REDIS_URL")
        if not redis_url:
            redis = EmbeddedRedis(root / "redis").start()
            stack.callback(redis.stop)
            redis_url = redis.url
        run_id = secrets.token_hex(3)
        databases = {svc: f"bench_{run_id}_{svc}" for svc in services}
        try:
            async with running_processes(
                services,
                nats_url=nats.url,
                postgres_url=pg_url,
                redis_url=redis_url,
                databases=databases,
                log_dir=root,
                env={"IMAS_LOG_LEVEL": "warning", **(extra_env or {})},
                ready_timeout=120,
                stop="terminate",
                catalog=DEMO_CATALOG,
                provider=DEMO_PROVIDER,
            ) as mesh:
                yield mesh
        finally:
            if keep := os.environ.get("IMAS_BENCH_LOGS"):
                # The services' logs outlive the run when asked (they are in a temporary dir).
                shutil.copytree(root, keep, dirs_exist_ok=True, ignore=_not_logs)
            for database in databases.values():
                with contextlib.suppress(Exception):
                    await drop_database(pg_url, database)
            stack.close()
