"""The shape IMAS runs in production: a three-node NATS cluster (R3 streams) and two replicas
of every service, each replica its own process. Under load through the API and Alertmanager
webhooks spread over both gateways:

- a NATS node (the leader of the INCIDENTS stream, the paging path) is killed and started
  again: nothing accepted is lost, no page is sent twice;
- one replica of every service is killed and started again: the other carries on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from imas_contracts.incidents import INCIDENTS_STREAM
from imas_runtime.bus import Bus
from imas_runtime.embedded import EmbeddedNatsCluster
from tests.chaos.conftest import SCALE, SERVICES, ChaosMesh, full_only, running_mesh
from tests.chaos.pager import PageSink
from tests.chaos.scenario import new_scenario
from tests.chaos.verdict import STEADY, UNDER_FAULT, check

pytestmark = [pytest.mark.chaos, full_only]

DOWNTIME = 2.0


@pytest.fixture(scope="module")
async def cluster_mesh(
    tmp_path_factory: pytest.TempPathFactory, sink: PageSink
) -> AsyncIterator[ChaosMesh]:
    root = tmp_path_factory.mktemp("cluster")
    nats = EmbeddedNatsCluster(root / "nats", size=3)
    async with running_mesh(root, sink, nats=nats, replicas=2) as mesh:
        yield mesh


async def stream_leader(mesh: ChaosMesh, stream: str) -> int:
    bus = Bus("chaos", mesh.nats.url)
    await bus.connect()
    try:
        info = await bus.js.stream_info(stream)
    finally:
        await bus.close()
    assert info.cluster is not None and info.cluster.leader, info
    assert len(info.cluster.replicas or []) == 2, info.cluster  # R3: a leader and two peers
    return int(info.cluster.leader.removeprefix("n"))


async def test_nats_node_killed_under_load_loses_nothing(cluster_mesh: ChaosMesh) -> None:
    mesh = cluster_mesh
    assert isinstance(mesh.nats, EmbeddedNatsCluster)
    scenario = await new_scenario(mesh, "nats-node")
    node = mesh.nats.nodes[await stream_leader(mesh, INCIDENTS_STREAM.name)]

    async def kill_leader() -> float:
        await asyncio.sleep(SCALE.alerts / SCALE.rate / 3)
        killed = time.monotonic()
        node.kill()
        await asyncio.sleep(DOWNTIME)
        await asyncio.to_thread(node.start)
        await asyncio.to_thread(node.wait_healthy)
        return time.monotonic() - killed

    sent = await scenario.send(SCALE.alerts, rate=SCALE.rate, during=kill_leader())
    outcome = await check(scenario, sent, duplicates=STEADY, alerts=SCALE.alerts)
    assert mesh.all_running()
    print(f"NATS node killed (R3, 2 replicas each): {outcome}")


async def test_one_replica_of_each_service_killed_under_load(cluster_mesh: ChaosMesh) -> None:
    mesh = cluster_mesh
    scenario = await new_scenario(mesh, "replicas")
    victims = [f"{service}-2" for service in SERVICES]

    async def kill_replicas() -> float:
        await asyncio.sleep(SCALE.alerts / SCALE.rate / 3)
        killed = time.monotonic()
        await asyncio.gather(*(mesh.restart(victim) for victim in victims))
        return time.monotonic() - killed

    sent = await scenario.send(SCALE.alerts, rate=SCALE.rate, during=kill_replicas())
    # A page the killed notifier had in flight goes again once its lease lapses.
    outcome = await check(scenario, sent, duplicates=UNDER_FAULT, alerts=SCALE.alerts)
    print(f"one replica of each service killed: {outcome}")
