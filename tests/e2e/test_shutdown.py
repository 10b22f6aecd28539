"""SIGTERM stops a service within the grace period the deploy files give a pod (30 s), every
time: every service of the mesh under load with pages in flight to a provider that takes 20 s
to answer (a graceful exit, its log's last word "service stopped"), and when every
dependency it talks to has gone silent (a network partition: connections stay open, nothing
answers, no reset ever comes), the case where a shutdown waits forever."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from imas_testing import LOOPBACK, eventually
from imas_testing.fake_providers import WebhookReceiver
from imas_testing.processes import ServiceProcess
from tests.e2e.conftest import ProcessMesh

pytestmark = pytest.mark.e2e

GRACE = 30.0  # terminationGracePeriodSeconds in deploy/ (Kubernetes) and stop_grace_period


def stop_within_grace(process: ServiceProcess) -> float:
    """SIGTERM and wait for the exit; the seconds it took (it fails past the grace period)."""
    started = time.monotonic()
    process.terminate(timeout=GRACE)
    return time.monotonic() - started


class Partition:
    """A TCP relay to a server that can go silent: once frozen, connections stay open and what
    is sent is swallowed, but nothing comes back (no reset, no close)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.frozen = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> Partition:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def url(self, url: str) -> str:
        """``url`` pointing at the relay instead of the server."""
        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(
            parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host)
        )

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    if not self.frozen:
                        dst.write(data)
                        await dst.drain()
                if not self.frozen:  # one side closed: so does the other, unless partitioned
                    dst.close()

        for task in (
            asyncio.create_task(pipe(reader, upstream_writer)),
            asyncio.create_task(pipe(upstream_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()


@contextlib.asynccontextmanager
async def partitions(*urls: str) -> AsyncIterator[list[Partition]]:
    made = []
    for url in urls:
        parts = urlsplit(url)
        made.append(await Partition(parts.hostname or "127.0.0.1", parts.port or 0).start())
    try:
        yield made
    finally:
        for partition in made:
            await partition.close()


@pytest.mark.timeout(600)  # six processes to start first, then a 20 s vendor
async def test_every_service_stops_within_the_grace_period_under_load(
    process_mesh: ProcessMesh,
) -> None:
    async with (
        WebhookReceiver(delay=20) as slow,
        httpx.AsyncClient(base_url=process_mesh.gateway, timeout=20) as client,
    ):
        answer = await client.post(
            "/api/v1/notification-providers/",
            headers=process_mesh.auth,
            json={"name": "tickets", "kind": "webhook",
                  "config": {"url": f"{slow.url}/in", "allow_loopback": True}},
        )  # fmt: skip
        assert answer.status_code < 300, answer.text
        stop_load = asyncio.Event()

        async def load() -> None:
            while not stop_load.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    await client.post(
                        "/api/v1/incidents/",
                        headers=process_mesh.auth,
                        json={"title": f"Disk full {uuid.uuid4().hex[:6]}",
                              "service_name": "redis-prod", "severity": "SEV4_LOW",
                              "dedup_key": uuid.uuid4().hex},
                    )  # fmt: skip

        loaders = [asyncio.create_task(load()) for _ in range(4)]
        try:
            # Pages are in flight to the slow provider: the notifier holds them mid-send.
            async def sending() -> None:
                assert slow.requests

            await eventually(sending, timeout=60)
            took = await asyncio.gather(
                *(asyncio.to_thread(stop_within_grace, p) for p in process_mesh.processes.values())
            )
        finally:
            stop_load.set()
            await asyncio.gather(*loaders, return_exceptions=True)
    for process, seconds in zip(process_mesh.processes.values(), took, strict=True):
        assert "service stopped" in process.tail(400), process.tail()
        # The server re-raises SIGTERM once shut down, so -15 is a graceful stop too.
        assert process.proc is not None and process.proc.returncode in (0, -15), process.tail()
        print(f"{process.service} stopped in {seconds:.1f}s")


@pytest.mark.parametrize("service", ["ingest", "notifier", "escalation"])
async def test_a_service_whose_dependencies_went_silent_stops_within_the_grace_period(
    service: str,
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    async with partitions(fresh_nats_url, postgres_url, redis_url) as (nats, pg, redis):
        process = ServiceProcess(
            service,
            {
                "IMAS_NATS_URL": nats.url(fresh_nats_url),
                "IMAS_DATABASE_URL": pg.url(postgres_url),
                "IMAS_REDIS_URL": redis.url(redis_url),
                f"{service.upper()}_DATABASE": await fresh_database(service[:3]),
                "IMAS_LOG_FORMAT": "json",
                "IMAS_OUTBOUND_ALLOW": LOOPBACK,
            },
            tmp_path / f"{service}.log",
        )
        process.start()
        try:
            await process.wait_ready(timeout=90)
            for partition in (nats, pg, redis):
                partition.frozen = True
            seconds = await asyncio.to_thread(stop_within_grace, process)
        finally:
            if process.proc is not None and process.proc.poll() is None:
                process.kill()
    assert "service stopped" in process.tail(400), process.tail()
    print(f"{service} stopped in {seconds:.1f}s with its dependencies silent")
