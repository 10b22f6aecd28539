"""From the POST being answered to the page handed to the provider, at a fixed rate.

One POST in ``1 / --new-share`` opens a new incident (its own dedup key) and is followed by
one page; the others repeat the latest key, as the duplicates of a storm do (the budget's
250 alerts/s, 90% duplicates). ``--new-share 1`` makes every alert a new incident, the
heaviest case.

Two ways in (``--path``):
- ``webhook`` (default): what monitoring does, a custom-integration webhook answered 202 once
  the alert is durably queued; the incident is found by its dedup key.
- ``api``: ``POST /api/v1/incidents/`` with a token, answered 201 / 200 once the incident
  service decided (synchronous through gateway, ingest and incidents).

The page time is the notifier's first ``sent_at`` for the incident (the provider accepted
it); the answer time is the client's clock when the first POST of that key was answered.
Same machine, same clock.

    uv run python -m bench.e2e_latency [--rate 250] [--seconds 20] [--new-share 0.1]
                                       [--path webhook|api]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from typing import Any

import asyncpg

from bench._ingest import create_integration
from bench.common import BenchMesh, print_table, running_mesh, summary_ms, write_results
from bench.load import LoadResult, constant_rate
from imas_runtime.db import asyncpg_dsn

SERVICES = ("incidents", "ingest", "notifier", "gateway")


def _alert(path: str, run: str, every: int, i: int) -> dict[str, Any]:
    key = f"{run}-{i - i % every}"
    if path == "webhook":
        title = f"Checkout latency {key}"
        # SEV2, as the API path's alerts.
        return {"title": title, "severity": "high", "service": "checkout-api", "dedup_key": key}
    return {
        "title": f"Checkout latency {key}",
        "service_name": "checkout-api",
        "severity": "SEV2_HIGH",
        "dedup_key": key,
    }


async def _send(
    mesh: BenchMesh, path: str, run: str, every: int, rate: float, seconds: float
) -> LoadResult:
    if path == "webhook":
        integration = await create_integration(mesh, "custom", "checkout-api")
        url, headers = integration["webhook_url"], {}
        url = f"{mesh.gateway}/api/v1/webhooks/custom/?{url.split('?', 1)[1]}"
    else:
        url, headers = f"{mesh.gateway}/api/v1/incidents/", mesh.auth
    return await constant_rate(
        url,
        headers,
        lambda i: _alert(path, run, every, i),
        rate=rate,
        seconds=seconds,
        keep_body=False,
    )


async def _pages_sent(mesh: BenchMesh, run: str, expected: int) -> dict[str, float]:
    """Dedup key → when its incident's first page was sent, once every incident has one
    (or after a minute)."""
    incidents = await asyncpg.connect(asyncpg_dsn(mesh.databases["incidents"]))
    notifier = await asyncpg.connect(asyncpg_dsn(mesh.databases["notifier"]))
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            keys = {
                r["id"]: r["dedup_key"]
                for r in await incidents.fetch(
                    "SELECT id::text AS id, dedup_key FROM incidents WHERE dedup_key LIKE $1",
                    f"{run}-%",
                )
            }
            sent = {
                keys[r["id"]]: float(r["sent"])
                for r in await notifier.fetch(
                    "SELECT incident_id::text AS id, min(extract(epoch FROM sent_at)) AS sent"
                    " FROM deliveries WHERE status = 'sent' GROUP BY 1"
                )
                if r["id"] in keys
            }
            if len(sent) >= expected or asyncio.get_running_loop().time() > deadline:
                return sent
            await asyncio.sleep(0.5)
    finally:
        await incidents.close()
        await notifier.close()


async def main(rate: float, seconds: float, new_share: float, path: str) -> None:
    run = uuid.uuid4().hex[:6]
    every = max(1, round(1 / new_share))
    async with running_mesh(SERVICES) as mesh:
        result = await _send(mesh, path, run, every, rate, seconds)
        accepted = (201, 202) if path == "webhook" else (201,)
        answered = {
            f"{run}-{o.index}": o.answered_wall
            for o in result.outcomes
            if o.index % every == 0 and o.status in accepted
        }
        sent = await _pages_sent(mesh, run, len(answered))
    latencies = [max(sent[k] - t, 0.0) for k, t in answered.items() if k in sent]
    page = summary_ms(latencies)
    http = summary_ms([o.latency for o in result.outcomes])
    rows_out = [
        {"measure": "POST answered", **http},
        {"measure": "answer -> page sent", **page},
    ]
    print_table(
        f"e2e latency through the {path} path at {rate:.0f}/s for {seconds:.0f}s, "
        f"{every - 1} duplicates per new alert (statuses {result.status_counts()}, "
        f"transport errors {result.errors}, pages {len(latencies)}/{len(answered)})",
        rows_out,
    )
    name = "e2e_latency" if path == "webhook" else "e2e_latency_api"
    write_results(
        name if every > 1 else f"{name}_all_new",
        {
            "path": path,
            "rate_per_s": rate,
            "seconds": seconds,
            "new_share": 1 / every,
            "statuses": {str(k): v for k, v in result.status_counts().items()},
            "transport_errors": result.errors,
            "incidents_answered": len(answered),
            "pages_sent": len(latencies),
            "post_latency": http,
            "answer_to_page": page,
            "targets": {"answer_to_page_p50_ms": 20, "answer_to_page_p99_ms": 100},
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=250)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--new-share", type=float, default=0.1, help="share of new incidents")
    parser.add_argument("--path", choices=("webhook", "api"), default="webhook")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.new_share, args.path))
