"""LID export to Confluence and Google Docs, against local servers implementing the parts of
their APIs used (Google's token endpoint included): the LID is exported when the incident
opens (the brief's workflow C), later exports update the same page, and Google Docs gets a
real document (headings, lists, tables, links) through a service account whose tokens renew
themselves."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from sqlalchemy import select, text

from imas_contracts import new_event_id
from imas_contracts.incidents import IncidentAcknowledged, IncidentResolved, IncidentSnapshot
from imas_contracts.warroom import (
    DeleteExporter,
    DocumentExported,
    DocumentView,
    ExportDocument,
    ExporterList,
    ExporterView,
    GetDocument,
    ListExporters,
    PutExporter,
)
from imas_runtime.errors import RequestFailed
from imas_testing import eventually
from imas_testing.fake_docs import FakeConfluence, FakeGoogleDocs
from imas_warroom.models import exporters

from .conftest import Warroom, WarroomFactory, incident, triggered

pytestmark = pytest.mark.integration

API_TOKEN = "confluence-api-token-1234"
MAX_ATTEMPTS = 3


@pytest.fixture(scope="module")
async def confluence() -> AsyncIterator[FakeConfluence]:
    async with FakeConfluence(email="bot@example.com", api_token=API_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
async def google() -> AsyncIterator[FakeGoogleDocs]:
    async with FakeGoogleDocs() as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
async def warroom(warroom_factory: WarroomFactory) -> Warroom:
    return await warroom_factory(max_attempts=MAX_ATTEMPTS)


@contextlib.asynccontextmanager
async def exporter(warroom: Warroom, **fields: Any) -> AsyncIterator[ExporterView]:
    """An exporter for the test's incidents, deleted afterwards (new incidents of the next
    tests are not exported to it)."""
    view = await warroom.ask(PutExporter(**fields), ExporterView)
    try:
        yield view
    finally:
        await warroom.ask(DeleteExporter(id=view.exporter.id), ExporterView)


def confluence_exporter(confluence: FakeConfluence, token: str = API_TOKEN) -> dict[str, Any]:
    return {
        "kind": "confluence",
        "config": {"base_url": confluence.url, "space_key": "OPS", "email": "bot@example.com"},
        "secrets": {"api_token": token},
    }


def now() -> datetime:
    return datetime.now(UTC)


async def lid(warroom: Warroom, snapshot: IncidentSnapshot) -> DocumentView:
    return await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)


async def lid_says(warroom: Warroom, snapshot: IncidentSnapshot, line: str) -> None:
    async def written() -> None:
        try:
            doc = await lid(warroom, snapshot)
        except RequestFailed as exc:
            raise AssertionError(exc.message) from exc
        assert line in doc.markdown

    await eventually(written, timeout=10)


async def published(warroom: Warroom, subject: str, incident_id: str) -> list[dict[str, Any]]:
    """The events of ``subject`` about the incident that warroom wrote to its outbox."""
    async with warroom.runtime.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT payload FROM outbox WHERE subject = :s ORDER BY id"), {"s": subject}
        )
        events = [msgspec.json.decode(bytes(r.payload)) for r in rows]
    return [e for e in events if e["incident_id"] == incident_id]


async def acknowledged_incident(warroom: Warroom) -> IncidentSnapshot:
    """A SEV3 (no room) triggered then acknowledged by Bob, its LID written."""
    snapshot = incident("SEV3_MEDIUM", title=f"Checkout slow {new_event_id()[:6]}")
    await warroom.publish(triggered(snapshot))
    acked = msgspec.structs.replace(snapshot, status="ACKNOWLEDGED", acknowledged_at=now())
    await warroom.publish(
        IncidentAcknowledged(
            event_id=new_event_id(), occurred_at=now(), incident=acked, actor="Bob Stone"
        )
    )
    await lid_says(warroom, snapshot, "Acknowledged")
    return acked


async def test_the_lid_is_a_confluence_page_from_the_incidents_opening_then_updated(
    warroom: Warroom, confluence: FakeConfluence
) -> None:
    async with exporter(warroom, name="Wiki", **confluence_exporter(confluence)) as view:
        assert view.exporter.secrets == ["api_token"]
        async with warroom.runtime.engine.connect() as conn:
            sealed = (await conn.execute(select(exporters.c.sealed_secrets))).scalars().one()
        assert API_TOKEN.encode() not in bytes(sealed)  # encrypted at rest

        snapshot = incident("SEV3_MEDIUM", title=f"Checkout slow {new_event_id()[:6]}")
        await warroom.publish(triggered(snapshot))
        title = f"INC-{snapshot.short_id} - {snapshot.title}"

        async def exported() -> dict[str, Any]:
            events = await published(warroom, "warroom.lid_exported.v1", snapshot.id)
            assert len(events) == 1, events
            return events[0]

        # Nobody asked: the page exists as the incident opens, and is its primary LID.
        event = await eventually(exported, timeout=15)
        page = confluence.by_title(title)
        assert page is not None and page.space_key == "OPS"
        assert f"Incident opened: {snapshot.title}" in page.body
        assert "<h2>Timeline</h2>" in page.body  # storage format, not Markdown
        link = f"{confluence.url}/wiki/spaces/OPS/pages/{page.id}"
        assert (event["link"], event["primary"], event["created"]) == (link, True, True)
        assert event["actor"] is None and event["exporter"] == "Wiki"
        assert [
            (e.exporter, e.link, e.version) for e in (await lid(warroom, snapshot)).exports
        ] == [("Wiki", link, 1)]

        acked = msgspec.structs.replace(snapshot, status="ACKNOWLEDGED", acknowledged_at=now())
        await warroom.publish(
            IncidentAcknowledged(
                event_id=new_event_id(), occurred_at=now(), incident=acked, actor="Bob Stone"
            )
        )
        await lid_says(warroom, snapshot, "Acknowledged")
        again = await warroom.ask(
            ExportDocument(incident=snapshot.id, exporter="Wiki", actor="Alice Martin"),
            DocumentExported,
        )
        assert not again.created and again.export.remote_id == page.id
        assert again.export.version == 2 == page.version
        assert "Acknowledged" in page.body and "Bob Stone" in page.body
        assert confluence.calls("PUT /wiki/rest/api/content/*")[-1].body["version"] == {"number": 2}
        assert len([c for c in confluence.calls("POST /wiki/rest/api/content")
                    if c.body["title"] == title]) == 1  # fmt: skip
        events = await published(warroom, "warroom.lid_exported.v1", snapshot.id)
        assert [(e["created"], e["actor"]) for e in events] == [
            (True, None),
            (False, "Alice Martin"),
        ]

        # Someone edited the page in Confluence meanwhile: the export goes on top of their version.
        page.version = 5
        latest = await warroom.ask(
            ExportDocument(incident=snapshot.short_id, exporter=view.exporter.id), DocumentExported
        )
        assert latest.export.version == 6 == page.version


async def test_a_first_export_that_fails_is_retried_then_given_up_and_said(
    warroom: Warroom, confluence: FakeConfluence
) -> None:
    async with exporter(warroom, name="Flaky wiki", **confluence_exporter(confluence)):
        confluence.fail("POST /wiki/rest/api/content", status=503)
        snapshot = incident("SEV3_MEDIUM", title=f"Queue stuck {new_event_id()[:6]}")
        await warroom.publish(triggered(snapshot))

        async def exported_on_second_try() -> None:
            events = await published(warroom, "warroom.lid_exported.v1", snapshot.id)
            assert [e["exporter"] for e in events] == ["Flaky wiki"]

        await lid_says(warroom, snapshot, "Incident opened")
        warroom.clock.advance(2)  # past the first backoff
        await eventually(exported_on_second_try, timeout=15)
        warroom.clock.advance(-2)

    offset = warroom.clock.offset
    async with exporter(warroom, name="Stale wiki", **confluence_exporter(confluence, "revoked")):
        lost = incident("SEV3_MEDIUM", title=f"Disk full {new_event_id()[:6]}")
        await warroom.publish(triggered(lost))

        async def given_up() -> dict[str, Any]:
            warroom.clock.advance(301)  # every backoff elapses
            events = await published(warroom, "warroom.lid_export_failed.v1", lost.id)
            assert len(events) == 1
            return events[0]

        failure = await eventually(given_up, timeout=20)
        assert failure["attempts"] == MAX_ATTEMPTS and "401" in failure["error"]
        assert (await lid(warroom, lost)).exports == []
        assert confluence.by_title(f"INC-{lost.short_id} - {lost.title}") is None
    warroom.clock.offset = offset


async def test_a_refused_export_says_why_and_changes_nothing(
    warroom: Warroom, confluence: FakeConfluence
) -> None:
    snapshot = await acknowledged_incident(warroom)
    async with exporter(warroom, name="Revoked", **confluence_exporter(confluence, "revoked")):
        with pytest.raises(RequestFailed) as refused:
            await warroom.ask(
                ExportDocument(incident=snapshot.id, exporter="Revoked"), DocumentExported
            )
    assert refused.value.code == "unavailable" and "401" in refused.value.message
    assert confluence.by_title(f"INC-{snapshot.short_id} - {snapshot.title}") is None
    assert (await lid(warroom, snapshot)).exports == []
    with pytest.raises(RequestFailed) as unknown:
        await warroom.ask(ExportDocument(incident=snapshot.id, exporter="Nope"), DocumentExported)
    assert unknown.value.errors[0].field == "exporter"


async def test_google_docs_gets_a_real_document_with_tokens_that_renew_themselves(
    warroom: Warroom, google: FakeGoogleDocs
) -> None:
    fields = {
        "kind": "google_docs",
        "config": {"base_url": google.url, "drive_url": google.url, "folder_id": "F-postmortems"},
        "secrets": {"service_account": google.service_account_json()},
    }
    async with exporter(warroom, name="Drive", **fields) as view:
        assert view.exporter.secrets == ["service_account"]
        assert "PRIVATE KEY" not in msgspec.json.encode(view).decode()
        snapshot = incident("SEV3_MEDIUM", title=f"Checkout slow {new_event_id()[:6]}")
        await warroom.publish(triggered(snapshot))
        title = f"INC-{snapshot.short_id} - {snapshot.title}"

        def created() -> Any:
            document = google.by_title(title)
            assert document is not None and document.revision > 1
            return document

        document = await eventually(created, timeout=15)
        assert document.parents == ["F-postmortems"]
        outline = document.outline()
        # Headings, tables and lists, not Markdown's # and | characters.
        assert outline[0] == ("HEADING_1", None, title)
        assert ("HEADING_2", None, "Timeline") in outline
        facts = next(rows for kind, _, rows in outline if kind == "TABLE")
        assert ["Status", "TRIGGERED"] in facts and ["Service", "redis-prod"] in facts
        timeline = outline[outline.index(("HEADING_2", None, "Timeline")) + 1]
        assert timeline[0] == "TABLE" and timeline[2][0] == ["Time (UTC)", "Event", "By"]
        assert f"Incident opened: {snapshot.title}" in timeline[2][1][1]
        assert ("NORMAL_TEXT", "BULLET_DISC_CIRCLE_SQUARE", "Alice Martin") in outline
        assert not any("#" in str(block) or "|" in str(block[2]) for block in outline[1:])
        assert ("Status", True) in document.styled("bold")
        incident_link = f"http://imas.test/incidents/{snapshot.id}"
        assert (incident_link, {"url": incident_link}) in document.styled("link")
        assert google.grants[-1]["iss"] == google.client_email

        # An hour later the token is dead; the next export gets another and goes through.
        google.expire_tokens()
        resolved = msgspec.structs.replace(snapshot, status="RESOLVED", resolved_at=now())
        await warroom.publish(
            IncidentResolved(
                event_id=new_event_id(), occurred_at=now(), incident=resolved, note="cache flushed"
            )
        )
        await lid_says(warroom, snapshot, "Resolved: cache flushed")
        grants = len(google.grants)
        again = await warroom.ask(
            ExportDocument(incident=snapshot.id, exporter="Drive"), DocumentExported
        )
        assert not again.created and again.export.version == 2
        assert len(google.grants) == grants + 1
        outline = document.outline()
        assert [b for b in outline if b[0] == "HEADING_1"] == [("HEADING_1", None, title)]
        assert "Resolved: cache flushed" in document.text
        assert len(google.calls("POST /v1/documents")) == 1


async def test_exporter_settings_are_checked_and_secrets_never_answered(
    warroom: Warroom, google: FakeGoogleDocs
) -> None:
    with pytest.raises(RequestFailed) as missing:
        await warroom.ask(
            PutExporter(
                name="Half",
                kind="confluence",
                config={"base_url": "https://acme.atlassian.net", "email": "bot@example.com"},
                secrets={"api_token": "x"},
            ),
            ExporterView,
        )
    assert missing.value.errors[0].field == "config.space_key"
    with pytest.raises(RequestFailed) as no_key:
        await warroom.ask(PutExporter(name="Docs", kind="google_docs"), ExporterView)
    assert no_key.value.errors[0].field == "secrets.service_account"
    for key, reason in (
        ("ya29.an-access-token", "is not JSON"),
        ('{"type": "authorized_user"}', "is not a service account key"),
        (google.service_account_json(private_key="nope"), "not a PEM RSA key"),
    ):
        with pytest.raises(RequestFailed) as bad:
            await warroom.ask(
                PutExporter(name="Docs", kind="google_docs", secrets={"service_account": key}),
                ExporterView,
            )
        assert bad.value.errors[0].field == "secrets.service_account"
        assert reason in bad.value.errors[0].message and key not in bad.value.message
    created = await warroom.ask(
        PutExporter(
            name="Docs",
            kind="google_docs",
            enabled=False,
            secrets={"service_account": google.service_account_json()},
        ),
        ExporterView,
    )
    # A replacement without secrets keeps the stored one.
    renamed = await warroom.ask(
        PutExporter(id=created.exporter.id, name="Team docs", kind="google_docs", enabled=False),
        ExporterView,
    )
    assert renamed.exporter.secrets == ["service_account"] and renamed.exporter.name == "Team docs"
    listed = await warroom.ask(ListExporters(), ExporterList)
    assert "PRIVATE KEY" not in msgspec.json.encode(listed).decode()
    await warroom.ask(DeleteExporter(id="Team docs"), ExporterView)
    with pytest.raises(RequestFailed) as gone:
        await warroom.ask(ListExporters(id=created.exporter.id), ExporterList)
    assert gone.value.code == "not_found"
