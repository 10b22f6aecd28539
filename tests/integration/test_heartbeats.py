"""Heartbeats through the mesh on real servers: a job that stops pinging opens one incident,
paged once at a local Slack (a server implementing Slack's Web API); its next ping resolves
it; a restart of ingest while a heartbeat is overdue, or two ingest replicas watching the same
deadlines, still open exactly one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from imas_ingest.app import create_runtime as create_ingest
from imas_ingest.settings import IngestSettings
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_testing.fake_chat import FakeSlack
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

PING = "/api/v1/webhooks/heartbeat/"


def pages(slack: FakeSlack, name: str) -> list[str]:
    """The pages (not their threaded follow-ups) about a heartbeat at Slack's #sre-core."""
    return [
        m["text"]
        for m in slack.channels["C0SRE"].messages.values()
        if name in m["text"] and "thread_ts" not in m
    ]


async def heartbeat(mesh: Mesh, name: str, interval: float = 1, grace: float = 0) -> dict[str, Any]:
    created = await mesh.create(
        "/api/v1/integrations/",
        {"name": name, "type": "heartbeat", "service": "redis-prod",
         "interval": interval, "grace": grace},
    )  # fmt: skip
    assert created["heartbeat"]["status"] == "new"
    assert created["webhook_url"].endswith(f"{PING}?token={created['secret']}")
    return created


async def ping(mesh: Mesh, beat: dict[str, Any], method: str = "GET") -> dict[str, Any]:
    answer = await mesh.client.request(method, PING, params={"token": beat["secret"]})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def incidents_of(mesh: Mesh, beat: dict[str, Any]) -> list[dict[str, Any]]:
    found = await mesh.call("GET", "/api/v1/incidents/?page_size=100")
    key = f"heartbeat:{beat['id']}"
    return [i for i in found["results"] if i["dedup_key"] == key]


async def one_open_incident(mesh: Mesh, beat: dict[str, Any]) -> dict[str, Any]:
    found = await incidents_of(mesh, beat)
    assert [i["status"] for i in found] == ["TRIGGERED"]
    return found[0]


async def status_of(mesh: Mesh, beat: dict[str, Any]) -> str:
    listed = await mesh.call("GET", "/api/v1/integrations/")
    (mine,) = [i for i in listed["results"] if i["id"] == beat["id"]]
    return str(mine["heartbeat"]["status"])


def past(deadline: str) -> None:
    assert datetime.now(UTC) > datetime.fromisoformat(deadline)


async def test_a_job_that_stops_pinging_opens_one_incident_and_its_next_ping_resolves_it(
    mesh: Mesh, slack: FakeSlack
) -> None:
    beat = await heartbeat(mesh, "nightly-backup")
    answer = await ping(mesh, beat)
    assert answer["heartbeat"] == beat["id"]
    assert answer["next_ping_due_at"]

    incident = await eventually(lambda: one_open_incident(mesh, beat), timeout=30)
    assert incident["service"]["name"] == "redis-prod"
    assert incident["title"] == "Heartbeat missed: nightly-backup"
    assert await status_of(mesh, beat) == "down"
    await eventually(lambda: assert_equal(len(pages(slack, "nightly-backup")), 1), timeout=30)

    await ping(mesh, beat, method="POST")  # the job runs again

    async def resolved() -> None:
        (found,) = await incidents_of(mesh, beat)
        assert found["status"] == "RESOLVED"

    await eventually(resolved, timeout=30)
    assert await status_of(mesh, beat) == "up"
    # Paged once in all: the miss raised one alert, the resolution none.
    assert len(pages(slack, "nightly-backup")) == 1
    alerts = await mesh.call("GET", f"/api/v1/alerts/?integration={beat['id']}")
    outcomes = sorted((a["status"], a["outcome"]) for a in alerts["results"])
    assert outcomes == [("firing", "created"), ("resolved", "resolved")]


def assert_equal(found: object, wanted: object) -> None:
    assert found == wanted


async def test_a_heartbeat_never_pinged_is_not_watched_and_a_bad_token_is_refused(
    mesh: Mesh,
) -> None:
    beat = await heartbeat(mesh, "not-started-yet")
    assert beat["heartbeat"]["due_at"] is None
    refused = await mesh.client.get(PING, params={"token": "not-a-heartbeat-token"})
    assert refused.status_code == 401
    # A token of another type of integration is no heartbeat's.
    other = await mesh.create("/api/v1/integrations/", {"name": "am", "type": "alertmanager"})
    refused = await mesh.client.post(PING, headers={"X-IMAS-Token": other["secret"]})
    assert refused.status_code == 401
    missing = await mesh.client.post(
        "/api/v1/integrations/",
        headers=mesh.auth,
        json={"name": "no-interval", "type": "heartbeat"},
    )
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "interval"
    assert await incidents_of(mesh, beat) == []


@contextlib.asynccontextmanager
async def ingest_beside(mesh: Mesh) -> AsyncIterator[ServiceRuntime]:
    """Another ingest process's worth on the mesh's database: a replica, or a restart."""
    settings: IngestSettings = mesh.ingest.settings  # type: ignore[assignment]
    runtime = create_ingest(settings)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def test_an_overdue_heartbeat_opens_one_incident_after_ingest_restarts(
    mesh: Mesh, slack: FakeSlack
) -> None:
    beat = await heartbeat(mesh, "etl-hourly")
    answer = await ping(mesh, beat)
    # Ingest stops before the deadline and comes back after it.
    await mesh.ingest.stop()
    await eventually(lambda: past(answer["next_ping_due_at"]), timeout=30)
    async with ingest_beside(mesh):
        incident = await eventually(lambda: one_open_incident(mesh, beat), timeout=30)
        assert incident["alert_count"] == 1

        # Pages of this incident: with a 1 s interval, a slow machine may see the next ping
        # missed (another incident) before the test ends.
        def paged() -> int:
            return len(pages(slack, incident["id"]))

        await eventually(lambda: assert_equal(paged(), 1), timeout=30)
        await ping(mesh, beat)

        async def resolved() -> None:
            found = {i["id"]: i for i in await incidents_of(mesh, beat)}
            assert found[incident["id"]]["status"] == "RESOLVED"

        await eventually(resolved, timeout=30)
    assert paged() == 1


async def test_two_ingest_replicas_raise_a_missed_heartbeat_once(
    mesh: Mesh, slack: FakeSlack
) -> None:
    async with ingest_beside(mesh):
        beats = [await heartbeat(mesh, f"replicated-{i}") for i in range(5)]
        for beat in beats:
            await ping(mesh, beat)
        for beat in beats:
            incident = await eventually(lambda b=beat: one_open_incident(mesh, b), timeout=30)  # type: ignore[misc]
            assert incident["alert_count"] == 1
        await eventually(
            lambda: assert_equal(len(pages(slack, "replicated-")), len(beats)), timeout=30
        )
        for beat in beats:
            alerts = await mesh.call("GET", f"/api/v1/alerts/?integration={beat['id']}")
            assert [a["outcome"] for a in alerts["results"]] == ["created"]
    assert len(pages(slack, "replicated-")) == len(beats)
