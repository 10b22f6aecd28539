"""Dashboard pages with 10,000 incidents in the database: how long each takes to answer.

Starts the whole mesh as separate processes, loads 10,000 incidents (spread over 90 days, one
in twenty still open, three timeline lines each) straight into the incidents database, adds an
on-call schedule and a policy through the API, signs in as the bootstrap admin like a browser
(login form, CSRF token, session cookie), then asks each main page ``--runs`` times in a row
after two warm-up requests. Target: under 200 ms each.

    uv run python -m bench.dashboard_pages [--runs 20] [--incidents 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.common import BenchMesh, percentile, print_table, running_mesh, write_results
from imas_runtime.db import asyncpg_dsn
from imas_testing import dashboard

TARGET_MS = 200.0
WARM_UP = 2

# Each incident: a service of the catalog (and its team), a severity, created within the last
# 90 days, detected up to 10 min before; one in twenty still open, the others acknowledged
# within 30 min and resolved within 8 h.
INCIDENTS = """
INSERT INTO incidents (id, short_id, title, service_id, service_name, team_id, team_name,
    severity, status, dedup_key, alert_count, detected_at, created_at, acknowledged_at,
    resolved_at, updated_at)
SELECT g.id, upper(substr(replace(g.id::text, '-', ''), 1, 8)),
    s.name || ' ' || (ARRAY['latency high','error rate','disk almost full','down'])[1 + n % 4],
    s.id, s.name, t.id, t.name,
    (ARRAY['SEV1_CRITICAL','SEV2_HIGH','SEV3_MEDIUM','SEV4_LOW'])[1 + (n / 7) % 4],
    CASE n % 20 WHEN 0 THEN 'TRIGGERED' WHEN 1 THEN 'ACKNOWLEDGED' WHEN 2 THEN 'MITIGATED'
        ELSE 'RESOLVED' END,
    'bench-' || n, 1 + n % 5,
    created - random() * interval '10 minutes', created,
    CASE WHEN n % 20 = 0 THEN NULL ELSE created + random() * interval '30 minutes' END,
    CASE WHEN n % 20 < 3 THEN NULL ELSE created + interval '30 minutes'
        + random() * interval '8 hours' END,
    created
FROM (
    SELECT gen_random_uuid() AS id, n,
        now() - random() * interval '90 days' AS created,
        n % (SELECT count(*) FROM services) AS k
    FROM generate_series(1, $1::int) AS n
) AS g
JOIN (SELECT id, name, team_id, row_number() OVER (ORDER BY name) - 1 AS k FROM services) AS s
    ON s.k = g.k
LEFT JOIN teams AS t ON t.id = s.team_id
"""
TIMELINE = """
INSERT INTO timeline_events (id, incident_id, type, message, actor, source, created_at)
SELECT gen_random_uuid(), i.id, e.type, e.message, e.actor, 'api', i.created_at + e.after
FROM incidents AS i
CROSS JOIN (VALUES
    ('TRIGGERED', 'Incident triggered', NULL, interval '0'),
    ('ALERT_SENT', 'Page sent to team via slack', NULL, interval '5 seconds'),
    ('NOTE', 'Looking into it', 'bench', interval '10 minutes')
) AS e(type, message, actor, after)
"""


async def seed(mesh: BenchMesh, count: int) -> float:
    """Loads the incidents and their timelines; returns the seconds it took."""
    started = time.perf_counter()
    conn = await asyncpg.connect(asyncpg_dsn(mesh.databases["incidents"]))
    try:
        async with conn.transaction():
            await conn.execute(INCIDENTS, count)
            await conn.execute(TIMELINE)
        await conn.execute("ANALYZE incidents")
        await conn.execute("ANALYZE timeline_events")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def on_call(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    """Two people on a weekly rotation of the first team, an override, a policy; returns the
    schedule's id."""
    team = (await client.get("/api/v1/teams/", headers=auth)).json()["results"][0]
    people = []
    for name in ("Alice Martin", "Bob Durand"):
        body = {"name": name, "email": f"{name.split()[0].lower()}@example.com"}
        answer = await client.post("/api/v1/people/", json=body, headers=auth)
        answer.raise_for_status()
        people.append(answer.json()["id"])
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    schedule = {
        "team_id": team["id"],
        "name": "Primary",
        "time_zone": "Europe/Paris",
        "layers": [
            {
                "members": people,
                "shift": "weekly",
                "start": (now - timedelta(days=30)).replace(tzinfo=None).isoformat(),
            }
        ],
        "overrides": [
            {
                "person_id": people[1],
                "start": (now + timedelta(days=2)).isoformat(),
                "end": (now + timedelta(days=2, hours=6)).isoformat(),
            }
        ],
    }
    deadline = time.monotonic() + 60
    while True:  # the escalation service learns people from catalog events
        answer = await client.post("/api/v1/schedules/", json=schedule, headers=auth)
        if answer.status_code == 201 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    answer.raise_for_status()
    schedule_id: str = answer.json()["schedule"]["id"]
    policy = {
        "team_id": team["id"],
        "name": "Primary escalation",
        "steps": [
            {"delay_minutes": 0, "targets": [{"kind": "schedule", "id": schedule_id}]},
            {"delay_minutes": 15, "targets": [{"kind": "person", "id": people[1]}]},
        ],
    }
    (
        await client.post("/api/v1/escalation-policies/", json=policy, headers=auth)
    ).raise_for_status()
    return schedule_id


