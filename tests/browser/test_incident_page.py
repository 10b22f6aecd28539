"""Running an incident from its page, in headless chromium: severity, lead and scopes, the
LID written and exported, escalating by hand, a responder added to the war room, every page
and its outcome; what one person does shows at once on a teammate's page. One mesh (with
escalation and the war room) for the whole module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from imas_testing import eventually
from imas_testing.fake_docs import FakeConfluence
from imas_testing.fake_providers import FakeOvh
from tests.browser.conftest import Site
from tests.browser.test_dashboard import WAIT_MS, make_user, sign_in
from tests.conftest import Mesh

pytestmark = [pytest.mark.browser, pytest.mark.integration]

OVH_KEYS = ("page-app-key", "page-app-secret", "page-consumer-key")
ROLES = {"rita": "responder", "otto": "operator", "vera": "viewer", "ada": "admin"}


@pytest.fixture(scope="module")
async def mesh(shared_site: Site) -> Mesh:
    """The module's mesh (escalation and the war room beside it, rooms printed as in the
    demo), with a user of each role (password: ``<name>-password``)."""
    for name, role in ROLES.items():
        await make_user(shared_site.mesh, name, role)
    return shared_site.mesh


@pytest.fixture(scope="module")
def site(shared_site: Site, mesh: Mesh) -> str:
    return shared_site.base


@pytest.fixture
async def signed_in(site: str, browser: Any) -> AsyncIterator[Callable[[str], Awaitable[Page]]]:
    """``await signed_in("rita")``: a page of rita's own browser, signed in; every context
    closed before the next test (their live streams with them)."""
    contexts: list[Any] = []

    async def open_as(name: str) -> Page:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page: Page = await context.new_page()
        await sign_in(page, site, name, f"{name}-password")
        return page

    yield open_as
    for context in contexts:
        await context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("incident-page")


async def both_themes(page: Page, folder: Path, name: str) -> None:
    """Screenshots of the page in light and dark (looked at when the page changes)."""
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        path = folder / f"{name}-{scheme}.png"
        await page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
    await page.emulate_media(color_scheme="light")


async def trigger(mesh: Mesh, title: str, severity: str = "SEV2_HIGH") -> dict[str, Any]:
    """A new incident of redis-prod (its own dedup key: the module's incidents stay apart)."""
    alert = {"title": title, "service_name": "redis-prod", "severity": severity, "dedup_key": title}
    return await mesh.create("/api/v1/incidents/", alert)


async def open_incident(page: Page, site: str, incident: dict[str, Any]) -> None:
    """The incident's page, its live stream subscribed, marked so that a reload would show."""
    await page.goto(f"{site}/incidents/{incident['short_id']}")
    await expect(page.locator("#live-status")).to_have_text("Live", timeout=WAIT_MS)
    await page.evaluate("window.stillTheSamePage = true")


async def post_by_hand(page: Page, url: str, **fields: str) -> Any:
    """A form posted to ``url`` with the page's session and CSRF token, as a script would:
    what the server answers, not what the page offers."""
    csrf = await page.locator("input[name=csrf_token]").first.input_value()
    return await page.request.post(url, form={"csrf_token": csrf, **fields}, max_redirects=0)


def fact(page: Page, name: str) -> Any:
    """What the incident's details say of ``name`` (Lead, Severity...)."""
    return page.locator("#details dt", has_text=name).locator("xpath=following-sibling::dd[1]")


async def test_a_responder_changes_severity_lead_and_scopes_and_a_viewer_sees_it_live(
    mesh: Mesh, site: str, signed_in: Callable[[str], Awaitable[Page]], shots: Path
) -> None:
    incident = await trigger(mesh, "Cache hit ratio collapsing")
    viewer = await signed_in("vera")
    await open_incident(viewer, site, incident)
    # Viewers read: nothing of running the incident is offered to them...
    for control in ("Change severity, lead or scopes", "Escalate", "Edit root cause"):
        await expect(viewer.get_by_text(control, exact=True)).to_have_count(0)
    await expect(viewer.get_by_label("Add a responder")).to_have_count(0)
    # ... nor done when posted by hand.
    forged = await post_by_hand(
        viewer, f"{site}/incidents/{incident['short_id']}/edit", severity="SEV1_CRITICAL"
    )
    assert forged.status == 403

    page = await signed_in("rita")
    await open_incident(page, site, incident)
    await page.get_by_text("Change severity, lead or scopes", exact=True).click()
    await page.get_by_label("Severity", exact=True).select_option("SEV1_CRITICAL")
    await page.get_by_label("Lead", exact=True).fill("Alice Martin")
    await page.get_by_label("Security").check()
    await both_themes(page, shots, "edit-form")
    await page.get_by_role("button", name="Save changes").click()

    await expect(fact(page, "Severity")).to_have_text("SEV1 critical")
    await expect(fact(page, "Lead")).to_have_text("Alice Martin")
    await expect(fact(page, "Impacted scopes")).to_have_text("Security")
    # The teammate's page follows without a reload: badge, details and timeline.
    await expect(viewer.locator("#incident-summary .badge.sev")).to_have_text(
        "SEV1 critical", timeout=WAIT_MS
    )
    await expect(fact(viewer, "Lead")).to_have_text("Alice Martin", timeout=WAIT_MS)
    await expect(fact(viewer, "Impacted scopes")).to_have_text("Security")
    await expect(viewer.locator("#timeline")).to_contain_text("Lead assigned to Alice Martin")
    assert await viewer.evaluate("window.stillTheSamePage === true")

    # A lead can be taken away again, and a refused value is said on the page.
    await page.get_by_text("Change severity, lead or scopes", exact=True).click()
    await page.get_by_label("Lead", exact=True).fill("")
    await page.get_by_role("button", name="Save changes").click()
    await expect(fact(page, "Lead")).to_have_text("—")
    await both_themes(page, shots, "incident-edited")


async def test_the_lid_is_written_in_place_read_in_the_dashboard_and_exported(
    mesh: Mesh, site: str, signed_in: Callable[[str], Awaitable[Page]], shots: Path
) -> None:
    incident = await trigger(mesh, "Checkout emails delayed")
    page = await signed_in("rita")
    viewer = await signed_in("vera")
    await open_incident(viewer, site, incident)
    await open_incident(page, site, incident)
    lid = page.locator("#lid")
    await expect(lid.get_by_role("link", name="Read the LID")).to_be_visible(timeout=WAIT_MS)

    await lid.get_by_text("Edit root cause", exact=True).click()
    await lid.get_by_label("Root cause").fill("The mail relay's disk filled with bounces.")
    await lid.get_by_role("button", name="Save root cause").click()
    await expect(page.locator("#lid")).to_contain_text("The mail relay's disk filled")
    await page.locator("#lid").get_by_text("Edit action items", exact=True).click()
    await page.get_by_label("Action 1", exact=True).fill("Alert on the relay's disk")
    await page.get_by_label("Owner of action 1").fill("Bruno Petit")
    await page.get_by_role("button", name="Save action items").click()
    await expect(page.locator("#lid")).to_contain_text("Alert on the relay's disk — Bruno Petit")
    # The teammate's page shows the document as written, and its timeline says who wrote it.
    await expect(viewer.locator("#lid")).to_contain_text("disk filled", timeout=WAIT_MS)
    await expect(viewer.locator("#timeline")).to_contain_text(
        "Incident document edited: action items"
    )
    assert await viewer.evaluate("window.stillTheSamePage === true")

    # The whole LID reads in the dashboard's own page, in its style.
    await page.get_by_role("link", name="Read the LID").click()
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    article = page.locator("article.lid")
    await expect(article).to_contain_text(f"INC-{incident['short_id']} - Checkout emails delayed")
    await expect(article).to_contain_text("The mail relay's disk filled with bounces.")
    await both_themes(page, shots, "lid-page")

    async with FakeConfluence(email="bot@example.com", api_token="wiki-token") as confluence:
        await mesh.create(
            "/api/v1/lid-exporters/",
            {"name": "Wiki", "kind": "confluence",
             "config": {"base_url": confluence.url, "space_key": "OPS", "email": "bot@example.com"},
             "secrets": {"api_token": "wiki-token"}},
        )  # fmt: skip
        try:
            await page.goto(f"{site}/incidents/{incident['short_id']}")
            # A refusal of the wiki is said on the page, and nothing is claimed.
            confluence.fail("POST /wiki/rest/api/content", status=503, times=10)
            await page.get_by_role("button", name="Export the LID").click()
            await expect(page.get_by_role("alert")).to_contain_text("503")
            await both_themes(page, shots, "lid-export-refused")
            confluence.fail("POST /wiki/rest/api/content", status=503, times=0)
            await page.get_by_role("button", name="Export the LID").click()
            await expect(page.locator("#lid").get_by_role("link", name="In Wiki")).to_be_visible()
            assert confluence.by_title(f"INC-{incident['short_id']} - Checkout emails delayed")
            await expect(page.locator("#timeline")).to_contain_text(
                "Incident document created in Wiki", timeout=WAIT_MS
            )
        finally:
            await mesh.call("DELETE", "/api/v1/lid-exporters/Wiki/")


async def first_step_fired(mesh: Mesh, incident: dict[str, Any]) -> None:
    async def fired() -> None:
        history = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/escalation/")
        assert any(e["step"] == 0 and e["status"] == "fired" for e in history["entries"])

    await eventually(fired, timeout=15)


async def test_an_operator_escalates_now_to_the_next_level_then_to_a_chosen_person(
    mesh: Mesh, site: str, signed_in: Callable[[str], Awaitable[Page]], shots: Path
) -> None:
    incident = await trigger(mesh, "Replication lag on the primary", severity="SEV1_CRITICAL")
    await first_step_fired(mesh, incident)
    viewer = await signed_in("vera")
    await open_incident(viewer, site, incident)
    page = await signed_in("otto")
    await open_incident(page, site, incident)

    await page.get_by_text("Escalate", exact=True).click()
    await expect(page.get_by_label("Page now")).to_have_value("next")
    await both_themes(page, shots, "escalate-form")
    await page.get_by_role("button", name="Confirm escalation").click()
    # The escalation service's run fires its second step early: not paged again when due.
    line = "Escalation step 2 fired early (asked by otto): paged SRE Core via slack"
    await expect(page.locator("#timeline")).to_contain_text(line, timeout=WAIT_MS)
    await expect(viewer.locator("#timeline")).to_contain_text(line, timeout=WAIT_MS)

    await page.get_by_text("Escalate", exact=True).click()
    await page.get_by_label("Page now").select_option(label="Claire Dubois")
    await page.get_by_role("button", name="Confirm escalation").click()
    await expect(page.locator("#timeline")).to_contain_text(
        "Escalated by hand: paging Claire Dubois via sms, email", timeout=WAIT_MS
    )
    deliveries = viewer.locator("#deliveries")
    await expect(deliveries.get_by_role("row", name="Claire Dubois sms")).to_contain_text(
        "sent", timeout=WAIT_MS
    )
    assert await viewer.evaluate("window.stillTheSamePage === true")

    # Once acknowledged the policy's run is over: the next level is paged from the war room
    # service, and here it reaches nobody (SRE Core has no schedule), which the page says.
    await mesh.call("POST", f"/api/v1/incidents/{incident['id']}/acknowledge/")
    await page.goto(f"{site}/incidents/{incident['short_id']}")
    await page.get_by_text("Escalate", exact=True).click()
    await page.get_by_role("button", name="Confirm escalation").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "level 3 of SRE Core's policy reaches nobody now"
    )


