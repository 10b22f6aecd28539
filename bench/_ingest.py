"""Helpers of the ingest benchmarks: an integration, HTTP senders, counting what landed."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.common import BenchMesh
from imas_runtime.db import make_engine
from imas_testing.rawhttp import Client, HttpError


async def create_integration(
    mesh: BenchMesh, kind: str, service: str, **limits: float
) -> dict[str, Any]:
    """An integration of ``kind`` for ``service``; ``limits``: its ``rate_limit`` and
    ``rate_burst``, when not the gateway's default."""
    async with httpx.AsyncClient(base_url=mesh.gateway, timeout=30) as client:
        response = await client.post(
            "/api/v1/integrations/",
            json={"name": f"bench {kind}", "type": kind, "service": service, **limits},
            headers=mesh.auth,
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


async def post_all(
    url: str, total: int, clients: int, body_for: Callable[[int], dict[str, Any]]
) -> tuple[float, dict[int, int], float]:
    """``total`` POSTs from ``clients`` concurrent connections; (elapsed, statuses, last end)."""
    statuses: dict[int, int] = {}
    counter = iter(range(total))
    last = 0.0

    client = Client(url, max_connections=clients)

    async def worker() -> None:
        nonlocal last
        for i in counter:
            try:
                status, _ = await asyncio.wait_for(client.post(body_for(i)), timeout=60)
            except (HttpError, TimeoutError):
                status = 0
            statuses[status] = statuses.get(status, 0) + 1
            last = time.perf_counter()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    client.close()
    return time.perf_counter() - started, statuses, last


async def wait_for_rows(
    database_url: str, integration_id: str, expected: int, *, timeout: float = 300
) -> float:
    """Wait until ingest recorded ``expected`` alerts of the integration; return when."""
    engine = make_engine(database_url)
    deadline = time.perf_counter() + timeout
    try:
        while True:
            async with engine.connect() as conn:
                count = await _count_alerts(conn, integration_id)
            if count >= expected or time.perf_counter() > deadline:
                return time.perf_counter()
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


async def _count_alerts(conn: AsyncConnection, integration_id: str) -> int:
    return int(
        (
            await conn.execute(
                text("SELECT count(*) FROM alerts WHERE integration_id = CAST(:i AS uuid)"),
                {"i": integration_id},
            )
        ).scalar_one()
    )


async def alert_rows(database_url: str, integration_id: str) -> int:
    """How many alerts of the integration ingest recorded."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return await _count_alerts(conn, integration_id)
    finally:
        await engine.dispose()


async def incident_alert_total(database_url: str, key_prefix: str) -> int:
    """Alerts counted on the incidents whose dedup key starts with ``key_prefix``."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            total = await conn.execute(
                text("SELECT coalesce(sum(alert_count), 0) FROM incidents WHERE dedup_key LIKE :p"),
                {"p": key_prefix + "%"},  # bench prefixes are hex: nothing to escape
            )
            return int(total.scalar_one())
    finally:
        await engine.dispose()


def services_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes used so far (fields 14 and 15 of /proc/pid/stat)."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        # The command name may hold spaces: the fields start after its closing parenthesis.
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def incidents_for(database_url: str, dedup_key: str) -> list[tuple[str, int]]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT id::text, alert_count FROM incidents WHERE dedup_key = :k"),
                {"k": dedup_key},
            )
            return [(r[0], int(r[1])) for r in rows]
    finally:
        await engine.dispose()
