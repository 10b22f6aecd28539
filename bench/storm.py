"""An alert storm: 10,000 identical alerts from 50 concurrent clients through the webhook API.

Expected: exactly one incident, its alert count reaching 10,000, drained within seconds of
the last POST, and each of its recipients paged once (never once per alert).
uv run python -m bench.storm [alerts] [clients]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import asyncpg

from bench._ingest import create_integration, incidents_for, post_all, wait_for_rows
from bench.common import print_table, running_mesh, write_results
from imas_runtime.db import asyncpg_dsn

SERVICES = ("incidents", "ingest", "notifier", "gateway")


async def main(total: int, clients: int) -> None:
    async with running_mesh(SERVICES) as mesh:
        integration = await create_integration(mesh, "custom", "redis-prod")
        token = integration["webhook_url"].split("token=")[1]
        url = f"{mesh.gateway}/api/v1/webhooks/custom/?token={token}"
        dedup = f"storm-{uuid.uuid4().hex[:8]}"
        body = {"title": "Redis Cluster Down", "severity": "critical", "dedup_key": dedup}
        started = time.perf_counter()
        elapsed, statuses, last_post = await post_all(url, total, clients, lambda _: body)
        recorded = await wait_for_rows(mesh.databases["ingest"], integration["id"], total)
        found = await incidents_for(mesh.databases["incidents"], dedup)
        while sum(c for _, c in found) < total and time.perf_counter() - recorded < 30:
            await asyncio.sleep(0.05)
            found = await incidents_for(mesh.databases["incidents"], dedup)
        pages = await _pages(mesh.databases["notifier"], [i for i, _ in found])
    row = {
        "alerts": total,
        "clients": clients,
        "post_s": round(elapsed, 2),
        "accepted_per_s": round(total / elapsed),
        "statuses": statuses,
        "incidents_created": len(found),
        "final_alert_count": sum(c for _, c in found),
        # Trigger pages (follow-ups aside): one per recipient and channel.
        "pages": len(pages),
        "recipients_paged": len(set(pages)),
        "drain_after_last_post_s": round(max(0.0, recorded - last_post), 2),
        "total_s": round(recorded - started, 2),
    }
    print_table("alert storm", [row])
    write_results("storm", row)


async def _pages(database_url: str, incident_ids: list[str]) -> list[tuple[str, str]]:
    """(channel, recipient) of every trigger page of the incidents, once they are settled."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        deadline = time.monotonic() + 30
        while True:
            rows = await conn.fetch(
                "SELECT channel, recipient, status FROM deliveries"
                " WHERE incident_id = ANY($1::uuid[]) AND kind = 'page'",
                incident_ids,
            )
            settled = rows and all(r["status"] in ("sent", "failed", "dead") for r in rows)
            if settled or time.monotonic() > deadline:
                return [(r["channel"], r["recipient"]) for r in rows]
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


if __name__ == "__main__":
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    asyncio.run(main(total, clients))
