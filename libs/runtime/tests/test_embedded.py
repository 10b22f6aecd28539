"""The servers chaos tests break: PostgreSQL killed with SIGKILL comes back with what it had
committed, a three-node NATS cluster keeps an R3 stream writable when a node dies, and the
bus reaches a cluster through a comma-separated URL."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from nats.js.api import StreamConfig

from imas_runtime.bus import Bus
from imas_runtime.db import asyncpg_dsn
from imas_runtime.embedded import EmbeddedNatsCluster, EmbeddedPostgres
from imas_testing import eventually

pytestmark = pytest.mark.integration


async def test_postgres_killed_comes_back_with_what_it_committed(tmp_path: Path) -> None:
    postgres = EmbeddedPostgres(tmp_path / "pg", fsync=False).start()
    try:
        url = postgres.url
        conn = await asyncpg.connect(asyncpg_dsn(url))
        await conn.execute("CREATE TABLE pages (id int); INSERT INTO pages VALUES (1)")
        postgres.kill()
        with pytest.raises((OSError, asyncpg.PostgresError, asyncpg.InterfaceError)):
            await conn.fetch("SELECT 1")
        postgres.start()  # crash recovery, same socket
        assert postgres.url == url
        conn = await asyncpg.connect(asyncpg_dsn(url))
        assert await conn.fetchval("SELECT count(*) FROM pages") == 1
        assert await conn.fetchval("SHOW fsync") == "off"
        await conn.close()
    finally:
        postgres.stop()


async def test_r3_stream_takes_publishes_after_its_leader_node_dies(tmp_path: Path) -> None:
    cluster = EmbeddedNatsCluster(tmp_path / "nats", size=3).start()
    bus = Bus("test", cluster.url)
    try:
        assert cluster.url.count(",") == 2
        await bus.connect()
        await bus.js.add_stream(StreamConfig(name="PAGES", subjects=["pages.>"], num_replicas=3))
        await bus.js.publish("pages.one", b"1")
        info = await bus.js.stream_info("PAGES")
        assert info.cluster is not None and info.cluster.leader is not None
        leader = cluster.nodes[int(info.cluster.leader.removeprefix("n"))]
        leader.kill()

        async def published() -> None:
            try:
                await bus.js.publish("pages.two", b"2", timeout=1)
            except Exception as exc:  # no leader yet: the others elect one
                raise AssertionError(repr(exc)) from exc

        await eventually(published, timeout=30, interval=0.2)
        leader.start()
        leader.wait_healthy()
        assert (await bus.js.stream_info("PAGES")).state.messages == 2
    finally:
        await bus.close()
        cluster.stop()
