"""Maintenance windows through the mesh on real PostgreSQL, NATS and Redis: a recurring
silence suppresses alerts only within its occurrences, a service in maintenance has its alerts
suppressed with the window named, bad rules and zones are refused naming the field, and the
escalation of an incident already open on a service put in maintenance is held (nothing reaches
the local Slack during the window) then resumed at its end, unless it was resolved meanwhile;
so are a person's later pages (counted at a local Twilio), an incident declared by hand during
a maintenance is opened but paged only after it, and a maintenance planned for later holds
nothing before it begins."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_testing.fake_chat import FakeSlack
from imas_testing.fake_providers import FakeTwilio
from tests.conftest import Mesh
from tests.integration.test_acknowledge_anywhere import (
    ACCOUNT,
    ALICE_EMAIL,
    AUTH_TOKEN,
    add_twilio,
    pages_alice_by,
)

pytestmark = pytest.mark.integration


def iso(at: datetime) -> str:
    return at.isoformat()


async def custom_alert(mesh: Mesh, service: str, marker: str) -> dict[str, Any]:
    """Post one custom alert for ``service`` through a new integration; its recorded alert."""
    hook = await mesh.create(
        "/api/v1/integrations/", {"name": f"hook-{marker}", "type": "custom", "service": service}
    )
    key = hook["webhook_url"].split("token=")[1]
    body = {"title": f"Disk full {marker}", "labels": {"window": marker}}
    posted = await mesh.client.post(f"/api/v1/webhooks/custom/?token={key}", json=body)
    assert posted.status_code == 202, posted.text

    async def recorded() -> dict[str, Any]:
        found = await mesh.call("GET", f"/api/v1/alerts/?integration={hook['id']}")
        assert found["count"] == 1, found
        return dict(found["results"][0])

    return await eventually(recorded, timeout=30)


async def test_a_recurring_silence_suppresses_alerts_only_within_its_occurrences(
    mesh: Mesh,
) -> None:
    now = datetime.now(UTC)
    inside, outside = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    # Every day from a minute ago, for an hour: now is inside today's occurrence.
    within = await mesh.create(
        "/api/v1/silences/",
        {"matchers": [{"label": "window", "value": inside}],
         "starts_at": iso(now - timedelta(minutes=1)), "ends_at": iso(now + timedelta(days=30)),
         "rrule": "FREQ=DAILY", "duration": 3600, "timezone": "Europe/Paris",
         "comment": "nightly batch"},
    )  # fmt: skip
    assert (within["rrule"], within["timezone"], within["duration"]) == (
        "FREQ=DAILY",
        "Europe/Paris",
        3600,
    )
    # Every day from two hours ago, for an hour: today's occurrence ended an hour ago.
    await mesh.create(
        "/api/v1/silences/",
        {"matchers": [{"label": "window", "value": outside}],
         "starts_at": iso(now - timedelta(hours=2)), "ends_at": iso(now + timedelta(days=30)),
         "rrule": "FREQ=DAILY", "duration": 3600},
    )  # fmt: skip

    silenced = await custom_alert(mesh, "redis-prod", inside)
    assert silenced["outcome"] == "suppressed"
    assert silenced["suppressed_by"] == f"silence {within['id']} (nightly batch)"
    assert silenced["incident_id"] is None
    paged = await custom_alert(mesh, "redis-prod", outside)
    assert paged["outcome"] == "created"
    assert paged["suppressed_by"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rrule": "FREQ=FORTNIGHTLY"}, "rrule"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"duration": 0}, "duration"),
        ({"rrule": "", "duration": 600}, "duration"),
    ],
)
async def test_a_window_that_cannot_work_is_refused_naming_its_field(
    mesh: Mesh, change: dict[str, Any], field: str
) -> None:
    now = datetime.now(UTC)
    body = {"matchers": [{"label": "service", "value": "redis-prod"}],
            "starts_at": iso(now), "ends_at": iso(now + timedelta(days=7)),
            "rrule": "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", "duration": 7200,
            "timezone": "Europe/Paris", **change}  # fmt: skip
    answer = await mesh.client.post("/api/v1/silences/", json=body, headers=mesh.auth)
    assert answer.status_code == 400, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_a_service_in_maintenance_has_its_alerts_suppressed_until_it_ends(
    mesh: Mesh,
) -> None:
    until = datetime.now(UTC) + timedelta(hours=2)
    late = await mesh.client.put(
        "/api/v1/services/redis-prod/maintenance/",
        json={"until": iso(datetime.now(UTC) - timedelta(minutes=1))},
        headers=mesh.auth,
    )
    assert late.status_code == 400
    assert [e["field"] for e in late.json()["errors"]] == ["until"]

    service = await mesh.call(
        "PUT",
        "/api/v1/services/redis-prod/maintenance/",
        json={"until": iso(until), "reason": "Redis 8 upgrade"},
    )
    assert service["maintenance_reason"] == "Redis 8 upgrade"
    assert datetime.fromisoformat(service["maintenance_until"]) == until.replace(microsecond=0) or (
        abs(datetime.fromisoformat(service["maintenance_until"]) - until) < timedelta(seconds=1)
    )
    listed = await mesh.call("GET", "/api/v1/services/redis-prod/")
    assert listed["maintenance_reason"] == "Redis 8 upgrade"

    silenced = await custom_alert(mesh, "redis-prod", uuid.uuid4().hex[:8])
    assert silenced["outcome"] == "suppressed"
    assert silenced["suppressed_by"].startswith("maintenance of redis-prod until ")
    other = await custom_alert(mesh, "checkout-api", uuid.uuid4().hex[:8])
    assert other["outcome"] == "created"

    ended = await mesh.call("DELETE", "/api/v1/services/redis-prod/maintenance/")
    assert ended["maintenance_until"] is None

    async def pages_again() -> None:
        alert = await custom_alert(mesh, "redis-prod", uuid.uuid4().hex[:8])
        assert alert["outcome"] == "created", alert

    # Ingest asks incidents which services are in maintenance at most every 2 s.
    await eventually(pages_again, timeout=30)


def pages(slack: FakeSlack, title: str) -> int:
    """Pages about ``title`` at Slack's #sre-core (not their threaded follow-ups)."""
    found = slack.channels["C0SRE"].messages.values()
    return sum(title in m["text"] and "thread_ts" not in m for m in found)


