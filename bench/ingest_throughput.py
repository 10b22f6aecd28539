"""Alerts per second through ingest alone (raw payloads published straight into JetStream)
and end to end (webhook POSTs through the gateway), 90% duplicates as in production storms.

uv run python -m bench.ingest_throughput [alerts]
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import msgspec

from bench._ingest import create_integration, post_all, wait_for_rows
from bench.common import print_table, running_mesh, write_results
from imas_contracts import new_event_id, utcnow
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_runtime.bus import MSG_ID_HEADER, Bus

SERVICES = ("incidents", "ingest", "gateway")


def alert(i: int, run: str) -> dict[str, object]:
    # One alert in ten is new; the others repeat one of a hundred open problems.
    key = f"{run}-new-{i}" if i % 10 == 0 else f"{run}-dup-{i % 100}"
    return {"title": f"Disk almost full ({key})", "severity": "warning", "dedup_key": key}


async def ingest_alone(mesh: object, total: int) -> dict[str, object]:
    from bench.common import BenchMesh

    assert isinstance(mesh, BenchMesh)
    integration = await create_integration(mesh, "custom", "postgres-prod")
    run = uuid.uuid4().hex[:6]
    bus = Bus("bench", mesh.nats_url)
    await bus.connect()
    started = time.perf_counter()
    futures = []
    for i in range(total):
        event = AlertReceived(
            event_id=new_event_id(),
            occurred_at=utcnow(),
            source="custom",
            integration_id=integration["id"],
            payload=msgspec.json.encode(alert(i, run)),
        )
        futures.append(
            await bus.js.publish_async(
                raw_alert_subject("custom"),
                msgspec.json.encode(event),
                headers={MSG_ID_HEADER: event.event_id},
            )
        )
    await asyncio.gather(*futures)
    published = time.perf_counter()
    done = await wait_for_rows(mesh.database_urls["ingest"], integration["id"], total)
    await bus.close()
    elapsed = done - started
    return {
        "path": "ingest alone (JetStream → ingest → incidents)",
        "alerts": total,
        "send_s": round(published - started, 2),
        "accepted_per_s": round(total / (published - started)),
        "processed_s": round(elapsed, 2),
        "alerts_per_s": round(total / elapsed),
    }


async def end_to_end(mesh: object, total: int, clients: int) -> dict[str, object]:
    from bench.common import BenchMesh

    assert isinstance(mesh, BenchMesh)
    integration = await create_integration(mesh, "custom", "postgres-prod")
    token = integration["webhook_url"].split("token=")[1]
    url = f"{mesh.gateway}/api/v1/webhooks/custom/?token={token}"
    run = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    elapsed, statuses, _ = await post_all(url, total, clients, lambda i: alert(i, run))
    done = await wait_for_rows(mesh.database_urls["ingest"], integration["id"], total)
    return {
        "path": f"HTTP webhooks, {clients} clients (gateway → JetStream → ingest → incidents)",
        "alerts": total,
        "send_s": round(elapsed, 2),
        "accepted_per_s": round(total / elapsed),
        "processed_s": round(done - started, 2),
        "alerts_per_s": round(total / (done - started)),
        "statuses": statuses,
    }


async def main(total: int) -> None:
    async with running_mesh(SERVICES) as mesh:
        rows = [await ingest_alone(mesh, total), await end_to_end(mesh, total, 50)]
    print_table("ingest throughput (90% duplicates)", rows)
    write_results("ingest_throughput", {"rows": rows})


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
