"""What `imas run` decides before any process starts: ports, tokens, URLs and each child's env.

Everything here is pure or touches only the state directory, so it can be tested without
servers. Starting and watching the processes lives in :mod:`imas_cli.supervisor`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from imas_runtime.embedded import EmbeddedNats, EmbeddedPostgres, EmbeddedRedis

# Start order; also the order of the ports after the gateway's (port+101, port+102, ...).
SERVICES: tuple[str, ...] = ("gateway", "ingest", "incidents", "notifier", "escalation", "warroom")
DEFAULT_PORT = 8000
DEFAULT_STATE_DIR = Path(".imas")
TOKEN_FILE = "admin-token"
PASSWORD_FILE = "admin-password"
NATS_URL_FILE = "nats-url"
# Set in the environment of the supervising process that `imas run` starts in its own session.
SUPERVISED_ENV = "IMAS_RUN_SUPERVISED"
# Where `imas run` opens war rooms unless told otherwise: printed in the warroom's output.
DEMO_WAR_ROOMS = "log"

NATS_URL_ENV = "IMAS_NATS_URL"
DATABASE_URL_ENV = "IMAS_DATABASE_URL"
REDIS_URL_ENV = "IMAS_REDIS_URL"
TOKEN_ENV = "IMAS_BOOTSTRAP_ADMIN_TOKEN"
PASSWORD_ENV = "IMAS_BOOTSTRAP_ADMIN_PASSWORD"


def default_port(env: Mapping[str, str]) -> int:
    """The gateway port: ``IMAS_PORT`` when set, else 8000."""
    value = env.get("IMAS_PORT", "").strip()
    return int(value) if value else DEFAULT_PORT


def service_ports(gateway_port: int = DEFAULT_PORT) -> dict[str, int]:
    """The HTTP port of every service: the gateway's, then port+101 .. port+105 for the others."""
    ports = {"gateway": gateway_port}
    for offset, name in enumerate(SERVICES[1:], start=101):
        ports[name] = gateway_port + offset
    return ports


def port_variable(service: str) -> str:
    """The variable a service reads its port from: ``IMAS_PORT`` for the gateway."""
    return "IMAS_PORT" if service == "gateway" else f"{service.upper()}_PORT"


@dataclass(frozen=True)
class MeshConfig:
    """Where the shared servers are and what every service is told at start."""

    nats_url: str
    database_url: str
    redis_url: str
    admin_token: str
    gateway_port: int = DEFAULT_PORT
    # The dashboard password of the user `admin`.
    admin_password: str = ""
    log_format: str = "console"

    @property
    def public_url(self) -> str:
        return f"http://localhost:{self.gateway_port}"


def service_env(service: str, config: MeshConfig, base: Mapping[str, str]) -> dict[str, str]:
    """The complete environment of one service process, built on ``base`` (the launcher's)."""
    env = {k: v for k, v in base.items() if k != SUPERVISED_ENV}
    # A port variable inherited from the caller must not send a service elsewhere.
    for name in SERVICES:
        env.pop(f"{name.upper()}_PORT", None)
    ports = service_ports(config.gateway_port)
    env.update(
        {
            NATS_URL_ENV: config.nats_url,
            DATABASE_URL_ENV: config.database_url,
            REDIS_URL_ENV: config.redis_url,
            TOKEN_ENV: config.admin_token,
            PASSWORD_ENV: config.admin_password,
            "IMAS_LOG_FORMAT": config.log_format,
            "IMAS_PORT": str(config.gateway_port),
            port_variable(service): str(ports[service]),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault("IMAS_PUBLIC_URL", config.public_url)
    # The demo prints war rooms (no chat account needed), as it prints pages: an explicit
    # choice, which a WARROOM_CHAT of the caller's replaces.
    env.setdefault("WARROOM_CHAT", DEMO_WAR_ROOMS)
    return env


def ensure_admin_token(state_dir: Path, env: Mapping[str, str]) -> tuple[str, Path | None]:
    """The admin token and the file holding it (``None`` when it comes from the environment).

    ``IMAS_BOOTSTRAP_ADMIN_TOKEN`` wins. Otherwise the token is generated once, written to
    ``<state_dir>/admin-token`` readable by the owner only, and reused on later runs.
    """
    return ensure_secret(state_dir, env, TOKEN_ENV, TOKEN_FILE)


def ensure_admin_password(state_dir: Path, env: Mapping[str, str]) -> tuple[str, Path | None]:
    """The dashboard password of ``admin``: ``IMAS_BOOTSTRAP_ADMIN_PASSWORD`` or generated once
    into ``<state_dir>/admin-password``, like the token."""
    return ensure_secret(state_dir, env, PASSWORD_ENV, PASSWORD_FILE)


def ensure_secret(
    state_dir: Path, env: Mapping[str, str], variable: str, file_name: str
) -> tuple[str, Path | None]:
    given = env.get(variable, "").strip()
    if given:
        return given, None
    path = state_dir / file_name
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text().strip()
        if existing:
            os.chmod(path, 0o600)
            return existing, path
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # an empty leftover
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token, path


def curl_example(port: int, token: str) -> str:
    """A ready-to-paste request that opens an incident through the public API."""
    body = (
        '{"title": "Redis Cluster Down", "description": "All nodes reporting connection timeout", '
        '"service_name": "redis-prod", "severity": "SEV1_CRITICAL", '
        '"detected_at": "2026-02-05T18:30:00Z"}'
    )
    return (
        f"curl -X POST http://localhost:{port}/api/v1/incidents/ "
        f'-H "Authorization: Token {token}" -H "Content-Type: application/json" '
        f"-d '{body}'"
    )


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass
class Stack:
    """NATS, PostgreSQL and Redis: the ones named by the environment, else embedded ones."""

    state_dir: Path
    nats_url: str = ""
    database_url: str = ""
    redis_url: str = ""
    embedded: list[str] = field(default_factory=list)
    _running: list[_Stoppable] = field(default_factory=list, repr=False)

    def start(self, env: Mapping[str, str]) -> Stack:
        """Start what the environment does not provide. On failure, :meth:`stop` still works."""
        self.nats_url = env.get(NATS_URL_ENV, "").strip()
        if not self.nats_url:
            nats = EmbeddedNats(self.state_dir / "nats")
            self._running.append(nats)
            self.nats_url = nats.start().url
            self.embedded.append("nats")
        self.database_url = env.get(DATABASE_URL_ENV, "").strip()
        if not self.database_url:
            postgres = EmbeddedPostgres(self.state_dir / "pg")
            self._running.append(postgres)
            self.database_url = postgres.start().url
            self.embedded.append("postgresql")
        self.redis_url = env.get(REDIS_URL_ENV, "").strip()
        if not self.redis_url:
            redis = EmbeddedRedis(self.state_dir / "redis")
            self._running.append(redis)
            self.redis_url = redis.start().url
            self.embedded.append("redis")
        return self

    def stop(self) -> list[str]:
        """Stop the embedded servers, last started first; the errors met, if any."""
        errors: list[str] = []
        while self._running:
            server = self._running.pop()
            try:
                server.stop()
            except Exception as exc:
                errors.append(f"{type(server).__name__}: {exc}")
        return errors


def read_recorded_nats_url(state_dir: Path) -> str | None:
    """The NATS URL a running `imas run` recorded in its state directory, if any."""
    try:
        value = (state_dir / NATS_URL_FILE).read_text().strip()
    except OSError:
        return None
    return value or None