async def escalation_lines(mesh: Mesh, incident: dict[str, Any]) -> list[str]:
    detail = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/")
    return [e["message"] for e in detail["timeline"] if e["type"] == "ESCALATION"]


# Step 1 at once, step 2 thirty seconds later (time enough to start the window first on a
# loaded machine), the rest an hour on (the default policy, shortened).
@pytest.mark.parametrize("escalation", [{"default_step_minutes": "0,0.5,60,60,60"}], indirect=True)
async def test_escalations_of_open_incidents_are_held_during_maintenance_and_resumed_after(
    mesh: Mesh, escalation: ServiceRuntime, slack: FakeSlack
) -> None:
    kept, resolved = (f"Replica lag {uuid.uuid4().hex[:6]}" for _ in range(2))
    incidents = {}
    for title in (kept, resolved):
        body = {"title": title, "service_name": "redis-prod", "severity": "SEV2_HIGH"}
        incidents[title] = await mesh.create("/api/v1/incidents/", {**body, "dedup_key": title})

    async def first_steps() -> None:
        for incident in incidents.values():
            lines = await escalation_lines(mesh, incident)
            assert lines == ["Escalation step 1 fired: paged SRE Core via slack"], lines

    await eventually(first_steps, timeout=30)
    # Both open; the maintenance starts before their second step is due and ends after it.
    opened = min(datetime.fromisoformat(i["created_at"]) for i in incidents.values())
    until = max(opened + timedelta(seconds=35), datetime.now(UTC) + timedelta(seconds=5))
    await mesh.call("PUT", "/api/v1/services/redis-prod/maintenance/", json={"until": iso(until)})

    async def first_pages() -> None:
        assert (pages(slack, kept), pages(slack, resolved)) == (1, 1)

    await eventually(first_pages, timeout=30)

    async def held() -> None:
        for incident in incidents.values():
            lines = await escalation_lines(mesh, incident)
            wanted = "Escalation step 2 held: maintenance of redis-prod until"
            assert any(wanted in line for line in lines), lines

    await eventually(held, timeout=30)
    await mesh.call("POST", f"/api/v1/incidents/{incidents[resolved]['id']}/resolve/")
    # Nothing more reaches Slack while the window lasts.
    while datetime.now(UTC) < until - timedelta(seconds=0.5):
        assert (pages(slack, kept), pages(slack, resolved)) == (1, 1)
        await asyncio.sleep(0.2)

    async def resumed() -> None:
        assert pages(slack, kept) == 2
        lines = await escalation_lines(mesh, incidents[kept])
        assert lines[-1] == "Escalation step 2 resumed after maintenance of redis-prod: " \
            "paged SRE Core via slack"  # fmt: skip

    await eventually(resumed, timeout=30)
    assert datetime.now(UTC) >= until
    # The one resolved during the window is never paged again.
    assert pages(slack, resolved) == 1
    lines = await escalation_lines(mesh, incidents[resolved])
    assert not any("resumed" in line for line in lines)