async def sign_in(client: httpx.AsyncClient, password: str) -> None:
    """The login form as a browser fills it: its CSRF token, then the session cookie."""
    answer = await dashboard.sign_in(client, "admin", password)
    assert answer.status_code == 303, answer.text
    assert "imas_session" in client.cookies, "no session cookie"


async def timed(client: httpx.AsyncClient, path: str, runs: int) -> list[float]:
    seconds = []
    for i in range(WARM_UP + runs):
        started = time.perf_counter()
        answer = await client.get(path)
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
        if i >= WARM_UP:
            seconds.append(elapsed)
    return seconds


async def main(runs: int, count: int) -> None:
    password = secrets.token_urlsafe(16)
    env = {"IMAS_BOOTSTRAP_ADMIN_PASSWORD": password}
    async with running_mesh(extra_env=env) as mesh:
        seed_seconds = await seed(mesh, count)
        async with httpx.AsyncClient(base_url=mesh.gateway, timeout=30) as client:
            schedule_id = await on_call(client, mesh.auth)
            await sign_in(client, password)
            listed = await client.get("/api/v1/incidents/?page_size=1", headers=mesh.auth)
            short_id = listed.json()["results"][0]["short_id"]
            pages = {
                "home": "/",
                "incident list": "/incidents",
                "incident list, filtered": "/incidents?status=RESOLVED&severity=SEV2_HIGH",
                "incident list rows (live)": "/incidents?rows=1",
                "incident detail": f"/incidents/{short_id}",
                "analytics (30d)": "/analytics",
                "analytics (90d)": "/analytics?range=90d",
                "configuration: services": "/admin/services",
                "configuration: teams": "/admin/teams",
                "configuration: people": "/admin/people",
                "configuration: a schedule's form": f"/admin/schedules/{schedule_id}",
                "schedules": "/oncall/schedules",
                "schedule calendar": f"/oncall/schedules/{schedule_id}",
                "escalation policies": "/oncall/policies",
                "runbooks": "/runbooks",
                "configuration: integrations": "/admin/integrations",
            }
            rows: list[dict[str, Any]] = []
            for label, path in pages.items():
                ms = [s * 1000 for s in await timed(client, path, runs)]
                rows.append(
                    {
                        "page": label,
                        "path": path,
                        "p50_ms": round(percentile(ms, 50), 1),
                        "p95_ms": round(percentile(ms, 95), 1),
                        "max_ms": round(max(ms), 1),
                        "under_200ms": percentile(ms, 95) < TARGET_MS,
                    }
                )
    print(f"loaded {count:,} incidents (and {3 * count:,} timeline lines) in {seed_seconds:.1f}s")
    print_table(f"Dashboard pages with {count:,} incidents ({runs} requests each)", rows)
    slow = [r["page"] for r in rows if not r["under_200ms"]]
    print(
        f"\np95 over {TARGET_MS:.0f} ms: {', '.join(slow)}" if slow else "\nevery page p95 < 200 ms"
    )
    write_results(
        "dashboard_pages",
        {"incidents": count, "runs": runs, "target_ms": TARGET_MS, "rows": rows},
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--incidents", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.incidents))
