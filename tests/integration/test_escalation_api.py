"""Schedules, policies, who is on call and calendars through the public API."""

from __future__ import annotations

import httpx
import pytest

from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

ALICE = {"name": "Alice Martin", "email": "alice@example.com", "phone": "+33600000001"}
BOB = {"name": "Bob Durand", "email": "bob@example.com", "phone": "+33600000002"}


async def test_schedule_answers_who_is_on_call_and_its_calendar(
    mesh: Mesh, escalation: ServiceRuntime
) -> None:
    team = (await mesh.client.get("/api/v1/teams/", headers=mesh.auth)).json()["results"][0]
    ids = []
    for person in (ALICE, BOB):
        created_person = await mesh.client.post("/api/v1/people/", json=person, headers=mesh.auth)
        assert created_person.status_code == 201, created_person.text
        ids.append(created_person.json()["id"])
    alice, bob = ids

    async def schedule_created() -> dict[str, object]:
        # The escalation service learns people from catalog events: retry until it knows them.
        response = await mesh.client.post(
            "/api/v1/schedules/",
            headers=mesh.auth,
            json={
                "team_id": team["id"],
                "name": "Primary",
                "time_zone": "Europe/Paris",
                "layers": [
                    {
                        "members": [alice, bob],
                        "shift": "weekly",
                        "start": "2026-01-05T09:00:00",
                    }
                ],
            },
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    created = await eventually(schedule_created, timeout=10)
    schedule_id = created["schedule"]["id"]  # type: ignore[index]

    on_call = await mesh.client.get(
        f"/api/v1/schedules/{schedule_id}/oncall/?at=2026-11-27T12:00:00Z", headers=mesh.auth
    )
    assert on_call.status_code == 200, on_call.text
    # Week 47 of 2026, counted from Monday 5 January: Alice's turn (even weeks since start).
    assert [s["person"]["id"] for s in on_call.json()["schedules"]] == [alice]

    shifts = await mesh.client.get(
        f"/api/v1/schedules/{schedule_id}/shifts/?count=3", headers=mesh.auth
    )
    people = [s["person"]["id"] for s in shifts.json()["shifts"]]
    assert len(people) == 3
    assert people[0] != people[1]

    calendar = await mesh.client.get(
        f"/api/v1/schedules/{schedule_id}/calendar.ics", headers=mesh.auth
    )
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert calendar.text.startswith("BEGIN:VCALENDAR\r\n")

    listed = await mesh.client.get(f"/api/v1/schedules/?team={team['id']}", headers=mesh.auth)
    assert [s["id"] for s in listed.json()["schedules"]] == [schedule_id]


async def test_bad_schedule_is_a_400_naming_the_field(
    mesh: Mesh, escalation: ServiceRuntime
) -> None:
    response = await mesh.client.post(
        "/api/v1/schedules/",
        headers=mesh.auth,
        json={"team_id": "t", "name": "x", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"].endswith("time_zone")


async def test_policy_round_trip_and_incident_escalation_history(
    mesh: Mesh, escalation: ServiceRuntime
) -> None:
    team = (await mesh.client.get("/api/v1/teams/", headers=mesh.auth)).json()["results"][0]
    policy = await mesh.client.post(
        "/api/v1/escalation-policies/",
        headers=mesh.auth,
        json={
            "team_id": team["id"],
            "name": "Day",
            "steps": [{"delay_minutes": 0, "targets": [{"kind": "team"}], "channels": ["slack"]}],
        },
    )
    assert policy.status_code == 201, policy.text
    policy_id = policy.json()["policy"]["id"]
    fetched = await mesh.client.get(f"/api/v1/escalation-policies/{policy_id}/", headers=mesh.auth)
    assert fetched.json()["policy"]["name"] == "Day"

    incident = await mesh.client.post(
        "/api/v1/incidents/",
        headers=mesh.auth,
        json={"title": "Redis down", "service_name": "redis-prod", "severity": "SEV1_CRITICAL"},
    )
    incident_id = incident.json()["id"]

    async def escalated() -> None:
        history = await mesh.client.get(
            f"/api/v1/incidents/{incident_id}/escalation/", headers=mesh.auth
        )
        assert history.status_code == 200, history.text
        assert history.json()["entries"]
        assert history.json()["entries"][0]["status"] == "fired"

    await eventually(escalated, timeout=15)

    removed = await mesh.client.delete(
        f"/api/v1/escalation-policies/{policy_id}/", headers=mesh.auth
    )
    assert removed.status_code == 204
    gone = await mesh.client.get(f"/api/v1/escalation-policies/{policy_id}/", headers=mesh.auth)
    assert gone.status_code == 404


async def test_reopened_incident_pages_its_first_step_again(
    mesh: Mesh, escalation: ServiceRuntime
) -> None:
    """Trigger → acknowledge → resolve → reopen through the API: the team's channel is paged
    again by the reopened incident's run, and the notifier delivers that page."""
    created = await mesh.client.post(
        "/api/v1/incidents/",
        headers=mesh.auth,
        json={"title": "Redis down", "service_name": "redis-prod", "severity": "SEV1_CRITICAL"},
    )
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]

    async def first_steps_sent(count: int) -> list[str]:
        response = await mesh.client.get(
            f"/api/v1/incidents/{incident_id}/deliveries/", headers=mesh.auth
        )
        assert response.status_code == 200, response.text
        keys = sorted(
            d["idempotency_key"]
            for d in response.json()["results"]
            if d["idempotency_key"].startswith(f"esc:{incident_id}:")
            and ":step0:" in d["idempotency_key"]
            and d["status"] == "sent"
        )
        assert len(keys) == count, keys
        return keys

    await eventually(lambda: first_steps_sent(1), timeout=15)
    for action in ("acknowledge", "resolve", "reopen"):
        moved = await mesh.client.post(
            f"/api/v1/incidents/{incident_id}/{action}/", headers=mesh.auth, json={}
        )
        assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "TRIGGERED"

    keys = await eventually(lambda: first_steps_sent(2), timeout=15)
    assert keys[0].startswith(f"esc:{incident_id}:run2:step0:0:team:")
    history = await mesh.client.get(
        f"/api/v1/incidents/{incident_id}/escalation/", headers=mesh.auth
    )
    entries = history.json()["entries"]
    assert history.json()["status"] == "active"
    assert [(e["run"], e["status"]) for e in entries if e["step"] == 0] == [
        (1, "fired"),
        (2, "fired"),
    ]
    assert {e["status"] for e in entries if e["run"] == 1 and e["step"] > 0} == {"cancelled"}


async def test_imas_check_tells_what_the_api_tells(
    mesh: Mesh, escalation: ServiceRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    from imas_cli.__main__ import build_parser
    from imas_cli.check import describe, run
    from imas_cli.gateway import api_client
    from imas_client.models import ConfigReport

    api = (await mesh.client.get("/api/v1/escalation/check/", headers=mesh.auth)).json()
    args = build_parser().parse_args(["check"])
    transport = httpx.ASGITransport(app=mesh.gateway)
    async with api_client("http://imas", mesh.token, transport=transport) as client:
        code = await run(args, client)
    out = capsys.readouterr().out.strip().splitlines()
    assert code == (0 if api["ok"] else 1)
    assert out == describe(ConfigReport.from_dict(api))
