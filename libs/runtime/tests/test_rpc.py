"""Request/reply on a real nats-server: answers of any size reach the caller."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imas_contracts.catalog import Ref
from imas_contracts.incidents import IncidentPage, IncidentSnapshot, ListIncidents
from imas_runtime.bus import Bus
from imas_runtime.embedded import EmbeddedNats
from imas_runtime.rpc import Endpoint, RpcServer

pytestmark = pytest.mark.integration

MAX_PAYLOAD = 64 * 1024


@pytest.fixture(scope="module")
def small_nats(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A server whose messages are at most 64 KiB (1 MiB by default): a page of incidents
    with long descriptions outgrows it the way 500 incidents outgrow a default server."""
    data_dir = Path(tmp_path_factory.mktemp("small-nats"))
    config = data_dir / "nats.conf"
    config.write_text(f"max_payload: {MAX_PAYLOAD}\n")
    server = EmbeddedNats(data_dir, config=config).start()
    yield server.url
    server.stop()


def page(n: int, description: str) -> IncidentPage:
    now = datetime.now(UTC)
    return IncidentPage(
        count=n,
        results=[
            IncidentSnapshot(
                id=str(uuid.uuid4()),
                short_id=f"{i:08x}",
                title=f"Incident {i}",
                description=description,
                service=Ref(id=str(uuid.uuid4()), name="redis-prod"),
                severity="SEV2_HIGH",
                status="TRIGGERED",
                detected_at=now,
                created_at=now,
            )
            for i in range(n)
        ],
    )


@pytest.fixture
async def served(small_nats: str) -> AsyncIterator[tuple[Bus, dict[str, IncidentPage]]]:
    answers: dict[str, IncidentPage] = {}

    async def list_incidents(request: ListIncidents) -> IncidentPage:
        return answers[request.q]

    server_bus, client_bus = Bus("incidents", small_nats), Bus("gateway", small_nats)
    await server_bus.connect()
    await client_bus.connect()
    rpc = RpcServer(server_bus, [Endpoint(ListIncidents, list_incidents)])
    await rpc.start("incidents")
    yield client_bus, answers
    await rpc.stop()
    await server_bus.close()
    await client_bus.close()


async def test_an_answer_larger_than_a_message_reaches_the_caller_whole(
    served: tuple[Bus, dict[str, IncidentPage]],
) -> None:
    bus, answers = served
    answers["big"] = page(60, "x" * 4096)  # about 260 KiB: four times the server's limit
    got = await bus.request(ListIncidents(q="big"), IncidentPage, timeout=10)
    assert got == answers["big"]


async def test_small_answers_still_travel_as_one_message(
    served: tuple[Bus, dict[str, IncidentPage]],
) -> None:
    bus, answers = served
    answers["small"] = page(2, "short")
    assert await bus.request(ListIncidents(q="small"), IncidentPage) == answers["small"]
