"""From the POST being answered to the page handed to the provider, at a fixed rate.

One POST in ``1 / --new-share`` opens a new incident (its own dedup key) and is followed by
one page; the others repeat the latest key, as the duplicates of a storm do (the budget's
250 alerts/s, 90% duplicates). ``--new-share 1`` makes every alert a new incident, the
heaviest case. The page time is the notifier's ``sent_at`` for that incident (the provider
accepted it); the answer time is the client's clock when the 201 arrived. Same machine, same
clock.

    uv run python -m bench.e2e_latency [--rate 250] [--seconds 20] [--new-share 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import uuid

import asyncpg

from bench.common import print_table, running_mesh, summary_ms, write_results
from bench.load import constant_rate
from imas_runtime.db import asyncpg_dsn

SERVICES = ("incidents", "ingest", "notifier", "gateway")


async def main(rate: float, seconds: float, new_share: float) -> None:
    run = uuid.uuid4().hex[:6]
    every = max(1, round(1 / new_share))
    async with running_mesh(SERVICES) as mesh:
        result = await constant_rate(
            f"{mesh.gateway}/api/v1/incidents/",
            mesh.auth,
            lambda i: {
                "title": f"Checkout latency {i}",
                "service_name": "checkout-api",
                "severity": "SEV2_HIGH",
                "dedup_key": f"{run}-{i - i % every}",
            },
            rate=rate,
            seconds=seconds,
        )
        answered = {
            o.body["id"]: o.answered_wall
            for o in result.outcomes
            if o.status == 201 and o.body is not None
        }
        conn = await asyncpg.connect(asyncpg_dsn(mesh.database_urls["notifier"]))
        try:
            deadline = asyncio.get_running_loop().time() + 60
            while True:
                rows = await conn.fetch(
                    "SELECT incident_id::text AS id, extract(epoch FROM sent_at) AS sent"
                    " FROM deliveries WHERE status = 'sent'"
                )
                if len(rows) >= len(answered) or asyncio.get_running_loop().time() > deadline:
                    break
                await asyncio.sleep(0.5)
        finally:
            await conn.close()
    sent = {r["id"]: float(r["sent"]) for r in rows}
    latencies = [max(sent[i] - t, 0.0) for i, t in answered.items() if i in sent]
    page = summary_ms(latencies)
    http = summary_ms([o.latency for o in result.outcomes])
    rows_out = [
        {"measure": "POST answered", **http},
        {"measure": "answer -> page sent", **page},
    ]
    print_table(
        f"e2e latency at {rate:.0f}/s for {seconds:.0f}s, {every - 1} duplicates per new alert "
        f"(statuses {result.status_counts()}, transport errors {result.errors}, "
        f"pages {len(latencies)}/{len(answered)})",
        rows_out,
    )
    write_results(
        "e2e_latency" if every > 1 else "e2e_latency_all_new",
        {
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=250)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--new-share", type=float, default=0.1, help="share of new incidents")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.new_share))
