"""``make run`` (``imas run``) as a newcomer sees it: a short banner that says where everything
is (URLs, the admin token, the dashboard login, where the logs go), no migration lines, the
demo's pages printed on the terminal, and Ctrl-C stops it all.

The mesh runs on the test's NATS, PostgreSQL (a database per service of the test's own) and
Redis, on ports of its own; everything else is what ``make run`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from imas_cli.demo import DEMO_HISTORY
from imas_cli.launcher import service_ports
from imas_runtime.embedded import free_port_block
from imas_testing import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

SERVICES = ("gateway", "ingest", "incidents", "notifier", "escalation", "warroom")
READY_LINE = "Press Ctrl-C to stop."


@dataclass
class Terminal:
    """What ``imas run`` prints, line by line, as it prints it."""

    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    async def read_until(self, text: str, timeout: float) -> None:
        async def read() -> None:
            assert self.proc.stdout is not None
            while not any(text in line for line in self.lines):
                raw = await self.proc.stdout.readline()
                assert raw, "imas run ended:\n" + "\n".join(self.lines)
                self.lines.append(raw.decode().rstrip("\n"))

        await asyncio.wait_for(read(), timeout)

    async def pump(self) -> None:
        with contextlib.suppress(Exception):
            await self.read_until("\0never printed\0", timeout=3600)


@pytest.fixture
async def imas_run(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> AsyncIterator[tuple[Terminal, int, Path]]:
    # Every service's port and its metrics port (+1000) must be free, not just the gateway's.
    offsets = [p - 8000 for p in service_ports(8000).values()]
    port = free_port_block([*offsets, *(o + 1000 for o in offsets)])
    state = tmp_path / "state"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("IMAS_", "OTEL_"))},
        "IMAS_NATS_URL": nats_url,
        "IMAS_DATABASE_URL": postgres_url,
        "IMAS_REDIS_URL": redis_url,
        **{f"{s.upper()}_DATABASE": await fresh_database(f"run{s[:3]}") for s in SERVICES},
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "imas_cli", "run", "--state-dir", str(state), "--port", str(port),
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    terminal = Terminal(proc)
    try:
        await terminal.read_until(READY_LINE, timeout=300)
        yield terminal, port, state
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()


async def test_make_run_prints_a_short_banner_then_only_what_matters(
    imas_run: tuple[Terminal, int, Path],
) -> None:
    terminal, port, state = imas_run
    token = (state / "admin-token").read_text().strip()
    password = (state / "admin-password").read_text().strip()
    shown = "\n".join(terminal.lines)
    for expected in (
        f"Dashboard and API: http://localhost:{port}",
        f"API docs:          http://localhost:{port}/api/docs/",
        f"Admin token:       {token}",
        f"Dashboard login:   admin / {password}",
        f"Logs:              {state.resolve() / 'logs'}/<service>.log",
        f"http://localhost:{port + 1000}/metrics",
    ):
        assert expected in shown, shown
    # The databases were migrated, but that is in the services' log files, not here.
    assert "upgrade" not in shown.lower(), shown
    assert len(terminal.lines) < 40, shown
    logs = {path.stem: path.read_text() for path in (state / "logs").glob("*.log")}
    assert set(logs) == set(SERVICES)
    assert "Running upgrade" in logs["incidents"]
    assert all(json.loads(line) for text in logs.values() for line in text.splitlines())

    pump = asyncio.create_task(terminal.pump())
    # The demo says what it holds, and analytics have its past incidents to show.
    assert "demo loaded (3 teams, 11 people" in shown, shown
    # The banner's curl, as a newcomer would paste it: the demo's page is printed.
    title = f"Redis Cluster Down {uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=f"http://localhost:{port}", timeout=30) as client:
        metrics = await client.get(
            "/api/v1/metrics/?window=30d", headers={"Authorization": f"Token {token}"}
        )
        assert metrics.json()["current"]["count"] == len(DEMO_HISTORY), metrics.text
        created = await client.post(
            "/api/v1/incidents/",
            headers={"Authorization": f"Token {token}"},
            json={"title": title, "service_name": "redis-prod", "severity": "SEV1_CRITICAL"},
        )
        assert created.status_code == 201, created.text

    def page_printed() -> None:
        assert any(line.startswith("[notifier]") and title in line for line in terminal.lines)

    await eventually(page_printed, timeout=60)

    terminal.proc.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(terminal.proc.wait(), timeout=60) == 0
    await pump
    assert "stopping" in "\n".join(terminal.lines[-10:])
