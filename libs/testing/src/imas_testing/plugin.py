"""Pytest plugin: the real servers IMAS runs on, and waiting with a deadline.

- ``nats_url``: the pinned nats-server, JetStream on, a free port and a temp store, one per
  test module, so streams filled by one module never flood the consumers of another.
- ``fresh_nats_url``: a server of its own for one test (a whole mesh that replays streams).
- ``postgres_url``: ``IMAS_TEST_DATABASE_URL`` when set, else an embedded PostgreSQL (session).
- ``redis_url``: ``IMAS_TEST_REDIS_URL`` when set, else an embedded Redis (session).

With ``IMAS_TEST_BACKEND=containers`` the three come from containers of the images built by
``make images`` instead (:mod:`imas_testing.containers`, testcontainers on a Docker engine); the
run fails at once if no engine answers. The default, ``embedded``, needs no Docker.
- ``fresh_database``: a factory of new, empty databases on that server, dropped afterwards.
- ``own_redis``: an embedded Redis of the test module's own, to flush (``FLUSHALL``).
- ``spans``: every span finished in this process, kept in memory (a provider installed for
  the session, the libraries instrumented as with ``OTEL_TRACES_EXPORTER`` set).
- :func:`eventually`: poll an assertion until it holds or a deadline passes.

Loaded for every test run with ``-p imas_testing.plugin``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import queue
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from imas_runtime.db import drop_database, ensure_database
from imas_runtime.embedded import EmbeddedNats, EmbeddedPostgres, EmbeddedRedis
from imas_runtime.logs import configure_logging
from imas_runtime.telemetry import DEFAULT_SAMPLER, WithoutOrphanCalls, instrument_libraries

T = TypeVar("T")

LOOPBACK = "127.0.0.0/8,::1/128"
"""The allow-list (``outbound_allow``) of services whose tests call the fake vendors, which
listen on loopback: admitted the way an operator admits a private endpoint."""


async def eventually(
    check: Callable[[], Awaitable[T]] | Callable[[], T],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
) -> T:
    """Call ``check`` until it stops raising ``AssertionError`` or ``LookupError`` (or
    returns), up to ``timeout``: a key or item not there yet is not there *yet*.

    Returns what ``check`` returned the first time it passed; re-raises its last failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            return result
        except (AssertionError, LookupError):
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(interval)


class _Server(Protocol):
    @property
    def url(self) -> str: ...

    def stop(self) -> None: ...


def containers_backend() -> bool:
    """True when ``IMAS_TEST_BACKEND=containers`` asks for servers in containers."""
    backend = os.environ.get("IMAS_TEST_BACKEND", "embedded")
    if backend not in {"embedded", "containers"}:
        raise pytest.UsageError(f"IMAS_TEST_BACKEND={backend!r}: use embedded or containers")
    return backend == "containers"


def _serve(in_container: Callable[[], _Server], embedded: Callable[[], _Server]) -> Iterator[str]:
    """The URL of a server started for the chosen backend, stopped afterwards."""
    server = in_container() if containers_backend() else embedded()
    try:
        yield server.url
    finally:
        server.stop()


def _containers() -> ModuleType:
    # Imported only for that backend: testcontainers is not needed otherwise.
    from imas_testing import containers

    return containers


_SPANS = InMemorySpanExporter()


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every span finished in this process, kept in memory (cleared by the tests that read
    it). Once asked for, tracing is on for the rest of the session: a provider can be
    installed only once."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider(sampler=WithoutOrphanCalls(DEFAULT_SAMPLER))
        provider.add_span_processor(SimpleSpanProcessor(_SPANS))
        trace.set_tracer_provider(provider)
        instrument_libraries()
    return _SPANS


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(
        lambda: _containers().start_nats(),
        lambda: EmbeddedNats(tmp_path_factory.mktemp("nats")).start(),
    )


@pytest.fixture
def fresh_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(
        lambda: _containers().start_nats(),
        lambda: EmbeddedNats(tmp_path_factory.mktemp("nats")).start(),
    )


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("IMAS_TEST_DATABASE_URL")
    if given and not containers_backend():
        yield given
        _DROPPER.finish()
        return
    for url in _serve(
        lambda: _containers().start_postgres(),
        lambda: EmbeddedPostgres(Path(tmp_path_factory.mktemp("pg"))).start(),
    ):
        yield url
        _DROPPER.finish()  # before the server it drops on stops


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("IMAS_TEST_REDIS_URL")
    if given and not containers_backend():
        yield given
        return
    yield from _serve(
        lambda: _containers().start_redis(),
        lambda: EmbeddedRedis(Path(tmp_path_factory.mktemp("redis"))).start(),
    )


