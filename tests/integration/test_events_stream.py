"""Live updates: incident changes reach an open event stream as they happen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from imas_testing import eventually
from tests.conftest import Mesh
from tests.integration.gateway_setup import served

pytestmark = pytest.mark.integration

INCIDENT = {"title": "Checkout latency", "service_name": "redis-prod", "severity": "SEV2_HIGH"}


async def next_event(lines: AsyncIterator[str], type_: str, incident_id: str) -> dict[str, Any]:
    """The next ``type_`` event about ``incident_id``, skipping any other."""

    async def find() -> dict[str, Any]:
        event = ""
        async for line in lines:
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == type_:
                data: dict[str, Any] = json.loads(line.removeprefix("data: "))
                if data["id"] == incident_id:
                    return data
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(find(), timeout=15)


async def test_an_open_stream_shows_an_incident_triggered_then_acknowledged(mesh: Mesh) -> None:
    nc = mesh.gateway.state.runtime.bus.nc
    subscriptions_before = len(nc._subs)
    async with (
        served(mesh.gateway) as url,
        httpx.AsyncClient(base_url=url, timeout=15) as http,
        http.stream("GET", "/api/v1/events/stream", headers=mesh.auth) as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.aiter_lines()
        # Subscribed from here on: nothing that happens next is missed.
        assert await asyncio.wait_for(anext(lines), timeout=10) == ": subscribed"

        created = await mesh.client.post("/api/v1/incidents/", json=INCIDENT, headers=mesh.auth)
        assert created.status_code == 201, created.text
        incident_id = created.json()["id"]
        triggered = await next_event(lines, "incidents.triggered.v1", incident_id)
        assert triggered["status"] == "TRIGGERED" and triggered["service_name"] == "redis-prod"
        assert triggered["is_critical"] is True

        ack = await mesh.client.post(
            f"/api/v1/incidents/{incident_id}/acknowledge/", headers=mesh.auth
        )
        assert ack.status_code == 200, ack.text
        acknowledged = await next_event(lines, "incidents.acknowledged.v1", incident_id)
        assert acknowledged["status"] == "ACKNOWLEDGED" and acknowledged["acknowledged_at"]

        # A comment is news to everyone watching the incident, not only to its author.
        comment = await mesh.client.post(
            f"/api/v1/incidents/{incident_id}/comments/",
            json={"body": "Rolling back the 14:02 deploy"},
            headers=mesh.auth,
        )
        assert comment.status_code == 201, comment.text
        commented = await next_event(lines, "incidents.commented.v1", incident_id)
        assert commented["change"] == "added"
        assert commented["comment"]["body"] == "Rolling back the 14:02 deploy"

    # The client went away: the gateway dropped its subscriptions.
    def unsubscribed() -> None:
        assert len(nc._subs) == subscriptions_before

    await eventually(unsubscribed, timeout=10)


async def test_the_stream_needs_a_token(mesh: Mesh) -> None:
    response = await mesh.client.get("/api/v1/events/stream")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