async def test_a_page_retrying_against_a_failing_vendor_shows_its_attempts_and_error(
    mesh: Mesh, site: str, signed_in: Callable[[str], Awaitable[Page]], shots: Path
) -> None:
    async with FakeOvh(*OVH_KEYS) as ovh:
        ak, secret, ck = OVH_KEYS
        await mesh.create(
            "/api/v1/notification-providers/",
            {"name": "ovh", "kind": "ovh",
             "config": {"endpoint": f"{ovh.url}/1.0", "application_key": ak,
                        "service_name": "sms-pages-1", "sender": "IMAS"},
             "secrets": {"application_secret": secret, "consumer_key": ck}},
        )  # fmt: skip
        ovh.fail("POST /1.0/sms/sms-pages-1/jobs", status=503, times=1000)
        try:
            incident = await trigger(mesh, "Payment provider timeouts", "SEV1_CRITICAL")
            url = f"/api/v1/incidents/{incident['id']}"
            await mesh.call("POST", f"{url}/escalate/", json={"person": "Bruno Petit"})

            async def retried() -> None:
                pages = (await mesh.call("GET", f"{url}/deliveries/"))["results"]
                sms = [p for p in pages if p["provider"] == "ovh" and "Bruno" in p["recipient"]]
                assert sms and sms[0]["attempts"] >= 2, pages

            await eventually(retried, timeout=20)
            page = await signed_in("ada")
            await page.goto(f"{site}/incidents/{incident['short_id']}")
            row = page.locator("#deliveries tr", has_text="Bruno Petit").filter(has_text="ovh")
            await expect(row.first).not_to_contain_text("sent")
            attempts = int(await row.first.locator("td.num").inner_text())
            assert attempts >= 2
            await expect(page.locator("#deliveries")).to_contain_text("Last error: HTTP 503")
            await both_themes(page, shots, "deliveries-failing")
            # Responders see the state and the attempts; the vendor's answer is for admins.
            rita = await signed_in("rita")
            await rita.goto(f"{site}/incidents/{incident['short_id']}")
            await expect(rita.locator("#deliveries")).to_contain_text("Bruno Petit")
            await expect(rita.locator("#deliveries")).not_to_contain_text("Last error")
        finally:
            await mesh.call("DELETE", "/api/v1/notification-providers/ovh/")


