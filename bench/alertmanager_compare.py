"""IMAS side by side with Prometheus Alertmanager, same machine, same load.

Two phases, run against each in turn (never both at once):

- capacity: 50 clients POST alerts back to back for ``--seconds`` (90% repeat one of a hundred
  open problems, 10% are new): accepted alerts per second.
- latency: an open-loop load of new alerts at ``--rate`` per second, each one becoming one
  notification: from the POST being sent to the notification. For Alertmanager the
  notification is its webhook reaching a local receiver (route ``group_by: ['...']``,
  ``group_wait: 0s``, so each alert is its own group, notified at once); for IMAS it is the
  page handed to the provider (the notifier's ``sent_at``, log provider), as e2e_latency.

IMAS takes alerts as monitoring sends them, on a custom-integration webhook (answered 202 once
durably queued in JetStream; ``--path api``: ``POST /api/v1/incidents/``, answered once the
incident decision is committed), Alertmanager on ``POST /api/v2/alerts`` (answered once held
in memory).

Alertmanager is Debian's ``prometheus-alertmanager``; this benchmark does not install it:

    sudo apt-get update && sudo apt-get install -y prometheus-alertmanager
    uv run python -m bench.alertmanager_compare [--rate 250] [--seconds 15] [--path webhook|api]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench._ingest import create_integration
from bench.common import print_table, running_mesh, summary_ms, write_results
from bench.load import constant_rate
from bench.rawhttp import Client, HttpError
from imas_runtime.db import asyncpg_dsn
from imas_runtime.embedded import free_port

SERVICES = ("incidents", "ingest", "notifier", "gateway")
ALERTMANAGER = "prometheus-alertmanager"
CLIENTS = 50


def _key(i: int, run: str) -> str:
    # One alert in ten is new; the others repeat one of a hundred open problems.
    return f"{run}-new-{i}" if i % 10 == 0 else f"{run}-dup-{i % 100}"


async def capacity(
    url: str, headers: dict[str, str], body_for: Callable[[int], Any], seconds: float
) -> dict[str, Any]:
    """``CLIENTS`` closed-loop clients for ``seconds``: accepted (2xx) per second."""
    counts = {"accepted": 0, "refused": 0, "errors": 0}
    next_i = iter(range(10**9))
    client = Client(url, headers, max_connections=CLIENTS)
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < stop:
            try:
                status, _ = await asyncio.wait_for(client.post(body_for(next(next_i))), 30)
            except (HttpError, TimeoutError):
                counts["errors"] += 1
                continue
            counts["accepted" if 200 <= status < 300 else "refused"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    elapsed = time.perf_counter() - started
    client.close()
    return {**counts, "seconds": round(elapsed, 2), "per_s": round(counts["accepted"] / elapsed)}


# --- Alertmanager ---------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """The webhook receiver: the first time each alert's ``key`` label arrives."""

    received: dict[str, float] = {}

    def do_POST(self) -> None:
        now = time.time()
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
        for alert in body.get("alerts", []):
            self.received.setdefault(alert["labels"].get("key", ""), now)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def receiver() -> Iterator[tuple[str, dict[str, float]]]:
    received: dict[str, float] = {}
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", received
    finally:
        server.shutdown()


@contextlib.contextmanager
def alertmanager(binary: str, webhook: str) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="imas-bench-am-") as tmp:
        root = Path(tmp)
        config = root / "alertmanager.yml"
        config.write_text(
            json.dumps(  # YAML is a superset of JSON
                {
                    "route": {
                        "receiver": "bench",
                        "group_by": ["..."],
                        "group_wait": "0s",
                        "group_interval": "5m",
                        "repeat_interval": "4h",
                    },
                    "receivers": [
                        {
                            "name": "bench",
                            "webhook_configs": [{"url": webhook, "send_resolved": False}],
                        }
                    ],
                }
            )
        )
        port = free_port()
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={root / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=(root / "am.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"alertmanager did not start:\n{(root / 'am.log').read_text()}"
                    )
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


def stamp(sent: dict[str, float], key: str) -> str:
    """Note when the alert ``key`` is posted (wall clock, as the receiver's and ``sent_at``)."""
    sent[key] = time.time()
    return key


def am_alert(key: str) -> list[dict[str, Any]]:
    return [
        {
            "labels": {"alertname": "CheckoutLatency", "service": "checkout-api", "key": key},
            "annotations": {"summary": f"Checkout latency {key}"},
            "startsAt": datetime.now(UTC).isoformat(),
        }
    ]


async def run_alertmanager(binary: str, rate: float, seconds: float) -> dict[str, Any]:
    run = uuid.uuid4().hex[:6]
    with receiver() as (webhook, received), alertmanager(binary, webhook) as url:
        endpoint = f"{url}/api/v2/alerts"
        cap = await capacity(endpoint, {}, lambda i: am_alert(_key(i, run)), seconds)
        received.clear()
        sent: dict[str, float] = {}
        load = await constant_rate(
            endpoint,
            {},
            lambda i: am_alert(stamp(sent, f"{run}-lat-{i}")),  # type: ignore[arg-type,return-value]
            rate=rate,
            seconds=seconds,
            keep_body=False,
        )
        deadline = time.monotonic() + 60
        while True:
            if len(received) >= len(sent) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.25)
        latencies = [max(received[k] - t, 0.0) for k, t in sent.items() if k in received]
        answered = sum(1 for o in load.outcomes if o.status == 200)
    return {
        "capacity": cap,
        "latency": {
            "answered": answered,
            "notified": len(latencies),
            "post": summary_ms([o.latency for o in load.outcomes]),
            "post_to_notification": summary_ms(latencies),
        },
    }


