"""Use cases of LID export: exporters as data (secrets sealed at rest), and the export itself.

An export holds the row of its (LID, exporter) pair locked while it talks to the remote
service, so two exports at once never create two pages; the remote id, link and version are
saved in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.warroom import (
    DeleteExporter,
    DocumentExport,
    DocumentExported,
    ExportDocument,
    ExporterList,
    ExporterSpec,
    ExporterView,
    ListExporters,
    PutExporter,
)
from imas_runtime.errors import Conflict, Invalid, NotFound, Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.secrets_box import SecretBox
from imas_warroom import domain, lid, store
from imas_warroom.exporters import (
    ConfluenceExporter,
    Content,
    Exporter,
    ExportError,
    GoogleDocsExporter,
    Remote,
)

log = get_logger(__name__)

# The LID's title and Markdown now, for an incident reference (NotFound when it has none).
Renderer = Callable[[str], Awaitable[tuple[uuid.UUID, str, str]]]


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
        timeout: float = 5.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.box = box
        self.render = render
        self.timeout = timeout
        self.clock = clock

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
            raise Unavailable(str(exc)) from None
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
            token=secrets.get("token", ""),
            base_url=config.get("base_url", ""),
            drive_url=config.get("drive_url", ""),
            folder_id=config.get("folder_id", ""),
        )

    async def export(self, cmd: ExportDocument) -> DocumentExported:
        """Create the remote page the first time, update it afterwards."""
        incident_id, title, markdown = await self.render(cmd.incident)
        content = Content(title=title, markdown=markdown, xhtml=lid.to_xhtml(markdown))
        async with self.engine.begin() as conn:
            row = await store.find_exporter(conn, cmd.exporter)
            if row is None:
                raise Invalid.field("exporter", f"no exporter '{cmd.exporter}'")
            if not row.enabled:
                raise Conflict.field("exporter", f"the exporter '{row.name}' is disabled")
            done = await store.lock_export(conn, incident_id, row.id)
            remote = None
            if done.remote_id is not None:
                remote = Remote(id=done.remote_id, link=done.link, version=done.version)
            try:
                # Exports are rare: a client each, closed with it.
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    written = await self._exporter(row, client).write(content, remote)
            except ExportError as exc:
                log.warning("LID export failed", exporter=row.name, error=str(exc))
                raise Unavailable(f"not exported to '{row.name}': {exc}") from None
            now = self.clock()
            await store.save_export(
                conn,
                incident_id,
                row.id,
                remote_id=written.id,
                link=written.link,
                version=written.version,
                exported_at=now,
                exported_by=cmd.actor,
            )
        export = DocumentExport(
            exporter_id=str(row.id),
            exporter=row.name,
            kind=row.kind,
            remote_id=written.id,
            link=written.link,
            version=written.version,
            exported_at=now,
            exported_by=cmd.actor,
        )
        return DocumentExported(export=export, created=remote is None or written.id != remote.id)
