"""The images as an operator runs them: PostgreSQL, Redis, NATS and the six services in containers.

Run by ``make smoke-images`` (after ``make images``), never by ``make test``: it needs a Docker
engine. testcontainers starts and stops every container; all of them share the host's network
and listen on free loopback ports. Through the gateway container only, as a monitoring tool and
a user would: the walking skeleton (``POST /api/v1/incidents/`` → an incident → a page) and one
Alertmanager webhook alert (→ an incident → a page).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from imas_cli.demo import load_demo
from imas_testing import eventually
from tests.deploy.support import SERVICES

# Nine containers start in the first test's time: on a busy machine, over two minutes.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

if os.environ.get("IMAS_SMOKE_IMAGES") != "1":
    pytest.skip(
        "runs with `make smoke-images` (built images and a Docker engine)",
        allow_module_level=True,
    )

from imas_testing import containers  # noqa: E402  (testcontainers is needed from here on)

_PROBLEM = containers.engine_problem()
if _PROBLEM is not None:
    pytest.skip(f"images cannot run here: {_PROBLEM}", allow_module_level=True)

TAG = os.environ.get("IMAS_IMAGE_TAG", "latest")
PAYLOADS = Path(__file__).parents[2] / "services/ingest/tests/payloads"
BRIEF_EXAMPLE = {
    "title": "Redis Cluster Down",
    "description": "All nodes reporting connection timeout",
    "service_name": "redis-prod",
    "severity": "SEV1_CRITICAL",
}


@dataclass
class ContainerMesh:
    gateway: str
    nats_url: str
    token: str
    services: dict[str, containers.Server]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


@pytest.fixture(scope="module")
def container_mesh() -> Iterator[ContainerMesh]:
    started = time.monotonic()
    servers: list[containers.Server] = []
    services: dict[str, containers.Server] = {}
    try:
        # NATS and Redis let in only the services, as Compose and the chart configure them.
        nats_password = secrets.token_urlsafe(24)
        redis_password = secrets.token_urlsafe(24)
        with ThreadPoolExecutor(max_workers=3) as pool:
            postgres, redis, nats = pool.map(
                lambda start: start(),
                (
                    containers.start_postgres,
                    lambda: containers.start_redis(redis_password),
                    lambda: containers.start_nats("imas", nats_password),
                ),
            )
        servers += [postgres, redis, nats]
        dependencies_ready = time.monotonic()
        token = secrets.token_urlsafe(32)
        env = {
            # Production refuses weak keys and tokens: these are not.
            "IMAS_ENV": "production",
            "IMAS_DATABASE_URL": postgres.url,
            "IMAS_REDIS_URL": redis.url,
            "IMAS_REDIS_PASSWORD": redis_password,
            "IMAS_NATS_URL": nats.url,
            "IMAS_NATS_USER": "imas",
            "IMAS_NATS_PASSWORD": nats_password,
            "IMAS_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "IMAS_BOOTSTRAP_ADMIN_TOKEN": token,
        }

        def start(service: str) -> None:
            image = f"imas-{service}:{TAG}"
            services[service] = containers.start_service(image, service, env)

        # Two at a time: each migrates its database and provisions its streams on start.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(start, s) for s in SERVICES]:
                future.result()
        mesh = ContainerMesh(services["gateway"].url, nats.url, token, services)
        mesh.timings["dependencies ready"] = dependencies_ready - started
        mesh.timings["six services ready"] = time.monotonic() - dependencies_ready
        asyncio.run(load_demo(nats.url.replace("nats://", f"nats://imas:{nats_password}@")))
        yield mesh
        report(mesh.timings)
    finally:
        # Every container started, even when another failed to start: none is left running.
        for server in [*services.values(), *reversed(servers)]:
            server.stop()


def report(timings: dict[str, float]) -> None:
    print("\nsmoke-images timings:")
    for what, seconds in timings.items():
        print(f"  {what:<40} {seconds:6.1f} s")


@pytest.fixture
async def client(container_mesh: ContainerMesh) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=container_mesh.gateway, timeout=30) as http:
        yield http


async def paged(client: httpx.AsyncClient, mesh: ContainerMesh, incident_id: str) -> None:
    detail = await client.get(f"/api/v1/incidents/{incident_id}/", headers=mesh.auth)
    assert detail.status_code == 200, detail.text
    sent = [e for e in detail.json()["timeline"] if e["type"] == "ALERT_SENT"]
    # The owner team once (the demo's rota also has its on-call paged at SEV1).
    assert len([e for e in sent if "to team " in e["message"]]) == 1, detail.json()["timeline"]


async def test_walking_skeleton_through_the_gateway_container(
    container_mesh: ContainerMesh, client: httpx.AsyncClient
) -> None:
    started = time.monotonic()
    first = await client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=container_mesh.auth)
    assert first.status_code == 201, first.text
    incident = first.json()
    again = await client.post("/api/v1/incidents/", json=BRIEF_EXAMPLE, headers=container_mesh.auth)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == incident["id"]
    assert again.json()["alert_count"] == 2

    await eventually(lambda: paged(client, container_mesh, incident["id"]), timeout=30)
    container_mesh.timings["POST /api/v1/incidents/ to page"] = time.monotonic() - started


async def test_webhook_alert_becomes_a_paged_incident(
    container_mesh: ContainerMesh, client: httpx.AsyncClient
) -> None:
    integration = await client.post(
        "/api/v1/integrations/",
        json={"name": f"alertmanager-{uuid.uuid4().hex[:6]}", "type": "alertmanager"},
        headers=container_mesh.auth,
    )
    assert integration.status_code == 201, integration.text
    hook = integration.json()
    firing: dict[str, Any] = json.loads((PAYLOADS / "alertmanager_firing.json").read_text())
    firing["alerts"][0]["fingerprint"] = uuid.uuid4().hex[:16]
    token = hook["webhook_url"].split("token=")[1]

    started = time.monotonic()
    accepted = await client.post(f"/api/v1/webhooks/alertmanager/?token={token}", json=firing)
    assert accepted.status_code == 202, accepted.text

    async def created() -> str:
        alerts = await client.get(
            "/api/v1/alerts/",
            params={"integration": hook["id"], "status": "created"},
            headers=container_mesh.auth,
        )
        found = alerts.json()["results"]
        assert len(found) == 1, found
        return str(found[0]["incident_id"])

    incident_id = await eventually(created, timeout=30)
    await eventually(lambda: paged(client, container_mesh, incident_id), timeout=30)
    container_mesh.timings["webhook 202 to page"] = time.monotonic() - started


async def test_every_service_serves_its_metrics_on_the_internal_port(
    container_mesh: ContainerMesh,
) -> None:
    """What Prometheus scrapes (the chart's ServiceMonitor points at the internal port)."""
    async with httpx.AsyncClient(timeout=10) as http:
        for service, server in container_mesh.services.items():
            metrics = await http.get(f"{server.internal_url}/metrics")
            assert metrics.status_code == 200, service
            assert "# TYPE " in metrics.text, service


def test_services_stop_cleanly_on_sigterm(container_mesh: ContainerMesh) -> None:
    """What a rolling update does to a pod: SIGTERM, then the service drains and exits 0."""
    started = time.monotonic()
    for service, server in container_mesh.services.items():
        wrapped = server.container.get_wrapped_container()
        wrapped.stop(timeout=30)
        wrapped.reload()
        assert wrapped.attrs["State"]["ExitCode"] == 0, (service, wrapped.logs()[-2000:])
    container_mesh.timings["six services stopped (SIGTERM)"] = time.monotonic() - started
