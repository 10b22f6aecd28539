"""Live updates, on-call, runbooks and integrations, in headless chromium (the configuration
pages have tests of their own: ``test_admin_pages``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from imas_contracts.warroom import PutRunbook, RunbookSpec, RunbookStep, RunbookView
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.browser.conftest import serve
from tests.browser.test_dashboard import WAIT_MS, make_user, shot, sign_in
from tests.conftest import Mesh

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
async def site(mesh: Mesh) -> AsyncIterator[str]:
    base, server, task = await serve(mesh.gateway)
    yield base
    server.should_exit = True
    await task


@pytest.fixture
async def pages(site: str, browser: Any) -> AsyncIterator[Callable[..., Awaitable[Page]]]:
    """New pages in their own browser contexts, all closed before the site stops (their live
    streams with them), even when the test failed."""
    contexts: list[Any] = []

    async def open_page(**options: Any) -> Page:
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        page: Page = await context.new_page()
        return page

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


async def api(mesh: Mesh, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return await mesh.client.request(method, path, headers=mesh.auth, **kwargs)


async def until_live(page: Page) -> None:
    """The page's event stream is subscribed: no change from now on is missed."""
    await expect(page.locator("#live-status")).to_have_text("Live", timeout=WAIT_MS)


async def test_an_alert_posted_to_a_webhook_appears_live_without_reload(
    mesh: Mesh, site: str, pages: Callable[..., Awaitable[Page]]
) -> None:
    password = await make_user(mesh, "lea", "operator")
    integration = (
        await api(mesh, "POST", "/api/v1/integrations/", json={"name": "am", "type": "custom"})
    ).json()
    token = integration["webhook_url"].split("token=")[1]
    page = await pages()
    await sign_in(page, site, "lea", password)
    await page.goto(f"{site}/incidents")
    await expect(page.get_by_text("No incident matches.")).to_be_visible()
    await until_live(page)
    await page.evaluate("window.stillTheSamePage = true")
    home = await pages()
    await sign_in(home, site, "lea", password)
    await until_live(home)

    alert = {"title": "Payment queue stalled", "severity": "critical", "service": "checkout-api"}
    posted = await mesh.client.post(f"/api/v1/webhooks/custom/?token={token}", json=alert)
    assert posted.status_code == 202, posted.text

    link = page.get_by_role("link", name="Payment queue stalled")
    await expect(link).to_be_visible(timeout=WAIT_MS)
    assert await page.evaluate("window.stillTheSamePage === true")
    await expect(home.get_by_role("alert", name="Critical incidents")).to_contain_text(
        "Payment queue stalled", timeout=WAIT_MS
    )

    # The detail's timeline follows changes made elsewhere (here, through the API).
    await link.click()
    await expect(page.locator(".badge.st")).to_have_text("triggered")
    await until_live(page)
    await page.evaluate("window.stillTheSamePage = true")
    ref = page.url.rsplit("/", 1)[1]
    acknowledged = await api(
        mesh, "POST", f"/api/v1/incidents/{ref}/acknowledge/", json={"note": "on it from the CLI"}
    )
    assert acknowledged.status_code == 200, acknowledged.text
    await expect(page.locator("#timeline")).to_contain_text("on it from the CLI", timeout=WAIT_MS)
    # A teammate's comment shows up too, without waiting for any other change.
    commented = await api(
        mesh, "POST", f"/api/v1/incidents/{ref}/comments/", json={"body": "queue drained"}
    )
    assert commented.status_code == 201, commented.text
    await expect(page.locator("#timeline")).to_contain_text("queue drained", timeout=WAIT_MS)
    assert await page.evaluate("window.stillTheSamePage === true")


