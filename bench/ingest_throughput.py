"""Alerts per second through ingest alone (raw payloads published straight into JetStream)
and end to end (webhook POSTs through the gateway), 90% duplicates as in production storms.

With ``--rates``, single-alert webhook POSTs instead arrive open-loop at each rate in turn
(``--seconds`` each); per rate: accepted per second, 5xx answers, alerts lost (accepted but
never recorded by ingest nor counted on an incident) and the services' CPU.

uv run python -m bench.ingest_throughput [alerts]
uv run python -m bench.ingest_throughput --rates 100,250,500,1000 [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import msgspec

from bench._ingest import (
    alert_rows,
    create_integration,
    incident_alert_total,
    post_all,
    services_cpu_seconds,
    wait_for_rows,
)
from bench.common import BenchMesh, print_table, running_mesh, write_results
from bench.load import constant_rate
from imas_contracts import new_event_id, utcnow
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_runtime.bus import MSG_ID_HEADER, Bus

SERVICES = ("incidents", "ingest", "gateway")


def alert(i: int, run: str) -> dict[str, object]:
    # One alert in ten is new; the others repeat one of a hundred open problems.
    key = f"{run}-new-{i}" if i % 10 == 0 else f"{run}-dup-{i % 100}"
    return {"title": f"Disk almost full ({key})", "severity": "warning", "dedup_key": key}


async def ingest_alone(mesh: BenchMesh, total: int) -> dict[str, object]:
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
    done = await wait_for_rows(mesh.databases["ingest"], integration["id"], total)
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


async def custom_webhook(mesh: BenchMesh) -> tuple[str, str]:
    """A new custom integration: its id and the webhook URL monitoring would POST to."""
    integration = await create_integration(mesh, "custom", "postgres-prod")
    token = integration["webhook_url"].split("token=")[1]
    return integration["id"], f"{mesh.gateway}/api/v1/webhooks/custom/?token={token}"


async def end_to_end(mesh: BenchMesh, total: int, clients: int) -> dict[str, object]:
    integration_id, url = await custom_webhook(mesh)
    run = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    elapsed, statuses, _ = await post_all(url, total, clients, lambda i: alert(i, run))
    done = await wait_for_rows(mesh.databases["ingest"], integration_id, total)
    return {
        "path": f"HTTP webhooks, {clients} clients (gateway → JetStream → ingest → incidents)",
        "alerts": total,
        "send_s": round(elapsed, 2),
        "accepted_per_s": round(total / elapsed),
        "processed_s": round(done - started, 2),
        "alerts_per_s": round(total / (done - started)),
        "statuses": statuses,
    }


ACCEPTED = (200, 201, 202)


async def at_rate(mesh: BenchMesh, rate: int, seconds: float) -> dict[str, object]:
    """One step of the rising-rate run: its own integration and keys, so counts are its own."""
    integration_id, url = await custom_webhook(mesh)
    run = uuid.uuid4().hex[:6]
    pids = [p.pid for p in mesh.processes.values() if p.pid is not None]
    cpu_before, wall_before = services_cpu_seconds(pids), time.perf_counter()
    own_before = time.process_time()
    load = await constant_rate(
        url, {}, lambda i: alert(i, run), rate=rate, seconds=seconds, keep_body=False
    )
    # The generator shares the machine: when it saturates a core, the offered rate falls short.
    generator_cpu = (time.process_time() - own_before) / load.elapsed
    statuses = load.status_counts()
    failures = {str(o.body) for o in load.outcomes if o.status >= 500}
    if failures:
        print(f"{rate}/s: 5xx answers: {sorted(failures)[:5]}", flush=True)
    accepted = sum(n for status, n in statuses.items() if status in ACCEPTED)
    # Whatever was accepted must land; the drain after the load counts towards CPU as well.
    await wait_for_rows(mesh.databases["ingest"], integration_id, accepted, timeout=120)
    cpu = services_cpu_seconds(pids) - cpu_before
    wall = time.perf_counter() - wall_before
    recorded = await alert_rows(mesh.databases["ingest"], integration_id)
    on_incidents = await incident_alert_total(mesh.databases["incidents"], f"{run}-")
    return {
        "rate_per_s": rate,
        "sent": int(rate * seconds),
        "offered_per_s": round(int(rate * seconds) / load.elapsed),
        "accepted_per_s": round(accepted / load.elapsed),
        "5xx": sum(n for status, n in statuses.items() if status >= 500),
        "other_4xx": sum(n for status, n in statuses.items() if 400 <= status < 500),
        "errors": load.errors,
        "accepted": accepted,
        "recorded": recorded,
        "on_incidents": on_incidents,
        # Answers that never came (client timeouts) may still have been accepted: those land
        # without counting as accepted, so only a shortfall is a loss.
        "lost": max(0, accepted - min(recorded, on_incidents)),
        "cpu_cores": round(cpu / wall, 2),
        "generator_cpu": round(generator_cpu, 2),
        "drain_s": round(wall - load.elapsed, 2),
    }


async def rising(rates: list[int], seconds: float) -> None:
    async with running_mesh(SERVICES) as mesh:
        rows = [await at_rate(mesh, rate, seconds) for rate in rates]
    print_table(f"ingest at rising rates, {seconds:g} s each (90% duplicates)", rows)
    write_results("ingest_rates", {"seconds": seconds, "services": SERVICES, "rows": rows})


async def main(total: int) -> None:
    async with running_mesh(SERVICES) as mesh:
        rows = [await ingest_alone(mesh, total), await end_to_end(mesh, total, 50)]
    print_table("ingest throughput (90% duplicates)", rows)
    write_results("ingest_throughput", {"rows": rows})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("alerts", nargs="?", type=int, default=10_000)
    parser.add_argument("--rates", help="comma-separated alerts per second, e.g. 100,250,500")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of each rate")
    args = parser.parse_args()
    if args.rates:
        asyncio.run(rising([int(r) for r in args.rates.split(",")], args.seconds))
    else:
        asyncio.run(main(args.alerts))
