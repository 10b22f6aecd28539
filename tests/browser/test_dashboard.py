"""The dashboard as responders use it, in headless chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import serve
from tests.conftest import Mesh

pytestmark = [pytest.mark.browser, pytest.mark.integration]

WAIT_MS = 15_000


async def make_user(mesh: Mesh, username: str, role: str) -> str:
    password = f"{username}-password"
    answer = await mesh.client.post(
        "/api/v1/users/",
        json={"username": username, "password": password, "role": role},
        headers=mesh.auth,
    )
    assert answer.status_code == 201, answer.text
    return password


async def sign_in(page: Page, base: str, username: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def trigger(mesh: Mesh, title: str, severity: str = "SEV1_CRITICAL") -> dict[str, Any]:
    answer = await mesh.client.post(
        "/api/v1/incidents/",
        json={"title": title, "service_name": "redis-prod", "severity": severity},
        headers=mesh.auth,
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def shot(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


@pytest.fixture
async def site(mesh: Mesh) -> Any:
    base, server, task = await serve(mesh.client._transport.app)  # type: ignore[attr-defined]
    yield base
    server.should_exit = True
    await task


async def test_responder_handles_an_incident_from_trigger_to_resolution(
    mesh: Mesh, site: str, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    password = await make_user(mesh, "rita", "responder")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{site}/login")
    await shot(page, shots, "login")
    await sign_in(page, site, "rita", password)

    await page.goto(f"{site}/incidents")
    await expect(page.get_by_text("No incident matches.")).to_be_visible()
    incident = await trigger(mesh, "Redis Cluster Down")
    # Appears without reloading the page.
    row = page.get_by_role("link", name="Redis Cluster Down")
    await expect(row).to_be_visible(timeout=WAIT_MS)
    await shot(page, shots, "incidents")

    await page.goto(f"{site}/")
    await expect(page.get_by_role("alert", name="Critical incidents")).to_contain_text(
        "Redis Cluster Down"
    )
    await shot(page, shots, "home")

    await page.goto(f"{site}/incidents/{incident['short_id']}")
    await expect(page.locator(".badge.st")).to_have_text("triggered")
    await page.get_by_text("Acknowledge", exact=True).click()
    await page.get_by_label("Note (optional)").first.fill("looking at the nodes")
    await page.get_by_role("button", name="Confirm acknowledge").click()
    await expect(page.locator(".badge.st")).to_have_text("acknowledged")
    await expect(page.locator(".kpi", has_text="MTTA")).not_to_contain_text("—")

    await page.get_by_label("Comment").fill("failover to the replica started")
    await page.get_by_role("button", name="Add comment").click()
    await expect(page.locator("#timeline")).to_contain_text("failover to the replica started")

    await page.get_by_text("Resolve", exact=True).click()
    await page.locator("#note-resolve").fill("replica promoted, cluster healthy")
    await page.get_by_role("button", name="Confirm resolve").click()
    await expect(page.locator(".badge.st")).to_have_text("resolved")
    await expect(page.locator(".kpi", has_text="MTTR")).not_to_contain_text("—")
    await expect(page.locator("#timeline")).to_contain_text("replica promoted")
    await shot(page, shots, "incident")

    await page.goto(f"{site}/analytics?range=7d")
    await expect(page.locator(".kpi", has_text="Incidents")).to_contain_text("1")
    await page.wait_for_function(
        "() => window.Chart && Chart.instances && Object.keys(Chart.instances).length === 3"
    )
    # The heatmap is a grid of weekdays by hours; the incident counts in its cell.
    heatmap = page.get_by_role("table", name="When incidents start")
    await expect(heatmap.get_by_role("row")).to_have_count(8)
    await expect(heatmap.locator("td.heat4")).to_have_text("1")
    await shot(page, shots, "analytics")

    await page.goto(f"{site}/incidents/new")
    await page.get_by_role("button", name="Create incident").click()
    await expect(page.locator("#title-error")).to_contain_text("Title")
    await shot(page, shots, "new-incident")
    await page.get_by_label("Title").fill("Checkout latency")
    await page.get_by_label("Service").fill("checkout-api")
    await page.get_by_label("Severity").select_option("SEV3_MEDIUM")
    await page.get_by_role("button", name="Create incident").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout latency")

    await page.goto(f"{site}/admin/services")
    await expect(page.get_by_role("link", name="redis-prod")).to_be_visible()
    await shot(page, shots, "catalog-services")
    for kind in ("teams", "people"):
        await page.goto(f"{site}/admin/{kind}")
        await expect(page.get_by_role("columnheader").first).to_be_visible()
        await shot(page, shots, f"catalog-{kind}")
    phone = await browser.new_context(viewport={"width": 390, "height": 844})
    mobile = await phone.new_page()
    await sign_in(mobile, site, "rita", password)
    await mobile.goto(f"{site}/incidents")
    await shot(mobile, shots, "incidents-phone")
    await phone.close()
    await context.close()


async def test_viewer_reads_but_sees_no_action(mesh: Mesh, site: str, browser: Any) -> None:
    password = await make_user(mesh, "victor", "viewer")
    incident = await trigger(mesh, "Disk almost full", severity="SEV3_MEDIUM")
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, site, "victor", password)
    await page.goto(f"{site}/incidents/{incident['short_id']}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Disk almost full")
    for action in ("Acknowledge", "Mitigate", "Resolve"):
        await expect(page.get_by_text(action, exact=True)).to_have_count(0)
    await expect(page.get_by_label("Comment")).to_have_count(0)
    await page.goto(f"{site}/incidents")
    await expect(page.get_by_role("link", name="New incident")).to_have_count(0)
    # A forged post is refused too, not only hidden.
    csrf = await page.locator("input[name=csrf_token]").first.input_value()
    answer = await page.request.post(
        f"{site}/incidents/{incident['short_id']}/do/acknowledge",
        form={"csrf_token": csrf},
        max_redirects=0,
    )
    assert answer.status == 403
    await context.close()