async def test_the_on_call_calendar_holds_the_maintenance_windows_of_the_teams_services(
    mesh: Mesh, escalation: ServiceRuntime
) -> None:
    team = await mesh.call("GET", "/api/v1/teams/sre-core/")
    schedule = await mesh.create(
        "/api/v1/schedules/",
        {"team_id": team["id"], "name": "SRE Core",
         "layers": [{"members": [team["members"][0]["id"]], "start": "2026-01-05T09:00:00"}]},
    )  # fmt: skip
    # Every day at 03:00 in Paris, for 30 minutes, on redis-prod (SRE Core's); the same on
    # checkout-api, which is not SRE Core's, stays out of its calendar.
    start = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    for service in ("redis-prod", "checkout-api"):
        await mesh.create(
            "/api/v1/silences/",
            {"matchers": [{"label": "service", "value": service}],
             "starts_at": iso(start - timedelta(days=1)),
             "ends_at": iso(start + timedelta(days=60)),
             "rrule": "FREQ=DAILY;BYHOUR=3;BYMINUTE=0", "duration": 1800,
             "timezone": "Europe/Paris", "comment": f"{service} backups"},
        )  # fmt: skip
    until = datetime.now(UTC) + timedelta(hours=3)
    await mesh.call(
        "PUT",
        "/api/v1/services/redis-prod/maintenance/",
        json={"until": iso(until), "reason": "Redis 8 upgrade"},
    )

    feed_url = f"/api/v1/schedules/{schedule['schedule']['id']}/calendar.ics"
    answer = await mesh.client.get(feed_url, headers=mesh.auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    feed = answer.text.replace("\r\n ", "")
    summaries = [line for line in feed.split("\r\n") if line.startswith("SUMMARY:Maint")]
    daily = [s for s in summaries if "redis-prod (redis-prod backups)" in s]
    assert 29 <= len(daily) <= 31, summaries  # one a day for the feed's 30 days
    assert not any("checkout-api" in s for s in summaries)
    assert "SUMMARY:Maintenance: redis-prod: Redis 8 upgrade" in summaries
    # December in Paris is UTC+1: 03:00 there is 02:00 UTC, and each lasts 30 minutes.
    starts = [line for line in feed.split("\r\n") if line.startswith("DTSTART:")]
    assert any(s.endswith("T020000Z") for s in starts)
    assert feed.endswith("END:VCALENDAR\r\n")


# Step 1 at once, step 2 thirty seconds later, the rest an hour on.
@pytest.mark.parametrize("escalation", [{"default_step_minutes": "0,0.5,60,60,60"}], indirect=True)
async def test_a_recurring_window_of_a_whole_service_holds_its_escalations_until_its_end(
    mesh: Mesh, escalation: ServiceRuntime, slack: FakeSlack
) -> None:
    title = f"Evictions {uuid.uuid4().hex[:6]}"
    body = {"title": title, "service_name": "redis-prod", "severity": "SEV2_HIGH"}
    incident = await mesh.create("/api/v1/incidents/", {**body, "dedup_key": title})

    async def first_step() -> None:
        lines = await escalation_lines(mesh, incident)
        assert lines == ["Escalation step 1 fired: paged SRE Core via slack"], lines

    await eventually(first_step, timeout=30)
    # Every day from now, for as long as it takes step 2 (due 30 s after the incident opened)
    # to fall inside today's occurrence, and a little more.
    opened = datetime.fromisoformat(incident["created_at"])
    # RFC 5545 counts in whole seconds: the first start too.
    now = datetime.now(UTC).replace(microsecond=0)
    end = max(opened + timedelta(seconds=35), now + timedelta(seconds=5))
    window = await mesh.create(
        "/api/v1/silences/",
        {"matchers": [{"label": "service", "value": "redis-prod"}],
         "starts_at": iso(now), "ends_at": iso(now + timedelta(days=7)),
         "rrule": "FREQ=DAILY", "duration": (end - now).total_seconds(),
         "comment": "cache warm-up"},
    )  # fmt: skip

    async def held() -> None:
        lines = await escalation_lines(mesh, incident)
        wanted = f"Escalation step 2 held: silence {window['id']} (cache warm-up) until"
        assert any(wanted in line for line in lines), lines

    await eventually(held, timeout=30)
    while datetime.now(UTC) < end - timedelta(seconds=0.5):
        assert pages(slack, title) == 1
        await asyncio.sleep(0.2)

    async def resumed() -> None:
        assert pages(slack, title) == 2
        lines = await escalation_lines(mesh, incident)
        assert lines[-1] == (
            f"Escalation step 2 resumed after silence {window['id']} (cache warm-up): "
            "paged SRE Core via slack"
        )

    await eventually(resumed, timeout=30)
    assert datetime.now(UTC) >= end


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(ACCOUNT, AUTH_TOKEN) as server:
        yield server  # type: ignore[misc]


def texts(twilio: FakeTwilio, title: str) -> int:
    """Pages by SMS received by the local Twilio about ``title`` (a bundle counts for each;
    not the follow-ups saying it was acknowledged or resolved)."""
    follow_ups = (f"{title}: Acknowledged", f"{title}: Resolved")
    return sum(
        title in m["Body"] and not any(f in m["Body"] for f in follow_ups) for m in twilio.messages
    )


def calls(twilio: FakeTwilio, title: str) -> int:
    """Calls placed through the local Twilio about ``title``."""
    return sum(any(title in s for s in c.said) for c in twilio.placed)


@pytest.mark.parametrize("window", ["maintenance", "recurring silence"])
async def test_a_persons_later_pages_wait_for_the_end_of_a_window_begun_meanwhile(
    mesh: Mesh, twilio: FakeTwilio, window: str
) -> None:
    await add_twilio(mesh, twilio)
    await pages_alice_by(mesh, "sms")
    # Alice's own rules: a text at once, a call half a minute later if nobody took it.
    rules = {"rules": [{"channel": "sms", "delay_minutes": 0},
                       {"channel": "voice", "delay_minutes": 0.5}]}  # fmt: skip
    await mesh.call("PUT", f"/api/v1/people/{ALICE_EMAIL}/notification-rules/", json=rules)
    kept, resolved = (f"Primary down {uuid.uuid4().hex[:6]}" for _ in range(2))
    incidents = {}
    for title in (kept, resolved):
        body = {"title": title, "service_name": "redis-prod", "severity": "SEV1_CRITICAL"}
        incidents[title] = await mesh.create("/api/v1/incidents/", {**body, "dedup_key": title})

    async def texted() -> None:
        assert (texts(twilio, kept), texts(twilio, resolved)) == (1, 1)

    await eventually(texted, timeout=30)
    # The maintenance begins before the calls are due and ends after.
    opened = min(datetime.fromisoformat(i["created_at"]) for i in incidents.values())
    now = datetime.now(UTC).replace(microsecond=0)  # RFC 5545 counts in whole seconds
    until = max(opened + timedelta(seconds=40), now + timedelta(seconds=5))
    if window == "maintenance":
        body = {"until": iso(until)}
        await mesh.call("PUT", "/api/v1/services/redis-prod/maintenance/", json=body)
    else:  # every day from now, for as long: a window of the whole service
        await mesh.create(
            "/api/v1/silences/",
            {"matchers": [{"label": "service", "value": "redis-prod"}],
             "starts_at": iso(now), "ends_at": iso(now + timedelta(days=7)),
             "rrule": "FREQ=DAILY", "duration": (until - now).total_seconds(),
             "comment": "failover drill"},
        )  # fmt: skip
    await mesh.call("POST", f"/api/v1/incidents/{incidents[resolved]['id']}/resolve/")
    # Nobody is called while the window lasts.
    while datetime.now(UTC) < until - timedelta(seconds=0.5):
        assert (calls(twilio, kept), calls(twilio, resolved)) == (0, 0)
        await asyncio.sleep(0.2)

    async def called_after() -> None:
        assert calls(twilio, kept) == 1

    await eventually(called_after, timeout=30)
    assert datetime.now(UTC) >= until
    # The one resolved during the window is never called, and nobody is texted again.
    assert calls(twilio, resolved) == 0
    assert (texts(twilio, kept), texts(twilio, resolved)) == (1, 1)


async def deliveries(mesh: Mesh, incident: dict[str, Any]) -> list[dict[str, Any]]:
    found = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/deliveries/")
    return list(found["results"])


async def test_an_incident_declared_by_hand_during_maintenance_is_paged_only_after_it(
    mesh: Mesh, twilio: FakeTwilio
) -> None:
    await add_twilio(mesh, twilio)
    await pages_alice_by(mesh, "sms")
    until = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    await mesh.call(
        "PUT",
        "/api/v1/services/redis-prod/maintenance/",
        json={"until": iso(until), "reason": "Redis 8 upgrade"},
    )
    kept, taken = (f"Replication broken {uuid.uuid4().hex[:6]}" for _ in range(2))
    incidents = {}
    for title in (kept, taken):
        body = {"title": title, "service_name": "redis-prod", "severity": "SEV1_CRITICAL"}
        # Opened: a person declared it. Its answer says that paging waits for the end.
        incidents[title] = created = await mesh.create(
            "/api/v1/incidents/", {**body, "dedup_key": title}
        )
        assert datetime.fromisoformat(created["paging_held_until"]) == until
        assert created["paging_held_by"] == "maintenance of redis-prod"
    detail = await mesh.call("GET", f"/api/v1/incidents/{incidents[kept]['id']}/")
    assert detail["timeline"][0]["message"] == (
        f"Incident created from api during the maintenance of redis-prod until "
        f"{until:%Y-%m-%d %H:%M} UTC: nobody is paged and its escalation waits until then "
        "(if it is still open)"
    )

    async def held() -> None:
        for incident in incidents.values():
            pages = [d for d in await deliveries(mesh, incident) if d["channel"] == "sms"]
            assert [d["status"] for d in pages] == ["pending"], pages

    # The notifier has recorded the pages, and sent none of them.
    await eventually(held, timeout=30)
    assert twilio.messages == []
    await mesh.call("POST", f"/api/v1/incidents/{incidents[taken]['id']}/acknowledge/")

    async def cancelled() -> None:
        pages = [d for d in await deliveries(mesh, incidents[taken]) if d["channel"] == "sms"]
        assert [d["status"] for d in pages] == ["cancelled"], pages

    await eventually(cancelled, timeout=30)
    assert twilio.messages == []
    # Ended early: what it held goes at once, for the incident still unacknowledged only.
    await mesh.call("DELETE", "/api/v1/services/redis-prod/maintenance/")

    async def texted() -> None:
        assert texts(twilio, kept) == 1

    await eventually(texted, timeout=30)
    assert texts(twilio, taken) == 0


async def test_a_maintenance_planned_for_later_suppresses_nothing_before_it_begins(
    mesh: Mesh,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    starts, until = now + timedelta(seconds=8), now + timedelta(hours=1)
    backwards = await mesh.client.put(
        "/api/v1/services/redis-prod/maintenance/",
        json={"starts_at": iso(until), "until": iso(starts)},
        headers=mesh.auth,
    )
    assert backwards.status_code == 400, backwards.text
    assert [e["field"] for e in backwards.json()["errors"]] == ["starts_at"]
    service = await mesh.call(
        "PUT",
        "/api/v1/services/redis-prod/maintenance/",
        json={"starts_at": iso(starts), "until": iso(until), "reason": "Redis 8 upgrade"},
    )
    assert datetime.fromisoformat(service["maintenance_since"]) == starts
    assert datetime.fromisoformat(service["maintenance_until"]) == until
    # A recurring window whose first occurrence is an hour away.
    marker = uuid.uuid4().hex[:8]
    await mesh.create(
        "/api/v1/silences/",
        {"matchers": [{"label": "window", "value": marker}],
         "starts_at": iso(now + timedelta(hours=1)), "ends_at": iso(now + timedelta(days=7)),
         "rrule": "FREQ=DAILY", "duration": 3600, "comment": "nightly batch"},
    )  # fmt: skip

    before = await custom_alert(mesh, "redis-prod", marker)
    assert (before["outcome"], before["suppressed_by"]) == ("created", "")
    assert datetime.now(UTC) < starts

    async def suppressed_once_begun() -> None:
        alert = await custom_alert(mesh, "redis-prod", uuid.uuid4().hex[:8])
        assert alert["outcome"] == "suppressed", alert
        assert alert["suppressed_by"].startswith("maintenance of redis-prod until ")

    await eventually(suppressed_once_begun, timeout=40)
