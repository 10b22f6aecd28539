"""Pytest plugin: the real servers IMAS runs on, and waiting with a deadline.

- ``nats_url``: the pinned nats-server, JetStream on, a free port and a temp store, one per
  test module, so streams filled by one module never flood the consumers of another.
- ``fresh_nats_url``: a server of its own for one test (a whole mesh that replays streams).
- ``postgres_url``: ``IMAS_TEST_DATABASE_URL`` when set, else an embedded PostgreSQL (session).
- ``redis_url``: ``IMAS_TEST_REDIS_URL`` when set, else an embedded Redis (session).
- ``fresh_database``: a factory of new, empty databases on that server, dropped afterwards.
- :func:`eventually`: poll an assertion until it holds or a deadline passes.

Loaded for every test run with ``-p imas_runtime.testing``.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from imas_runtime.db import drop_database, ensure_database
from imas_runtime.embedded import EmbeddedNats, EmbeddedPostgres, EmbeddedRedis

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]] | Callable[[], T],
    *,
    timeout: float = 10.0,
    interval: float = 0.05,
) -> T:
    """Call ``check`` until it stops raising ``AssertionError`` (or returns), up to ``timeout``.

    Returns what ``check`` returned the first time it passed; re-raises its last failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            return result
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(interval)


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("nats")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nats_url(nats_server: EmbeddedNats) -> str:
    return nats_server.url


@pytest.fixture
def fresh_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedNats(tmp_path_factory.mktemp("nats")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("IMAS_TEST_DATABASE_URL")
    if given:
        yield given
        return
    server = EmbeddedPostgres(Path(tmp_path_factory.mktemp("pg"))).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("IMAS_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis"))).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def test_run_id() -> str:
    """Short and unique per test session, so parallel runs on one server never collide."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
async def fresh_database(
    postgres_url: str, test_run_id: str
) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """``await fresh_database("incidents")`` → the name of a new empty database."""
    created: list[str] = []

    async def make(label: str) -> str:
        name = f"t_{test_run_id}_{label}_{uuid.uuid4().hex[:6]}"
        await ensure_database(postgres_url, name)
        created.append(name)
        return name

    yield make
    for name in created:
        await drop_database(postgres_url, name)


def pytest_configure(config: Any) -> None:
    os.environ.setdefault("IMAS_LOG_FORMAT", "console")