async def test_a_responder_adds_someone_to_the_war_room_and_a_room_less_incident_refuses(
    mesh: Mesh, site: str, signed_in: Callable[[str], Awaitable[Page]], shots: Path
) -> None:
    incident = await trigger(mesh, "Search index stale", severity="SEV1_CRITICAL")
    page = await signed_in("rita")
    await open_incident(page, site, incident)
    room = page.locator("#war-room")
    await expect(room.get_by_role("link")).to_have_text(
        f"log://inc-{incident['short_id'].lower()}-redis-prod", timeout=WAIT_MS
    )
    await room.get_by_label("Add a responder").select_option(label="Bruno Petit")
    await room.get_by_role("button", name="Add to the war room").click()
    await expect(page.locator("#timeline")).to_contain_text(
        "Bruno Petit added to the war room", timeout=WAIT_MS
    )

    async def participant() -> None:
        lid = await mesh.client.get(f"/incidents/{incident['id']}/lid.md", headers=mesh.auth)
        assert "- Bruno Petit" in lid.text.split("## Participants", 1)[1]

    await eventually(participant, timeout=10)
    await both_themes(page, shots, "war-room")

    # A SEV3 has no war room: nobody is offered to add anyone, and a post says why.
    quiet = await trigger(mesh, "Slow admin page", severity="SEV3_MEDIUM")
    await page.goto(f"{site}/incidents/{quiet['short_id']}")
    await expect(page.locator("#war-room")).to_contain_text("war rooms open for SEV1 and SEV2")
    await expect(page.get_by_label("Add a responder")).to_have_count(0)
    refused = await post_by_hand(
        page, f"{site}/incidents/{quiet['short_id']}/responders", person="Bruno Petit"
    )
    assert refused.status == 409
    assert "has no war room" in await refused.text()


