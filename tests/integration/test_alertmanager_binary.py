"""The Alertmanager snippets of ``docs/integrations/alertmanager.md`` in a real Alertmanager:
alerts posted to it reach IMAS through the documented receiver, open an incident, and its
resolution resolves it.

Needs Debian's ``prometheus-alertmanager`` (``apt-get install prometheus-alertmanager``); the
tests are skipped where it is not installed. The snippets' timings (30 s of ``group_wait``,
5 min of ``group_interval``) are shortened so that a resolution is sent within a second;
everything else is the page's.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from imas_runtime.embedded import free_port
from imas_testing import eventually
from tests.conftest import Intake, intake
from tests.integration import tool_requests as tools
from tests.integration.gateway_setup import served
from tests.integration.test_webhooks import Hooks

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(BINARY is None, reason="Alertmanager is not installed"),
]


@pytest.fixture(scope="module")
async def mesh(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Intake]:
    async with intake(nats_url, postgres_url, redis_url, label="am") as started:
        yield started


@contextlib.asynccontextmanager
async def alertmanager(config: dict[str, Any], root: Path) -> AsyncIterator[str]:
    """A started Alertmanager with ``config``, alone (no cluster), on a free loopback port."""
    assert BINARY is not None
    (root / "alertmanager.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = root / "alertmanager.log"
    process = await asyncio.create_subprocess_exec(
        BINARY,
        f"--config.file={root / 'alertmanager.yml'}",
        f"--storage.path={root / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        async def ready() -> None:
            assert process.returncode is None, log.read_text()
            async with httpx.AsyncClient(timeout=2) as client:
                try:
                    answer = await client.get(f"{url}/-/ready")
                except httpx.HTTPError as exc:
                    raise AssertionError(f"not listening yet: {exc}") from None
                assert answer.status_code == 200

        await eventually(ready, timeout=30)
        yield url
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


def quick(config: dict[str, Any]) -> dict[str, Any]:
    """The page's configuration with timings a test can wait for."""
    route = {**config["route"], "group_wait": "0s", "group_interval": "1s"}
    return {**config, "route": route}


async def post_alert(url: str, labels: dict[str, str], ends_at: datetime | None = None) -> None:
    now = datetime.now(UTC)
    alert: dict[str, Any] = {
        "labels": labels,
        "annotations": {
            "summary": "Checkout error rate above 5%",
            "description": "5xx ratio is 6.2%",
        },
        "startsAt": (now - timedelta(minutes=1)).isoformat(),
        "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=errors",
    }
    if ends_at is not None:
        alert["endsAt"] = ends_at.isoformat()
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(f"{url}/api/v2/alerts", json=[alert])
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("snippet", "kind", "title"),
    [
        ("alertmanager-webhook", "alertmanager", "Checkout error rate above 5%"),
        ("alertmanager-pagerduty", "pagerduty", "HighErrorRate: Checkout error rate above 5%"),
    ],
)
async def test_a_real_alertmanager_with_the_documented_receiver_opens_and_resolves_an_incident(
    mesh: Intake, tmp_path: Path, snippet: str, kind: str, title: str
) -> None:
    hooks = Hooks(mesh.client, mesh.token, mesh.ingest)
    integration = await hooks.integration(kind)
    secret = integration["secret"]
    async with served(mesh.gateway) as gateway:
        config = tools.yaml_snippet(
            "alertmanager.md", snippet, gateway, secret=secret, routing_key=secret
        )
        async with alertmanager(quick(config), tmp_path) as url:
            labels = {
                "alertname": "HighErrorRate",
                "service": "checkout-api",
                "severity": "critical",
                "instance": f"web-{uuid.uuid4().hex[:6]}",
            }
            await post_alert(url, labels)

            async def created() -> dict[str, Any]:
                alert = await hooks.one(integration, "created")
                return await hooks.incident(alert["incident_id"])

            incident = await eventually(created, timeout=30)
            assert incident["title"] == title
            assert incident["service_name"] == "checkout-api"
            assert incident["severity"] == "SEV1_CRITICAL"

            await post_alert(url, labels, ends_at=datetime.now(UTC) - timedelta(seconds=1))

            async def resolved() -> None:
                assert (await hooks.incident(incident["id"]))["status"] == "RESOLVED"

            await eventually(resolved, timeout=30)