async def _person(mesh: Mesh, name: str, email: str) -> str:
    created = await api(mesh, "POST", "/api/v1/people/", json={"name": name, "email": email})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _on_call_setup(mesh: Mesh) -> dict[str, Any]:
    """Two people taking turns weekly on the SRE Core team, Bob overriding tomorrow, and a
    policy paging the schedule then Bob."""
    teams = (await api(mesh, "GET", "/api/v1/teams/")).json()["results"]
    team = next(t for t in teams if t["name"] == "SRE Core")
    alice = await _person(mesh, "Alice Martin", "alice@example.com")
    bob = await _person(mesh, "Bob Durand", "bob@example.com")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    tomorrow = (now + timedelta(days=1)).replace(hour=10)
    rotation_start = (now - timedelta(days=14)).replace(hour=9, tzinfo=None)
    schedule_body = {
        "team_id": team["id"],
        "name": "SRE primary",
        "time_zone": "UTC",
        "layers": [{"members": [alice], "shift": "weekly", "start": rotation_start.isoformat()}],
        "overrides": [
            {
                "person_id": bob,
                "start": tomorrow.isoformat(),
                "end": (tomorrow + timedelta(hours=4)).isoformat(),
            }
        ],
    }

    async def schedule_created() -> dict[str, Any]:
        # The escalation service learns people from catalog events: retry until it knows them.
        answer = await api(mesh, "POST", "/api/v1/schedules/", json=schedule_body)
        assert answer.status_code == 201, answer.text
        return answer.json()["schedule"]  # type: ignore[no-any-return]

    schedule = await eventually(schedule_created, timeout=15)
    policy = await api(
        mesh,
        "POST",
        "/api/v1/escalation-policies/",
        json={
            "team_id": team["id"],
            "name": "SRE escalation",
            "steps": [
                {"delay_minutes": 0, "targets": [{"kind": "schedule", "id": schedule["id"]}]},
                {"delay_minutes": 15, "targets": [{"kind": "person", "id": bob}]},
            ],
        },
    )
    assert policy.status_code == 201, policy.text
    return {"schedule": schedule, "tomorrow": tomorrow}


async def test_on_call_runbooks_and_integrations_read_by_a_viewer(
    mesh: Mesh,
    site: str,
    pages: Callable[..., Awaitable[Page]],
    shots: Path,
    escalation: ServiceRuntime,
    warroom: ServiceRuntime,
) -> None:
    setup = await _on_call_setup(mesh)
    runbook = RunbookSpec(
        name="Redis failover",
        service="redis-prod",
        description="When the primary is gone.",
        steps=[
            RunbookStep(title="Check the sentinels", command="redis-cli -p 26379 sentinel masters"),
            RunbookStep(title="Promote the replica", critical=True, rollback="Demote it again"),
        ],
    )
    await mesh.incidents.bus.request(PutRunbook(runbook=runbook), RunbookView)
    await api(mesh, "POST", "/api/v1/integrations/", json={"name": "prom", "type": "alertmanager"})
    password = await make_user(mesh, "vera", "viewer")
    page = await pages()
    await sign_in(page, site, "vera", password)

    await page.get_by_role("link", name="On call").click()
    await expect(page.get_by_role("link", name="SRE primary")).to_be_visible()
    await expect(page.get_by_role("cell", name="SRE Core")).to_be_visible()
    await shot(page, shots, "schedules")

    await page.get_by_role("link", name="SRE primary").click()
    calendar = page.get_by_role("table", name="Who is on call, day by day (UTC)")
    await expect(calendar.locator("td[aria-current=date]")).to_contain_text("Alice Martin")
    day = setup["tomorrow"].strftime("%d %b")
    overridden = calendar.locator("td", has_text=day).locator("li.override")
    await expect(overridden).to_contain_text("Bob Durand")
    await expect(overridden).to_contain_text("10:00\N{EN DASH}14:00")
    await expect(page.get_by_role("region", name="Overrides")).to_contain_text("Bob Durand")
    await shot(page, shots, "schedule-calendar")

    await page.get_by_role("link", name="Escalation policies").click()
    policy = page.get_by_role("region", name="SRE escalation")
    await expect(policy).to_contain_text("At once: on call of SRE primary")
    await expect(policy).to_contain_text("After 15 min: Bob Durand")
    await shot(page, shots, "policies")

    await page.get_by_role("link", name="Runbooks").first.click()
    await page.get_by_role("link", name="Redis failover").click()
    steps = page.get_by_role("region", name="Steps")
    await expect(steps).to_contain_text("redis-cli -p 26379 sentinel masters")
    await expect(steps).to_contain_text("critical")
    await expect(steps).to_contain_text("Rollback: Demote it again")
    await shot(page, shots, "runbook")

    await page.get_by_role("link", name="Configuration").click()
    await (
        page.get_by_role("navigation", name="Configuration")
        .get_by_role("link", name="Integrations")
        .click()
    )
    row = page.get_by_role("row", name="prom")
    await expect(row).to_contain_text("/api/v1/webhooks/alertmanager/?token=<secret>")
    await expect(page.get_by_role("link", name="Add an integration")).to_have_count(0)
    await shot(page, shots, "integrations-viewer")
