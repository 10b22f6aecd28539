"""What a user sends that the services cannot work with is a 400 naming the field, through
the public API on the whole mesh (real PostgreSQL, NATS, Redis), and the intake keeps going:
times without a UTC offset, time zones that are folders of the zone database or too long to be
file names, recurrence rules dateutil would loop on, detection times before 1970."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from imas_testing import eventually
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


async def refusal(mesh: Mesh, method: str, url: str, body: dict[str, Any]) -> list[str]:
    answer = await mesh.client.request(method, url, headers=mesh.auth, json=body)
    assert answer.status_code == 400, answer.text
    return [e["field"] for e in answer.json()["errors"]]


async def outcome_of_alert(mesh: Mesh, marker: str) -> str:
    """Post one custom alert labelled ``window=<marker>``; what the intake made of it."""
    hook = await mesh.create("/api/v1/integrations/", {"name": f"hook-{marker}", "type": "custom"})
    key = hook["webhook_url"].split("token=")[1]
    body = {"title": f"Disk full {marker}", "labels": {"window": marker}}
    posted = await mesh.client.post(f"/api/v1/webhooks/custom/?token={key}", json=body)
    assert posted.status_code == 202, posted.text

    async def recorded() -> str:
        found = await mesh.call("GET", f"/api/v1/alerts/?integration={hook['id']}")
        assert found["count"] == 1, found
        return str(found["results"][0]["outcome"])

    return await eventually(recorded, timeout=30)


async def test_windows_that_cannot_work_are_refused_and_alerts_keep_flowing(mesh: Mesh) -> None:
    now = datetime.now(UTC)
    marker = uuid.uuid4().hex[:8]
    silence = {
        "matchers": [{"label": "window", "value": marker}],
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    naive = (now - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    # Stored, such a silence made every alert of the intake fail (and be dead-lettered).
    assert await refusal(mesh, "POST", "/api/v1/silences/", {**silence, "starts_at": naive}) == [
        "starts_at"
    ]
    recurring = {**silence, "rrule": "FREQ=DAILY", "duration": 600}
    for zone in ("Europe", "A" * 300):  # a folder of the zone database; too long for a file
        body = {**recurring, "timezone": zone}
        assert await refusal(mesh, "POST", "/api/v1/silences/", body) == ["timezone"]
    body = {**recurring, "rrule": "FREQ=DAILY;INTERVAL=0"}  # dateutil loops for ever on it
    assert await refusal(mesh, "POST", "/api/v1/silences/", body) == ["rrule"]
    until = (now + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    url = "/api/v1/services/redis-prod/maintenance/"
    assert await refusal(mesh, "PUT", url, {"until": until}) == ["until"]

    assert await outcome_of_alert(mesh, marker) == "created"
    await mesh.create("/api/v1/silences/", silence)
    assert await outcome_of_alert(mesh, marker) == "suppressed"


async def test_an_incident_detected_at_a_time_that_cannot_be_used_is_refused(mesh: Mesh) -> None:
    base = {"title": "Disk full", "service_name": "redis-prod", "severity": "SEV3_MEDIUM"}
    for detected in ("2026-12-07T10:00:00", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z"):
        url = "/api/v1/incidents/"
        assert await refusal(mesh, "POST", url, {**base, "detected_at": detected}) == [
            "detected_at"
        ]
    # One incident detected in the year 1 made the list and the metrics fail for everyone.
    for url in ("/api/v1/incidents/", "/api/v1/metrics/"):
        answer = await mesh.client.get(url, headers=mesh.auth)
        assert answer.status_code == 200, answer.text
