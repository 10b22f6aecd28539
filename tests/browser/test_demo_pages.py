"""What a newcomer sees after ``make run``: the demo loaded into the whole mesh, the home page,
the on-call pages and analytics read in headless chromium (screenshots printed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from imas_cli.demo import DEMO_HISTORY, load_demo
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from tests.browser.conftest import serve
from tests.browser.test_dashboard import WAIT_MS, make_user, shot, sign_in
from tests.conftest import Mesh

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
async def site(mesh: Mesh, escalation: ServiceRuntime) -> AsyncIterator[str]:
    await load_demo(mesh.nats_url, deadline=30)

    async def named() -> None:
        # Escalation learns people's names from the catalog's events.
        teams = (await mesh.call("GET", "/api/v1/teams/"))["results"]
        backend = next(t for t in teams if t["name"] == "Backend Payment")
        reply = await mesh.call("GET", f"/api/v1/teams/{backend['id']}/oncall/")
        assert [s["person"]["name"] for s in reply["schedules"]] == ["Inès Fournier"]

    await eventually(named, timeout=30)
    base, server, task = await serve(mesh.gateway)
    yield base
    server.should_exit = True
    await task


async def test_a_newcomer_sees_people_on_call_schedules_and_analytics(
    mesh: Mesh, site: str, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    password = await make_user(mesh, "nina", "viewer")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await sign_in(page, site, "nina", password)

        await page.goto(f"{site}/")
        on_call = page.locator("section[aria-labelledby=oncall-now] li")
        await expect(on_call.filter(has_text="Backend Payment")).to_contain_text(
            "Inès Fournier", timeout=WAIT_MS
        )
        await expect(on_call.filter(has_text="SRE Core")).to_contain_text("until", timeout=WAIT_MS)
        await expect(on_call.filter(has_text="Platform")).to_contain_text("Sarah Bernard")
        # People, never the team named again for want of anyone.
        await expect(on_call.filter(has_text="Backend Payment: Backend Payment")).to_have_count(0)
        await shot(page, shots, "demo-home")

        await page.goto(f"{site}/oncall/schedules")
        await expect(page.get_by_text("Backend Payment primary")).to_be_visible()
        await expect(page.get_by_text("SRE Core primary")).to_be_visible()
        await shot(page, shots, "demo-schedules")
        await page.get_by_role("link", name="Backend Payment primary").click()
        await expect(page.locator("main")).to_contain_text("Inès Fournier")
        await shot(page, shots, "demo-schedule")

        await page.goto(f"{site}/oncall/policies")
        for team in ("SRE Core", "Backend Payment", "Platform"):
            await expect(page.get_by_text(f"{team} escalation")).to_be_visible()
        await shot(page, shots, "demo-policies")
        # Every step of the demo reaches someone, through the log provider.
        await page.goto(f"{site}/oncall/check")
        await expect(page.get_by_text("No configuration problems found.")).to_be_visible()
        await shot(page, shots, "demo-check")

        await page.goto(f"{site}/analytics?range=30d")
        incidents = page.locator(".kpi", has_text="Incidents")
        await expect(incidents).to_contain_text(str(len(DEMO_HISTORY)))
        await expect(page.locator(".kpi", has_text="MTTA")).not_to_contain_text("—")
        await shot(page, shots, "demo-analytics")

        await page.goto(f"{site}/incidents?status=RESOLVED")
        await page.get_by_role("link", name="Payments refused by the card processor").click()
        await expect(page.locator("main")).to_contain_text("Emma Lefèvre")
        # Over before IMAS knew of it: no war room is said to be opening.
        await expect(page.locator("#war-room")).to_contain_text("None was opened.")
        await shot(page, shots, "demo-past-incident")
    finally:
        await context.close()