def holder(page: Page, role: str) -> Any:
    """Who the incident's page says holds ``role``."""
    return page.locator(f"#roles dd[data-role={role}]")


async def test_roles_are_given_updates_sent_and_a_viewer_follows_from_the_page(
    mesh: Mesh, site: str, signed_in: Callable[[str], Awaitable[Page]], shots: Path
) -> None:
    # Claire reads (a viewer) and is the demo's Claire Dubois: she may follow incidents.
    user = {"username": "claire", "password": "claire-password", "role": "viewer",
            "email": "claire.dubois@example.com"}  # fmt: skip
    await mesh.create("/api/v1/users/", user)
    incident = await trigger(mesh, "Checkout latency doubled", severity="SEV1_CRITICAL")
    viewer = await signed_in("claire")
    await open_incident(viewer, site, incident)
    roles = viewer.locator("#roles")
    await expect(holder(viewer, "scribe")).to_have_text("—")
    # A viewer gives no role and sends no update, on the page or by hand...
    await expect(roles.get_by_role("button", name="Assign")).to_have_count(0)
    await expect(roles.get_by_label("Status update")).to_have_count(0)
    forged = await post_by_hand(
        viewer, f"{site}/incidents/{incident['short_id']}/roles", role="scribe", person="x"
    )
    assert forged.status == 403
    # ... but follows the incident for herself.
    await roles.get_by_role("button", name="Follow").click()
    await expect(viewer.locator("#roles .subscribers")).to_contain_text("Claire Dubois")
    await expect(viewer.locator("#roles").get_by_role("button", name="Unfollow")).to_be_visible()
    await expect(viewer.locator("#live-status")).to_have_text("Live", timeout=WAIT_MS)
    await viewer.evaluate("window.stillTheSamePage = true")

    page = await signed_in("rita")
    await open_incident(page, site, incident)
    await page.locator("#roles").get_by_label("Role").select_option(label="Scribe")
    await page.locator("#roles").get_by_label("Person").select_option(label="Bruno Petit")
    await page.locator("#roles").get_by_role("button", name="Assign").click()
    await expect(holder(page, "scribe")).to_have_text("Bruno Petit")
    # Claire's page follows without a reload.
    await expect(holder(viewer, "scribe")).to_have_text("Bruno Petit", timeout=WAIT_MS)
    await expect(viewer.locator("#timeline")).to_contain_text(
        "Bruno Petit is scribe", timeout=WAIT_MS
    )
    assert await viewer.evaluate("window.stillTheSamePage === true")

    text = "Checkout answers again; watching latency for 30 minutes."
    await page.locator("#roles").get_by_label("Status update").fill(text)
    await page.locator("#roles").get_by_role("button", name="Send to subscribers").click()
    await expect(page.locator("#timeline")).to_contain_text(
        f"Status update to Claire Dubois: {text}", timeout=WAIT_MS
    )

    async def mailed() -> None:
        deliveries = await mesh.call("GET", f"/api/v1/incidents/{incident['id']}/deliveries/")
        to_claire = [d for d in deliveries["results"] if "Claire Dubois" in d["recipient"]]
        assert [(d["channel"], d["status"]) for d in to_claire] == [("email", "sent")]

    await eventually(mailed, timeout=20)

    async def in_the_lid() -> None:
        lid = await mesh.client.get(f"/incidents/{incident['id']}/lid.md", headers=mesh.auth)
        assert "| **Scribe** | Bruno Petit |" in lid.text and text in lid.text

    await eventually(in_the_lid, timeout=10)
    await both_themes(page, shots, "roles-and-updates")

    await viewer.locator("#roles").get_by_role("button", name="Unfollow").click()
    await expect(viewer.locator("#roles .subscribers")).to_contain_text("Nobody follows")
