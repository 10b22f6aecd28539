"""``/metrics`` and the detail of ``/readyz`` are served on the internal port only: the public
port says ok or unavailable, never which host failed or how."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from imas_runtime.service import ServiceRuntime, service_app
from imas_runtime.settings import RuntimeSettings
from imas_testing import eventually
from imas_testing.processes import ServiceProcess


async def test_the_public_port_hides_readiness_detail_and_metrics() -> None:
    # A database nobody answers at: readiness fails, and its detail names the host.
    settings = RuntimeSettings(
        database_url="postgresql://imas:pw@db-primary.internal.example:5432/postgres",
        redis_url="redis://cache.internal.example:6379/0",
    )
    runtime = ServiceRuntime(settings, migrations_dir=Path("."))
    public = httpx.ASGITransport(app=service_app(runtime))
    internal = httpx.ASGITransport(app=runtime.internal_app())
    async with httpx.AsyncClient(transport=public, base_url="http://gw") as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable"}
        assert (await client.get("/metrics")).status_code == 404
        assert (await client.get("/healthz")).status_code == 200
    async with httpx.AsyncClient(transport=internal, base_url="http://inside") as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert set(checks) == {"database", "nats", "redis"}
        assert checks["nats"].startswith("failed")
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200
        # Not ready, as /readyz said; and the public port's answers are counted by route.
        assert "\nimas_ready 0.0\n" in metrics.text
        assert 'route="/readyz",status="503"' in metrics.text
    await runtime.redis.aclose()
    await runtime.engine.dispose()


@pytest.mark.integration
async def test_a_service_process_serves_metrics_on_its_internal_port(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    process = ServiceProcess(
        "incidents",
        {
            "IMAS_NATS_URL": nats_url,
            "IMAS_DATABASE_URL": postgres_url,
            "IMAS_REDIS_URL": redis_url,
            "INCIDENTS_DATABASE": await fresh_database("intport"),
        },
        tmp_path / "incidents.log",
    )
    process.start()
    try:
        await process.wait_ready(timeout=90)
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{process.url}/readyz")).json() == {"status": "ok"}
            assert (await client.get(f"{process.url}/metrics")).status_code == 404

            async def internal_answers() -> None:
                try:
                    ready = await client.get(f"{process.internal_url}/readyz")
                except httpx.TransportError as exc:
                    raise AssertionError(str(exc)) from exc
                checks = ready.json()["checks"]
                assert {"database", "nats", "redis", "outbox relay", "event loop"} <= set(checks)
                assert set(checks.values()) == {"ok"}

            await eventually(internal_answers, timeout=30)
            metrics = await client.get(f"{process.internal_url}/metrics")
            assert metrics.status_code == 200
            assert "\nimas_ready 1.0\n" in metrics.text
            (info,) = [
                sample
                for family in text_string_to_metric_families(metrics.text)
                for sample in family.samples
                if sample.name == "imas_build_info"
            ]
            assert info.labels["service"] == "incidents" and info.labels["version"]
    finally:
        # uvicorn raises SIGTERM again once it has shut down gracefully.
        assert process.terminate() in (0, -15)
    assert "service stopped" in (tmp_path / "incidents.log").read_text()
