"""Use cases of LID export: exporters as data (secrets sealed at rest), the export asked
for, and the first export of every new incident's LID (the brief's workflow C: the document
exists outside IMAS as soon as the incident opens).

An export holds the row of its (LID, exporter) pair locked while it talks to the remote
service, so two exports at once never create two pages; the remote id, link and version are
saved in the same transaction, with a ``warroom.lid_exported.v1`` event. The first exports are
rows planned with the LID (``status`` pending): the export loop takes each one whose time has
come (``SKIP LOCKED``: replicas share the work), retries failures with backoff, and after
``max_attempts`` gives up and says so (``warroom.lid_export_failed.v1``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, new_event_id
from imas_contracts.warroom import (
    DeleteExporter,
    DocumentExport,
    DocumentExported,
    ExportDocument,
    ExporterList,
    ExporterSpec,
    ExporterView,
    LidExported,
    LidExportFailed,
    ListExporters,
    PutExporter,
)
from imas_runtime import outbound
from imas_runtime.errors import Conflict, Invalid, NotFound, ServiceError, Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.loops import run_woken
from imas_runtime.outbox import emit
from imas_runtime.secrets_box import SecretBox
from imas_warroom import domain, lid
from imas_warroom.export import store
from imas_warroom.export.exporters import (
    ConfluenceExporter,
    Content,
    Exporter,
    ExportError,
    GoogleDocsExporter,
    Remote,
)
from imas_warroom.export.google_auth import ServiceAccount, TokenSource
from imas_warroom.models import outbox

log = get_logger(__name__)

# The LID's title and Markdown now, for an incident reference (NotFound when it has none).
Renderer = Callable[[str], Awaitable[tuple[uuid.UUID, str, str]]]


BACKOFF = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def exporter_spec(row: Any) -> ExporterSpec:
    """An exporter as the API shows it: secrets by name only."""
    return ExporterSpec(
        id=str(row.id),
        name=row.name,
        kind=row.kind,
        config=dict(row.config),
        secrets=sorted(row.secret_names),
        enabled=row.enabled,
        updated_at=row.updated_at,
    )


def export_of(row: Any) -> DocumentExport:
    return DocumentExport(
        exporter_id=str(row.exporter_id),
        exporter=row.name,
        kind=row.kind,
        remote_id=row.remote_id,
        link=row.link,
        version=row.version,
        exported_at=row.exported_at,
        exported_by=row.exported_by,
    )


class ExportUseCases:
    def __init__(
        self,
        engine: AsyncEngine,
        box: SecretBox,
        render: Renderer,
        *,
        guard: outbound.Guard,
        timeout: float = 5.0,
        max_attempts: int = 8,
        on_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.box = box
        self.render = render
        self.guard = guard
        self.timeout = timeout
        self.max_attempts = max_attempts
        self._on_commit = on_commit
        self.clock = clock
        # Google access tokens per exporter (and version of its settings), kept between
        # exports and renewed before they expire.
        self._tokens: dict[tuple[uuid.UUID, datetime], TokenSource] = {}
        self._wake = asyncio.Event()

    # -- exporters ----------------------------------------------------------------------------

    async def put(self, cmd: PutExporter) -> ExporterView:
        """Create or replace an exporter; secrets left out keep their stored value."""
        async with self.engine.begin() as conn:
            current = None
            if cmd.id:
                current = await store.find_exporter(conn, cmd.id)
                if current is None:
                    raise NotFound(f"no exporter {cmd.id}")
            secrets = self.box.open(current.sealed_secrets) if current is not None else {}
            for key, value in cmd.secrets.items():
                if value:
                    secrets[key] = value
                else:
                    secrets.pop(key, None)
            domain.check_exporter(cmd.name, cmd.kind, dict(cmd.config), set(secrets))
            if "service_account" in secrets:
                try:
                    ServiceAccount.parse(secrets["service_account"])
                except ValueError as exc:
                    raise Invalid.field("secrets.service_account", str(exc)) from None
            values = {
                "name": cmd.name.strip(),
                "kind": cmd.kind,
                "config": {k: v.strip() for k, v in cmd.config.items()},
                "sealed_secrets": self.box.seal(secrets),
                "secret_names": sorted(secrets),
                "enabled": cmd.enabled,
            }
            owner = await store.exporter_id_by_name(conn, cmd.name)
            if owner is not None and (current is None or owner != current.id):
                raise Conflict.field("name", f"an exporter named '{cmd.name.strip()}' exists")
            try:
                async with conn.begin_nested():
                    if current is None:
                        row = await store.insert_exporter(conn, values)
                    else:
                        row = await store.update_exporter(conn, current.id, values)
            except IntegrityError:
                raise Conflict.field("name", f"an exporter named '{cmd.name}' exists") from None
        return ExporterView(exporter=exporter_spec(row))

    async def list(self, query: ListExporters) -> ExporterList:
        async with self.engine.connect() as conn:
            if query.id:
                row = await store.find_exporter(conn, query.id)
                if row is None:
                    raise NotFound(f"no exporter {query.id}")
                return ExporterList(exporters=[exporter_spec(row)])
            return ExporterList(
                exporters=[exporter_spec(r) for r in await store.list_exporters(conn)]
            )

    async def delete(self, cmd: DeleteExporter) -> ExporterView:
        """Delete an exporter; pages already exported stay where they are."""
        async with self.engine.begin() as conn:
            row = await store.find_exporter(conn, cmd.id)
            if row is None:
                raise NotFound(f"no exporter {cmd.id}")
            await store.delete_exporter(conn, row.id)
        return ExporterView(exporter=exporter_spec(row))

    # -- export -------------------------------------------------------------------------------

    def _exporter(self, row: Any, client: httpx.AsyncClient) -> Exporter:
        try:
            secrets = self.box.open(row.sealed_secrets)
        except ValueError as exc:
            raise ExportError(str(exc)) from None
        config = dict(row.config)
        if row.kind == "confluence":
            return ConfluenceExporter(
                client,
                base_url=config["base_url"],
                space_key=config["space_key"],
                email=config["email"],
                api_token=secrets.get("api_token", ""),
                parent_id=config.get("parent_id", ""),
            )
        return GoogleDocsExporter(
            client,
            tokens=self._google_tokens(row, secrets, config),
            base_url=config.get("base_url", ""),
            drive_url=config.get("drive_url", ""),
            folder_id=config.get("folder_id", ""),
        )

    def _google_tokens(
        self, row: Any, secrets: dict[str, str], config: dict[str, str]
    ) -> TokenSource:
        key = (row.id, row.updated_at)
        if key not in self._tokens:
            if "service_account" not in secrets:
                raise ExportError(
                    "Google Docs needs the service account's JSON key (secrets.service_account): "
                    "an access token expires within the hour and IMAS cannot renew it"
                )
            try:
                account = ServiceAccount.parse(secrets["service_account"])
            except ValueError as exc:
                raise ExportError(f"the service account key {exc}") from None
            self._tokens = {k: v for k, v in self._tokens.items() if k[0] != row.id}
            self._tokens[key] = TokenSource(account, subject=config.get("subject", ""))
        return self._tokens[key]

    async def _content(self, ref: str) -> tuple[uuid.UUID, Content]:
        incident_id, title, markdown = await self.render(ref)
        return incident_id, Content(title=title, markdown=markdown, xhtml=lid.to_xhtml(markdown))

    async def _write(self, row: Any, done: Any, content: Content) -> Remote:
        remote = None
        if done.remote_id is not None:
            remote = Remote(id=done.remote_id, link=done.link, version=done.version)
        # Exports are rare: a client each, closed with it; each call ends within ``timeout``
        # seconds, answer included.
        async with outbound.client(self.guard, total=self.timeout) as client:
            return await self._exporter(row, client).write(content, remote)

    async def _done(
        self,
        conn: AsyncConnection,
        incident_id: uuid.UUID,
        row: Any,
        done: Any,
        written: Remote,
        actor: str | None,
    ) -> tuple[DocumentExport, bool]:
        """Save where the LID now is, with its event; answers it and whether it is new."""
        now = self.clock()
        await store.save_export(
            conn,
            incident_id,
            row.id,
            remote_id=written.id,
            link=written.link,
            version=written.version,
            exported_at=now,
            exported_by=actor,
            status="done",
            last_error=None,
        )
        created = done.remote_id is None or written.id != done.remote_id
        if done.is_primary:
            await store.refresh_room_header(conn, incident_id)
        event = LidExported(
            event_id=new_event_id(),
            occurred_at=now,
            incident_id=str(incident_id),
            exporter=row.name,
            kind=row.kind,
            link=written.link,
            version=written.version,
            created=created,
            primary=done.is_primary,
            actor=actor,
        )
        await self._emit(conn, [event])
        export = DocumentExport(
            exporter_id=str(row.id),
            exporter=row.name,
            kind=row.kind,
            remote_id=written.id,
            link=written.link,
            version=written.version,
            exported_at=now,
            exported_by=actor,
        )
        return export, created

    async def _emit(self, conn: AsyncConnection, events: Sequence[Event]) -> None:
        await emit(conn, outbox, events)

    async def export(self, cmd: ExportDocument) -> DocumentExported:
        """Create the remote page the first time, update it afterwards."""
        incident_id, content = await self._content(cmd.incident)
        async with self.engine.begin() as conn:
            row = await store.find_exporter(conn, cmd.exporter)
            if row is None:
                raise Invalid.field("exporter", f"no exporter '{cmd.exporter}'")
            if not row.enabled:
                raise Conflict.field("exporter", f"the exporter '{row.name}' is disabled")
            done = await store.lock_export(conn, incident_id, row.id)
            try:
                written = await self._write(row, done, content)
            except ExportError as exc:
                log.warning("LID export failed", exporter=row.name, error=str(exc))
                raise Unavailable(f"not exported to '{row.name}': {exc}") from None
            export, created = await self._done(conn, incident_id, row, done, written, cmd.actor)
        self._on_commit()
        return DocumentExported(export=export, created=created)

    # -- the first export of a new incident's LID ---------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stopping: asyncio.Event, interval: float) -> None:
        """Background loop: the planned exports due, whenever woken (a LID was created) or
        every ``interval`` seconds."""
        await run_woken(self.export_due, self._wake, stopping, interval, what="LID export pass")

    async def export_due(self) -> int:
        """One pass over the planned exports whose time has come; answers how many."""
        async with self.engine.connect() as conn:
            due = await store.due_exports(conn, self.clock())
        for incident_id, exporter_id in due:
            await self._first_export(incident_id, exporter_id)
        return len(due)

    async def _first_export(self, incident_id: uuid.UUID, exporter_id: uuid.UUID) -> None:
        """Export a new incident's LID to one exporter; a failure is retried with backoff,
        then given up and published. Safe to run twice: a done export is not planned any
        more, and one exported by hand meanwhile is only marked done."""
        async with self.engine.begin() as conn:
            planned = await store.lock_planned_export(conn, incident_id, exporter_id)
            if planned is None:
                return  # done, or another replica is on it
            row = await store.find_exporter(conn, str(exporter_id))
            assert row is not None  # its exports are deleted with it
            if planned.remote_id is not None:
                await store.save_export(conn, incident_id, row.id, status="done")
                return
            try:
                if not row.enabled:
                    raise ExportError(f"the exporter '{row.name}' was disabled")
                _, content = await self._content(str(incident_id))
                written = await self._write(row, planned, content)
            except (ExportError, ServiceError) as exc:
                await self._failed(conn, incident_id, row, planned, str(exc))
            else:
                await self._done(conn, incident_id, row, planned, written, None)
        self._on_commit()

    async def _failed(
        self, conn: AsyncConnection, incident_id: uuid.UUID, row: Any, planned: Any, error: str
    ) -> None:
        attempts = planned.attempts + 1
        give_up = attempts >= self.max_attempts or not row.enabled
        delay = BACKOFF[min(attempts, len(BACKOFF)) - 1]
        log.warning(
            "LID export failed",
            incident_id=str(incident_id),
            exporter=row.name,
            error=error,
            attempt=attempts,
            retry_in=None if give_up else delay,
        )
        await store.save_export(
            conn,
            incident_id,
            row.id,
            attempts=attempts,
            last_error=error[:2000],
            status="failed" if give_up else "pending",
            next_attempt_at=self.clock() + timedelta(seconds=delay),
        )
        if give_up:
            event = LidExportFailed(
                event_id=new_event_id(),
                occurred_at=self.clock(),
                incident_id=str(incident_id),
                exporter=row.name,
                kind=row.kind,
                error=error[:500],
                attempts=attempts,
            )
            await self._emit(conn, [event])
