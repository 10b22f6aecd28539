"""LID export to Confluence and Google Docs, against local servers implementing the parts of
their APIs used: the first export creates the page, the next ones update it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import pytest
from sqlalchemy import select

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
from imas_runtime.fake_docs import FakeConfluence, FakeGoogleDocs
from imas_runtime.testing import eventually
from imas_warroom.models import exporters

from .conftest import Warroom, WarroomFactory, incident, triggered

pytestmark = pytest.mark.integration

API_TOKEN = "confluence-api-token-1234"
GOOGLE_TOKEN = "ya29.google-access-token"


@pytest.fixture(scope="module")
async def confluence() -> AsyncIterator[FakeConfluence]:
    async with FakeConfluence(email="bot@example.com", api_token=API_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
async def google() -> AsyncIterator[FakeGoogleDocs]:
    async with FakeGoogleDocs(token=GOOGLE_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
async def warroom(warroom_factory: WarroomFactory) -> Warroom:
    return await warroom_factory()


def now() -> datetime:
    return datetime.now(UTC)


async def lid_says(warroom: Warroom, snapshot: IncidentSnapshot, line: str) -> None:
    async def written() -> None:
        try:
            doc = await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)
        except RequestFailed as exc:
            raise AssertionError(exc.message) from exc
        assert line in doc.markdown

    await eventually(written, timeout=10)


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


async def test_confluence_export_creates_the_page_then_updates_it_with_a_new_version(
    warroom: Warroom, confluence: FakeConfluence
) -> None:
    view = await warroom.ask(
        PutExporter(
            name="Wiki",
            kind="confluence",
            config={"base_url": confluence.url, "space_key": "OPS", "email": "bot@example.com"},
            secrets={"api_token": API_TOKEN},
        ),
        ExporterView,
    )
    assert view.exporter.secrets == ["api_token"]
    assert API_TOKEN not in msgspec.json.encode(view).decode()
    async with warroom.runtime.engine.connect() as conn:
        sealed = (await conn.execute(select(exporters.c.sealed_secrets))).scalars().one()
    assert API_TOKEN.encode() not in bytes(sealed)  # encrypted at rest

    snapshot = await acknowledged_incident(warroom)
    first = await warroom.ask(
        ExportDocument(incident=snapshot.id, exporter="Wiki", actor="Alice Martin"),
        DocumentExported,
    )
    assert first.created and first.export.version == 1
    page = confluence.pages[first.export.remote_id]
    assert page.title == f"INC-{snapshot.short_id} - {snapshot.title}"
    assert page.space_key == "OPS"
    assert f"Incident opened: {snapshot.title}" in page.body
    assert "Acknowledged" in page.body and "Bob Stone" in page.body
    assert "<h2>Timeline</h2>" in page.body  # storage format, not Markdown
    assert first.export.link == f"{confluence.url}/wiki/spaces/OPS/pages/{page.id}"

    resolved = msgspec.structs.replace(snapshot, status="RESOLVED", resolved_at=now())
    await warroom.publish(
        IncidentResolved(
            event_id=new_event_id(), occurred_at=now(), incident=resolved, note="index rebuilt"
        )
    )

    await lid_says(warroom, snapshot, "Resolved: index rebuilt")
    again = await warroom.ask(
        ExportDocument(incident=snapshot.id, exporter="Wiki"), DocumentExported
    )
    assert not again.created and again.export.remote_id == page.id
    assert again.export.version == 2 == confluence.pages[page.id].version
    assert "Resolved: index rebuilt" in confluence.pages[page.id].body
    assert confluence.calls("PUT /wiki/rest/api/content/*")[-1].body["version"] == {"number": 2}
    assert len(confluence.calls("POST /wiki/rest/api/content")) == 1  # created once

    # Someone edited the page in Confluence meanwhile: the export goes on top of their version.
    confluence.pages[page.id].version = 5
    latest = await warroom.ask(
        ExportDocument(incident=snapshot.short_id, exporter=view.exporter.id), DocumentExported
    )
    assert latest.export.version == 6 == confluence.pages[page.id].version
    doc = await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)
    assert [(e.exporter, e.link, e.version) for e in doc.exports] == [
        ("Wiki", first.export.link, 6)
    ]


async def test_a_refused_export_says_why_and_changes_nothing(
    warroom: Warroom, confluence: FakeConfluence
) -> None:
    await warroom.ask(
        PutExporter(
            name="Wiki with a stale token",
            kind="confluence",
            config={"base_url": confluence.url, "space_key": "OPS", "email": "bot@example.com"},
            secrets={"api_token": "revoked"},
        ),
        ExporterView,
    )
    snapshot = await acknowledged_incident(warroom)
    with pytest.raises(RequestFailed) as refused:
        await warroom.ask(
            ExportDocument(incident=snapshot.id, exporter="Wiki with a stale token"),
            DocumentExported,
        )
    assert refused.value.code == "unavailable" and "401" in refused.value.message
    assert confluence.by_title(f"INC-{snapshot.short_id} - {snapshot.title}") is None
    doc = await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)
    assert doc.exports == []
    with pytest.raises(RequestFailed) as unknown:
        await warroom.ask(ExportDocument(incident=snapshot.id, exporter="Nope"), DocumentExported)
    assert unknown.value.errors[0].field == "exporter"


async def test_google_docs_export_creates_the_document_in_its_folder_then_replaces_its_text(
    warroom: Warroom, google: FakeGoogleDocs
) -> None:
    await warroom.ask(
        PutExporter(
            name="Drive",
            kind="google_docs",
            config={"base_url": google.url, "drive_url": google.url, "folder_id": "F-postmortems"},
            secrets={"token": GOOGLE_TOKEN},
        ),
        ExporterView,
    )
    snapshot = await acknowledged_incident(warroom)
    first = await warroom.ask(
        ExportDocument(incident=snapshot.id, exporter="Drive"), DocumentExported
    )
    assert first.created and first.export.kind == "google_docs"
    document = google.documents[first.export.remote_id]
    title = f"INC-{snapshot.short_id} - {snapshot.title}"
    assert document.title == title and document.parents == ["F-postmortems"]
    assert f"# {title}" in document.text and "Acknowledged" in document.text
    assert first.export.link == f"https://docs.google.com/document/d/{document.id}/edit"

    resolved = msgspec.structs.replace(snapshot, status="RESOLVED", resolved_at=now())
    await warroom.publish(
        IncidentResolved(
            event_id=new_event_id(), occurred_at=now(), incident=resolved, note="cache flushed"
        )
    )

    await lid_says(warroom, snapshot, "Resolved: cache flushed")
    again = await warroom.ask(
        ExportDocument(incident=snapshot.id, exporter="Drive"), DocumentExported
    )
    assert not again.created and again.export.version == 2
    text = google.documents[document.id].text
    assert "Resolved: cache flushed" in text
    assert text.count(f"# {title}") == 1  # replaced, not appended
    assert len(google.calls("POST /v1/documents")) == 1


async def test_exporter_settings_are_checked_and_secrets_never_answered(warroom: Warroom) -> None:
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
    with pytest.raises(RequestFailed) as no_token:
        await warroom.ask(PutExporter(name="Docs", kind="google_docs"), ExporterView)
    assert no_token.value.errors[0].field == "secrets.token"
    created = await warroom.ask(
        PutExporter(name="Docs", kind="google_docs", secrets={"token": "secret-1"}), ExporterView
    )
    # A replacement without secrets keeps the stored one.
    renamed = await warroom.ask(
        PutExporter(id=created.exporter.id, name="Team docs", kind="google_docs"), ExporterView
    )
    assert renamed.exporter.secrets == ["token"] and renamed.exporter.name == "Team docs"
    listed = await warroom.ask(ListExporters(), ExporterList)
    assert "secret-1" not in msgspec.json.encode(listed).decode()
    await warroom.ask(DeleteExporter(id="Team docs"), ExporterView)
    with pytest.raises(RequestFailed) as gone:
        await warroom.ask(ListExporters(id=created.exporter.id), ExporterList)
    assert gone.value.code == "not_found"
