"""Pages per second to a local webhook receiver, and incidents.triggered → provider call.

The notifier runs as its own process (incidents beside it only to apply the demo catalog);
``IncidentTriggered`` events are published straight onto JetStream, which isolates the
notifier from the API and from incident handling. Each is a SEV4 incident with no team, so
the default routing sends exactly one ticket (the outbound webhook provider configured through
``notifier.provider.put.v1``); a stored rule silences the team log line. Latency is the
receiver's clock when the request arrived minus the event's ``occurred_at`` (same machine).

Two phases: a steady one (``--rate`` events a second for ``--seconds``, each published on its
schedule without waiting for the previous acknowledgement: does the notifier keep up, and with
what latency) and a burst of ``--burst`` events published as fast as JetStream takes them
(deliveries per second). Each phase also reports the notifier's CPU-seconds per page (user +
system time of its process), less sensitive than wall time to other work on the machine.

    uv run python -m bench.notifier_throughput [--rate 250] [--seconds 20] [--burst 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

import psutil

from bench.common import print_table, running_mesh, summary_ms, write_results
from imas_contracts.incidents import IncidentTriggered
from imas_runtime.bus import Bus
from imas_testing.fake_providers import WebhookReceiver
from tests.e2e.notifier_pages import page_tickets_to, sev4_triggered


class TimedReceiver(WebhookReceiver):
    """Notes when each page arrived (before answering), by ``X-Webhook-Id``."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}
        self.incident_of: dict[str, str] = {}

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        delivery = headers.get("x-webhook-id", "")
        self.arrived.setdefault(delivery, time.time())
        self.incident_of[delivery] = str((body or {}).get("incident", {}).get("incident_id", ""))
        return await super().handle(method, path, headers, body)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def publish_steady(bus: Bus, run: str, rate: float, seconds: float) -> dict[str, float]:
    """Publish ``rate`` events a second for ``seconds``, each at its time (acks awaited
    concurrently, so a slow ack does not delay the next event); incident id → occurred_at."""
    sent: dict[str, float] = {}
    pending: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
        event = sev4_triggered(run, i)
        sent[event.incident.id] = event.occurred_at.timestamp()
        task = asyncio.create_task(bus.publish(event))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)
    return sent


async def publish_burst(bus: Bus, run: str, count: int) -> dict[str, float]:
    """Publish ``count`` events at once (64 awaiting JetStream at a time)."""
    events = [sev4_triggered(run, i) for i in range(count)]
    gate = asyncio.Semaphore(64)

    async def one(event: IncidentTriggered) -> None:
        async with gate:
            await bus.publish(event)

    await asyncio.gather(*(one(e) for e in events))
    return {e.incident.id: e.occurred_at.timestamp() for e in events}


async def received(receiver: TimedReceiver, sent: dict[str, float], timeout: float) -> list[float]:
    """Wait until every incident of ``sent`` was paged (or ``timeout``); arrival times."""
    deadline = time.monotonic() + timeout
    while True:
        arrival = {receiver.incident_of[d]: t for d, t in receiver.arrived.items()}
        got = [arrival[i] for i in sent if i in arrival]
        if len(got) == len(sent) or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.1)


def latencies(receiver: TimedReceiver, sent: dict[str, float]) -> list[float]:
    arrival = {receiver.incident_of[d]: t for d, t in receiver.arrived.items()}
    return [max(arrival[i] - t, 0.0) for i, t in sent.items() if i in arrival]


async def main(rate: float, seconds: float, burst: int) -> None:
    run = uuid.uuid4().hex[:6]
    async with running_mesh(("incidents", "notifier")) as mesh, TimedReceiver() as receiver:
        notifier = psutil.Process(mesh.processes["notifier"].pid)
        bus = Bus("bench", mesh.nats_url)
        await bus.connect()
        try:
            await page_tickets_to(bus, mesh.databases["notifier"], f"{receiver.url}/hook")
            # Warm-up: the first pages open connections and fill caches.
            await received(receiver, await publish_burst(bus, f"{run}w", 20), timeout=30)

            cpu_before, steady_start = cpu_seconds(notifier), time.time()
            steady = await publish_steady(bus, f"{run}s", rate, seconds)
            steady_arrivals = await received(receiver, steady, timeout=60)
            steady_cpu = cpu_seconds(notifier) - cpu_before
            steady_elapsed = (max(steady_arrivals) - steady_start) if steady_arrivals else 0.0

            cpu_before, burst_start = cpu_seconds(notifier), time.time()
            bursted = await publish_burst(bus, f"{run}b", burst)
            published = time.time() - burst_start
            burst_arrivals = await received(receiver, bursted, timeout=300)
            burst_cpu = cpu_seconds(notifier) - cpu_before
            burst_elapsed = (max(burst_arrivals) - burst_start) if burst_arrivals else 0.0
        finally:
            await bus.close()

    def phase(name: str, arrivals: list[float], elapsed: float, cpu: float, sent: Any) -> Any:
        return {
            "phase": name,
            "paged": len(arrivals),
            "pages_per_s": round(len(arrivals) / elapsed, 1) if elapsed else 0.0,
            "cpu_ms_per_page": round(1000 * cpu / len(arrivals), 2) if arrivals else 0.0,
            **summary_ms(latencies(receiver, sent)),
        }

    rows = [
        phase(f"steady {rate:.0f}/s {seconds:.0f}s", steady_arrivals, steady_elapsed,
              steady_cpu, steady),
        phase(f"burst {burst}", burst_arrivals, burst_elapsed, burst_cpu, bursted),
    ]  # fmt: skip
    duplicates = len(receiver.requests) - len(receiver.arrived)
    print_table(
        f"notifier → webhook (burst published in {published:.2f}s; duplicate requests "
        f"{duplicates}; latency = occurred_at → request at the receiver)",
        rows,
    )
    write_results(
        "notifier_throughput",
        {
            "steady_rate_per_s": rate,
            "steady_seconds": seconds,
            "burst": burst,
            "burst_publish_seconds": round(published, 3),
            "duplicate_requests": duplicates,
            "steady": rows[0],
            "burst_phase": rows[1],
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=250)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--burst", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.burst))
