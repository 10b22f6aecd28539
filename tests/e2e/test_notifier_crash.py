"""The notifier killed (SIGKILL) while paging a slow webhook: after a restart every page
arrives, and the only duplicates are pages that were in flight at the crash.

300 pages by default; ``IMAS_NOTIFIER_CRASH_PAGES=1000`` runs the full-size version."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from imas_runtime.bus import Bus
from imas_runtime.db import asyncpg_dsn, with_database
from imas_testing import LOOPBACK, eventually
from imas_testing.fake_providers import WebhookReceiver
from imas_testing.processes import ServiceProcess
from tests.e2e.notifier_pages import page_tickets_to, sev4_triggered

# Its own deadlines (up to 120 s for the pages) must be what fails it, not the default timeout.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

PAGES = int(os.environ.get("IMAS_NOTIFIER_CRASH_PAGES", "300"))
# Few senders against a 50 ms receiver keep the flow going for seconds, so the kill lands
# mid-flow; the lease is short so the restarted process resends the orphaned pages quickly.
CONCURRENCY = 8


async def delivery_statuses(database_url: str) -> Counter[str]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    finally:
        await conn.close()
    return Counter({r["status"]: r["n"] for r in rows})


async def test_killed_notifier_delivers_every_page_with_duplicates_only_from_pages_in_flight(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    database = await fresh_database("ntfcrash")
    database_url = with_database(postgres_url, database)
    notifier = ServiceProcess(
        "notifier",
        {
            "IMAS_NATS_URL": fresh_nats_url,
            "IMAS_DATABASE_URL": postgres_url,
            "IMAS_REDIS_URL": redis_url,
            "NOTIFIER_DATABASE": database,
            "IMAS_LOG_FORMAT": "json",
            "IMAS_OUTBOUND_ALLOW": LOOPBACK,
            "IMAS_LOG_LEVEL": "warning",
            "NOTIFIER_SEND_CONCURRENCY": str(CONCURRENCY),
            "NOTIFIER_HTTP_TIMEOUT": "2",
            "NOTIFIER_SEND_TIMEOUT": "2",
            "NOTIFIER_LEASE_SECONDS": "3",
            "NOTIFIER_RETRY_INTERVAL": "0.5",
        },
        tmp_path / "notifier.log",
    )
    bus = Bus("test", fresh_nats_url)
    notifier.start()
    try:
        async with WebhookReceiver(delay=0.05) as receiver:
            await notifier.wait_ready()
            await bus.connect()
            await page_tickets_to(bus, database_url, f"{receiver.url}/hook")
            events = [sev4_triggered("crash", i) for i in range(PAGES)]
            await asyncio.gather(*(bus.publish(e) for e in events))

            async def some_pages_arrived() -> None:
                assert len(receiver.requests) >= PAGES // 4

            await eventually(some_pages_arrived, timeout=60, interval=0.02)
            notifier.kill()
            at_crash = len(receiver.requests)
            assert at_crash < PAGES, "the flow ended before the crash"
            notifier.start()
            await notifier.wait_ready()

            async def every_page_arrived() -> None:
                paged = {r.body["incident"]["incident_id"] for r in receiver.requests}
                assert paged == {e.incident.id for e in events}
                assert await delivery_statuses(database_url) == {"sent": PAGES}

            await eventually(every_page_arrived, timeout=120, interval=0.25)
            duplicates = sum(n - 1 for n in Counter(receiver.ids()).values())
            assert duplicates <= CONCURRENCY, f"{duplicates} pages sent twice"
    finally:
        await bus.close()
        notifier.kill()