# --- IMAS -----------------------------------------------------------------------------------


def imas_webhook_alert(key: str) -> dict[str, Any]:
    return {
        "title": f"Checkout latency {key}",
        "service": "checkout-api",
        "severity": "high",  # SEV2, as the API path's alerts
        "dedup_key": key,
    }


def imas_alert(key: str) -> dict[str, Any]:
    return {
        "title": f"Checkout latency {key}",
        "service_name": "checkout-api",
        "severity": "SEV2_HIGH",
        "dedup_key": key,
    }


async def run_imas(rate: float, seconds: float, path: str) -> dict[str, Any]:
    run = uuid.uuid4().hex[:6]
    async with running_mesh(SERVICES) as mesh:
        if path == "webhook":
            integration = await create_integration(mesh, "custom", "checkout-api")
            query = integration["webhook_url"].split("?", 1)[1]
            endpoint, headers = f"{mesh.gateway}/api/v1/webhooks/custom/?{query}", {}
            body, accepted = imas_webhook_alert, 202
        else:
            endpoint, headers = f"{mesh.gateway}/api/v1/incidents/", mesh.auth
            body, accepted = imas_alert, 201
        cap = await capacity(endpoint, headers, lambda i: body(_key(i, run)), seconds)
        # Let the pages of the capacity phase drain before timing pages.
        await asyncio.sleep(5)
        sent: dict[str, float] = {}
        load = await constant_rate(
            endpoint,
            headers,
            lambda i: body(stamp(sent, f"{run}-lat-{i}")),
            rate=rate,
            seconds=seconds,
        )
        answered = sum(1 for o in load.outcomes if o.status == accepted)
        incidents = await asyncpg.connect(asyncpg_dsn(mesh.database_urls["incidents"]))
        notifier = await asyncpg.connect(asyncpg_dsn(mesh.database_urls["notifier"]))
        try:
            deadline = time.monotonic() + 60
            while True:
                # Alerts still on their way have no incident yet: look again each round.
                keys = {
                    r["id"]: r["dedup_key"]
                    for r in await incidents.fetch(
                        "SELECT id::text AS id, dedup_key FROM incidents WHERE dedup_key = ANY($1)",
                        list(sent),
                    )
                }
                # An incident's first page: an incident may have several deliveries.
                rows = await notifier.fetch(
                    "SELECT incident_id::text AS id, min(extract(epoch FROM sent_at)) AS sent"
                    " FROM deliveries WHERE status = 'sent' AND incident_id = ANY($1::uuid[])"
                    " GROUP BY incident_id",
                    list(keys),
                )
                if len(rows) >= len(sent) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
        finally:
            await incidents.close()
            await notifier.close()
    paged = {keys[r["id"]]: float(r["sent"]) for r in rows}
    latencies = [max(paged[k] - t, 0.0) for k, t in sent.items() if k in paged]
    return {
        "capacity": cap,
        "latency": {
            "answered": answered,
            "notified": len(latencies),
            "post": summary_ms([o.latency for o in load.outcomes]),
            "post_to_notification": summary_ms(latencies),
        },
    }


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


async def main(rate: float, seconds: float, path: str) -> int:
    binary = shutil.which(ALERTMANAGER) or shutil.which("alertmanager")
    if binary is None:
        print(
            f"{ALERTMANAGER} not found. Install Debian's package, then run again:\n"
            "  sudo apt-get update && sudo apt-get install -y prometheus-alertmanager\n"
            "(the package's service need not run: the benchmark starts its own instance)"
        )
        return 2
    am = await run_alertmanager(binary, rate, seconds)
    imas = await run_imas(rate, seconds, path)
    rows = []
    for label, keys in (
        ("accepted alerts/s (50 clients)", ("capacity", "per_s")),
        ("POST p50 ms", ("latency", "post", "p50_ms")),
        ("POST p99 ms", ("latency", "post", "p99_ms")),
        ("POST -> notification p50 ms", ("latency", "post_to_notification", "p50_ms")),
        ("POST -> notification p90 ms", ("latency", "post_to_notification", "p90_ms")),
        ("POST -> notification p99 ms", ("latency", "post_to_notification", "p99_ms")),
        ("POST -> notification max ms", ("latency", "post_to_notification", "max_ms")),
    ):
        values = []
        for side in (imas, am):
            value: Any = side
            for part in keys:
                value = value[part]
            values.append(float(value))
        rows.append(
            {
                "measure": label,
                "IMAS": values[0],
                "Alertmanager": values[1],
                "IMAS / Alertmanager": _ratio(values[0], values[1]),
            }
        )
    notified = (
        f"notified IMAS {imas['latency']['notified']}/{imas['latency']['answered']}, "
        f"Alertmanager {am['latency']['notified']}/{am['latency']['answered']}"
    )
    print_table(
        f"IMAS ({path} path) vs Alertmanager: capacity {seconds:.0f}s, latency at {rate:.0f}/s for "
        f"{seconds:.0f}s ({notified})",
        rows,
    )
    version = await asyncio.to_thread(
        subprocess.run, [binary, "--version"], capture_output=True, text=True, check=False
    )
    write_results(
        "alertmanager_compare" if path == "webhook" else "alertmanager_compare_api",
        {
            "imas_path": path,
            "rate_per_s": rate,
            "seconds": seconds,
            "clients": CLIENTS,
            "alertmanager_version": (version.stdout or version.stderr).splitlines()[0],
            "imas": imas,
            "alertmanager": am,
            "table": rows,
        },
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=250)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--path", choices=("webhook", "api"), default="webhook")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rate, args.seconds, args.path)))