def small_store(directory: Path, max_file_store: int) -> Path:
    """A nats-server configuration file giving JetStream a store of ``max_file_store`` bytes
    (for :class:`EmbeddedNats` ``config``): a store a test can fill."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "small-store.conf"
    config.write_text(f"jetstream {{ max_file_store: {max_file_store} }}\n")
    return config


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """A Redis of the module's own, for tests that destroy Redis data (``FLUSHALL``): never
    the machine's, which other tests use at the same time."""
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("own-redis"))).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def test_run_id() -> str:
    """Short and unique per test session, so parallel runs on one server never collide."""
    return uuid.uuid4().hex[:8]


@contextlib.contextmanager
def _databases(postgres_url: str, test_run_id: str) -> Iterator[Callable[[str], Awaitable[str]]]:
    """A maker of new empty databases, each dropped afterwards."""
    created: list[str] = []

    async def make(label: str) -> str:
        name = f"t_{test_run_id}_{label}_{uuid.uuid4().hex[:6]}"
        await ensure_database(postgres_url, name)
        created.append(name)
        return name

    try:
        yield make
    finally:
        for name in created:
            discard_database(postgres_url, name)


@pytest.fixture
def fresh_database(
    postgres_url: str, test_run_id: str
) -> Iterator[Callable[[str], Awaitable[str]]]:
    """``await fresh_database("incidents")`` → the name of a new empty database."""
    with _databases(postgres_url, test_run_id) as make:
        yield make


@pytest.fixture(scope="module")
def module_database(
    postgres_url: str, test_run_id: str
) -> Iterator[Callable[[str], Awaitable[str]]]:
    """As ``fresh_database``, for the fixtures a whole module shares: dropped after it."""
    with _databases(postgres_url, test_run_id) as make:
        yield make


class _Dropper:
    """Drops test databases in a thread of its own, many at once.

    ``DROP DATABASE`` makes PostgreSQL checkpoint: about 2 s each on a loaded machine, which
    a test waited for in its teardown (four databases per mesh test). Dropped together,
    concurrent drops share their checkpoints, and tests no longer wait for them.
    """

    def __init__(self) -> None:
        self._pending: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.failures: list[str] = []

    def discard(self, server_url: str, database: str) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="drop databases", daemon=True)
            self._thread.start()
        self._pending.put((server_url, database))

    def finish(self, timeout: float = 120.0) -> None:
        """Wait until everything discarded so far is dropped (end of the test session)."""
        if self._thread is not None:
            self._pending.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        asyncio.run(self._drop_until_finished())

    async def _drop_until_finished(self) -> None:
        finished = False
        while not finished:
            batch = [await asyncio.to_thread(self._pending.get)]
            while not self._pending.empty():
                batch.append(self._pending.get())
            finished = None in batch
            wanted = [item for item in batch if item is not None]
            results = await asyncio.gather(
                *(drop_database(url, name) for url, name in wanted), return_exceptions=True
            )
            self.failures += [
                f"{name}: {result!r}"
                for (_, name), result in zip(wanted, results, strict=True)
                if isinstance(result, BaseException)
            ]


_DROPPER = _Dropper()


def discard_database(server_url: str, database: str) -> None:
    """Drop a test's database in the background (see :class:`_Dropper`); the session waits
    for every drop before it ends."""
    _DROPPER.discard(server_url, database)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    _DROPPER.finish()
    for failure in _DROPPER.failures:
        print(f"test database not dropped: {failure}")


def pytest_configure(config: Any) -> None:
    os.environ.setdefault("IMAS_LOG_FORMAT", "console")
    # Services run in this process log to stderr, as they do in their own: what a command
    # prints on stdout (a token, a report) is then all a test reads there, even when a slow
    # machine's "event loop blocked" warning comes in between.
    # Warnings and errors only, as before: info lines of every service would drown the output.
    configure_logging("tests", fmt=os.environ["IMAS_LOG_FORMAT"], level="warning")
    if containers_backend():
        problem = _containers().engine_problem()
        if problem is not None:
            raise pytest.UsageError(f"IMAS_TEST_BACKEND=containers: {problem}")
