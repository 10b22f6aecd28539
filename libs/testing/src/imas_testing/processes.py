"""The mesh as OS processes (``python -m imas_<service>``), for end-to-end tests, the chaos
suite and the benchmarks: :class:`ServiceProcess` is one service, :func:`running_processes`
the one harness that starts several on the servers it is given."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from imas_contracts.incidents import ApplyCatalog, CatalogApplied
from imas_contracts.notifier import ProviderView, PutProvider
from imas_runtime.bus import Bus
from imas_runtime.db import with_database
from imas_runtime.embedded import free_port
from imas_testing.plugin import LOOPBACK


@dataclass
class ServiceProcess:
    """One service as its own OS process, with its log in ``log_path``."""

    service: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    # Metrics and readiness detail (off the public port).
    internal_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}"

    def start(self) -> None:
        env = {**os.environ, **self.env}
        env["IMAS_PORT" if self.service == "gateway" else f"{self.service.upper()}_PORT"] = str(
            self.port
        )
        if self.service == "gateway":
            env["GATEWAY_PORT"] = str(self.port)
        env[f"{self.service.upper()}_INTERNAL_PORT"] = str(self.internal_port)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", f"imas_{self.service}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient() as client:
            while True:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise AssertionError(f"{self.service} exited:\n{self.tail()}")
                try:
                    response = await client.get(f"{self.url}/readyz", timeout=1)
                    if response.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(
                        f"{self.service} not ready: {await self._why(client)}\n{self.tail()}"
                    )
                await asyncio.sleep(0.1)

    async def _why(self, client: httpx.AsyncClient) -> str:
        """What the internal port's ``/readyz`` says is wrong (or why it could not say)."""
        try:
            return (await client.get(f"{self.internal_url}/readyz", timeout=5)).text
        except httpx.HTTPError as exc:
            return f"(no answer on the internal port: {exc!r})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM and wait: the graceful stop a Kubernetes pod gets."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"{self.service} ignored SIGTERM:\n{self.tail()}") from None
        return self.proc.returncode

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def rss_bytes(self) -> int:
        """Resident memory of the process now (from /proc), 0 when it is not running."""
        return self._status_bytes("VmRSS:")

    def peak_rss_bytes(self) -> int:
        """The most resident memory the process has held since it started (the kernel's high
        water mark: no peak between two samples is missed); 0 when it is not running."""
        return self._status_bytes("VmHWM:")

    def _status_bytes(self, field: str) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return 0
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
        return 0

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


@dataclass
class ProcessMesh:
    """Services running as processes: ``processes`` by name (``"notifier"``, or
    ``"notifier-2"`` for a second replica), each service's database URL, the admin token."""

    processes: dict[str, ServiceProcess]
    databases: dict[str, str]
    nats_url: str
    token: str

    @property
    def gateways(self) -> list[str]:
        return [p.url for p in self.processes.values() if p.service == "gateway"]

    @property
    def gateway(self) -> str:
        return self.gateways[0]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    def replicas(self, service: str) -> list[str]:
        return [name for name, p in self.processes.items() if p.service == service]

    async def restart(self, name: str, timeout: float = 90) -> None:
        """SIGKILL the process and start it again."""
        process = self.processes[name]
        process.kill()
        process.start()
        await process.wait_ready(timeout=timeout)

    def all_running(self) -> bool:
        return all(p.proc is not None and p.proc.poll() is None for p in self.processes.values())


def service_env(
    service: str, *, nats_url: str, postgres_url: str, redis_url: str, database: str, token: str
) -> dict[str, str]:
    """What every service process of a test or a benchmark is started with: the servers, its
    database, the admin token, JSON logs, and vendors reached on loopback only."""
    return {
        "IMAS_NATS_URL": nats_url,
        "IMAS_DATABASE_URL": postgres_url,
        "IMAS_REDIS_URL": redis_url,
        f"{service.upper()}_DATABASE": database,
        "IMAS_BOOTSTRAP_ADMIN_TOKEN": token,
        "IMAS_LOG_FORMAT": "json",
        # The fake vendors and the receivers of pages listen on loopback.
        "IMAS_OUTBOUND_ALLOW": LOOPBACK,
    }


@contextlib.asynccontextmanager
async def running_processes(
    services: Sequence[str],
    *,
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    databases: Mapping[str, str],
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    replicas: int = 1,
    ready_timeout: float = 60.0,
    stop: Literal["kill", "terminate"] = "kill",
    catalog: ApplyCatalog | None = None,
    provider: PutProvider | None = None,
) -> AsyncIterator[ProcessMesh]:
    """``services`` as OS processes (``replicas`` of each), each on its database of
    ``databases`` (by service), with ``env`` added; ready before this yields. ``catalog`` is
    applied when incidents is among them and ``provider`` configured when the notifier is (the
    demo's, from ``imas_cli.demo``, print and send pages as ``imas run`` does). First replicas
    start first (they
    migrate and provision the streams), then the others. Each process is killed afterwards, or
    stopped with SIGTERM when ``stop="terminate"``."""
    token = secrets.token_urlsafe(32)
    processes: dict[str, ServiceProcess] = {}
    waves: list[list[ServiceProcess]] = []
    for n in range(1, replicas + 1):
        waves.append([])
        for svc in services:
            name = svc if n == 1 else f"{svc}-{n}"
            own = service_env(
                svc,
                nats_url=nats_url,
                postgres_url=postgres_url,
                redis_url=redis_url,
                database=databases[svc],
                token=token,
            )
            process = ServiceProcess(svc, {**own, **(env or {})}, log_dir / f"{name}.log")
            processes[name] = process
            waves[-1].append(process)
    try:
        for wave in waves:
            for process in wave:
                process.start()
            await asyncio.gather(*(p.wait_ready(ready_timeout) for p in wave))
        bus = Bus("test", nats_url)
        await bus.connect()
        try:
            if catalog is not None and "incidents" in services:
                await bus.request(catalog, CatalogApplied)
            if provider is not None and "notifier" in services:
                await bus.request(provider, ProviderView)
        finally:
            await bus.close()
        yield ProcessMesh(
            processes=processes,
            databases={svc: with_database(postgres_url, databases[svc]) for svc in services},
            nats_url=nats_url,
            token=token,
        )
    finally:
        for process in processes.values():
            if stop == "terminate" and process.proc is not None:
                process.terminate()
            else:
                process.kill()
