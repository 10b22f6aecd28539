"""Use cases of runbooks: CRUD, YAML import, matching, and guided execution per incident."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import new_event_id
from imas_contracts.catalog import CatalogChange
from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.warroom import (
    AttachRunbook,
    DeleteRunbook,
    GetProgress,
    GetRunbook,
    ImportRunbooks,
    ListRunbooks,
    MatchRunbook,
    PutRunbook,
    RunbookList,
    RunbookProgress,
    RunbookSpec,
    RunbookStepExecuted,
    RunbookView,
    RunStep,
)
from imas_runtime.errors import Conflict, Invalid, NotFound
from imas_runtime.outbox import emit
from imas_runtime.patterns import StoredPatterns
from imas_warroom import domain, store
from imas_warroom.domain import Item
from imas_warroom.models import outbox


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RunbookUseCases:
    """Runbooks and their execution; every step action is published and in the LID."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        on_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = _utcnow,
        refused: StoredPatterns | None = None,
    ) -> None:
        self.engine = engine
        self._on_commit = on_commit
        self.clock = clock
        self.refused = refused or StoredPatterns("runbook", domain.PATTERN_MODE)

    # -- CRUD ---------------------------------------------------------------------------------

    async def put(self, cmd: PutRunbook) -> RunbookView:
        """Create (no id) or replace (id) a runbook; a name used by another is a conflict."""
        domain.validate_runbook(cmd.runbook)
        async with self.engine.begin() as conn:
            saved = await self._save(conn, cmd.runbook)
        return RunbookView(runbook=saved)

    async def _save(self, conn: AsyncConnection, spec: RunbookSpec) -> RunbookSpec:
        owner = await store.runbook_id_by_name(conn, spec.name)
        if spec.id:
            key = _key(spec.id, "id")
            if owner is not None and owner != key:
                raise Conflict.field("name", f"another runbook is named '{spec.name}'")
            saved = await store.replace_runbook(conn, key, spec)
            if saved is None:
                raise NotFound(f"no runbook {spec.id}")
            return saved
        if owner is not None:
            raise Conflict.field("name", f"a runbook named '{spec.name}' exists")
        try:
            async with conn.begin_nested():
                return await store.insert_runbook(conn, spec)
        except IntegrityError:
            raise Conflict.field("name", f"a runbook named '{spec.name}' exists") from None

    async def get(self, query: GetRunbook) -> RunbookView:
        async with self.engine.connect() as conn:
            runbook = await store.get_runbook(conn, query.id)
        if runbook is None:
            raise NotFound(f"no runbook {query.id}")
        return RunbookView(runbook=runbook)

    async def list(self, query: ListRunbooks) -> RunbookList:
        async with self.engine.connect() as conn:
            return RunbookList(runbooks=await store.list_runbooks(conn, query.service))

    async def delete(self, cmd: DeleteRunbook) -> RunbookView:
        """Delete a runbook; incidents that used it keep their step history."""
        async with self.engine.begin() as conn:
            runbook = await store.get_runbook(conn, cmd.id)
            if runbook is None:
                raise NotFound(f"no runbook {cmd.id}")
            await store.delete_runbook(conn, uuid.UUID(runbook.id))
        return RunbookView(runbook=runbook)

    async def import_yaml(self, cmd: ImportRunbooks) -> RunbookList:
        """Create or update runbooks by name, all or nothing; one equal to the stored runbook
        is left as it is. Safe to run twice; ``dry_run`` only says what would change."""
        specs = [*(parse_yaml(cmd.yaml) if cmd.yaml.strip() else []), *cmd.runbooks]
        if not specs:
            raise Invalid.field("runbooks", "give at least one runbook")
        seen: set[str] = set()
        for index, spec in enumerate(specs):
            domain.validate_runbook(spec, f"runbooks[{index}].")
            name = spec.name.strip().lower()
            if name in seen:
                raise Invalid.field(f"runbooks[{index}].name", f"'{spec.name}' is given twice")
            seen.add(name)
        async with self.engine.begin() as conn:
            saved: list[RunbookSpec] = []
            changes: list[CatalogChange] = []
            for spec in specs:
                existing = await store.runbook_id_by_name(conn, spec.name)
                current = await store.get_runbook(conn, str(existing)) if existing else None
                fields = domain.changed_runbook_fields(current, spec)
                action = "create" if current is None else ("update" if fields else "unchanged")
                changes.append(
                    CatalogChange(
                        kind="runbook",
                        name=spec.name,
                        action=action,  # type: ignore[arg-type]  # one of the three above
                        fields=fields,
                    )
                )
                if cmd.dry_run or (current is not None and not fields):
                    saved.append(current or spec)
                    continue
                spec = msgspec.structs.replace(spec, id=str(existing) if existing else "")
                saved.append(await self._save(conn, spec))
        return RunbookList(runbooks=saved, changes=changes)

    async def match(self, query: MatchRunbook) -> RunbookList:
        """Runbooks fitting an incident, best first; those whose stored pattern the engine
        refuses are reported and never match."""
        async with self.engine.connect() as conn:
            every = await store.list_runbooks(conn)
        await self.refused.review(domain.stored_patterns(every))
        return RunbookList(
            runbooks=domain.match_runbooks(every, query.service, query.title, query.severity)
        )

    async def match_for(
        self, conn: AsyncConnection, incident: IncidentSnapshot
    ) -> RunbookSpec | None:
        """The best runbook for a new incident (inside the caller's transaction)."""
        every = await store.list_runbooks(conn)
        await self.refused.review(domain.stored_patterns(every))
        ranked = domain.match_runbooks(
            every,
            incident.service.name,
            incident.title,
            incident.severity,
        )
        return ranked[0] if ranked else None

    # -- execution ----------------------------------------------------------------------------

    async def progress(self, query: GetProgress) -> RunbookProgress:
        """The incident's runbook and where each step stands."""
        async with self.engine.connect() as conn:
            doc = await _document(conn, query.incident)
            return await self._progress(conn, doc)

    async def attach(self, cmd: AttachRunbook) -> RunbookProgress:
        """Use another runbook for the incident; refused once one of its steps was run."""
        async with self.engine.begin() as conn:
            doc = await _document(conn, cmd.incident, for_update=True)
            runbook = await store.get_runbook(conn, cmd.runbook_id)
            if runbook is None:
                raise Invalid.field("runbook_id", f"no runbook {cmd.runbook_id}")
            changes = doc.runbook_id is not None and str(doc.runbook_id) != runbook.id
            if changes and await store.any_step_run(conn, doc.incident_id):
                raise Conflict("steps of the current runbook were run already")
            doc = await store.update_document(conn, doc.id, runbook_id=uuid.UUID(runbook.id))
            return await self._progress(conn, doc)

    async def run_step(self, cmd: RunStep) -> RunbookProgress:
        """Start, finish or skip a step; published as runbooks.step_executed.v1 and added to
        the LID and the war room in the same transaction. Not idempotent by design: finishing
        a finished step is a conflict."""
        now = self.clock()
        async with self.engine.begin() as conn:
            doc = await _document(conn, cmd.incident, for_update=True)
            if doc.runbook_id is None:
                raise Conflict("no runbook is attached to this incident")
            runbook = await store.get_runbook(conn, str(doc.runbook_id))
            if runbook is None:
                raise Conflict("the runbook of this incident was deleted")
            known = await store.step_states(conn, doc.incident_id, doc.runbook_id)
            state = domain.apply_step(
                runbook,
                known,
                cmd.step,
                cmd.action,
                actor=cmd.actor,
                note=cmd.note,
                confirm=cmd.confirm,
                now=now,
            )
            await store.save_step(conn, doc.incident_id, doc.runbook_id, state, cmd.confirm)
            outcome = state.status
            incident_id = str(doc.incident_id)
            event = RunbookStepExecuted(
                event_id=new_event_id(),
                occurred_at=now,
                incident_id=incident_id,
                runbook_id=runbook.id,
                runbook_name=runbook.name,
                step=cmd.step,
                title=state.title,
                outcome=outcome,  # type: ignore[arg-type]  # a step's status
                actor=cmd.actor,
                note=cmd.note,
                confirmed=cmd.confirm,
            )
            message = domain.step_message(runbook, state, outcome)
            item = Item(
                key=event.event_id, at=now, kind="RUNBOOK_STEP", message=message, actor=cmd.actor
            )
            await store.add_item(conn, incident_id, item)
            room = await store.get_room(conn, incident_id)
            if room is not None and room.status in ("pending", "open"):
                by = f" by {cmd.actor}" if cmd.actor else ""
                await store.add_post(conn, incident_id, f":white_check_mark: {message}{by}")
            await emit(conn, outbox, [event])
            progress = await self._progress(conn, doc)
        self._on_commit()
        return progress

    async def _progress(self, conn: AsyncConnection, doc: store.Record) -> RunbookProgress:
        incident_id = str(doc.incident_id)
        if doc.runbook_id is None:
            return RunbookProgress(incident_id=incident_id)
        runbook = await store.get_runbook(conn, str(doc.runbook_id))
        if runbook is None:
            return RunbookProgress(incident_id=incident_id)
        known = await store.step_states(conn, doc.incident_id, doc.runbook_id)
        states = domain.step_states(runbook, known)
        states = [
            msgspec.structs.replace(
                s,
                title=spec.title,
                critical=spec.critical,
                requires_confirmation=spec.requires_confirmation,
            )
            for s, spec in zip(states, runbook.steps, strict=True)
        ]
        return RunbookProgress(
            incident_id=incident_id,
            runbook=runbook,
            steps=states,
            next_step=domain.next_step(states),
        )


async def _document(conn: AsyncConnection, ref: str, *, for_update: bool = False) -> store.Record:
    doc = await store.find_document(conn, ref, for_update=for_update)
    if doc is None:
        raise NotFound(f"no incident {ref}")
    return doc


def _key(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid.field(field, "must be a UUID") from None


def parse_yaml(text: str) -> list[RunbookSpec]:
    """Runbooks from YAML: ``runbooks: [...]``, a list, or one runbook (checked by the
    import, which names each refused field)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid.field("yaml", f"not valid YAML: {exc}") from None
    except RecursionError:  # PyYAML reads nested collections recursively
        raise Invalid.field("yaml", "nested too deeply to be runbooks") from None
    if isinstance(data, dict) and "runbooks" in data:
        data = data["runbooks"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise Invalid.field("yaml", "expected a list of runbooks or 'runbooks: [...]'")
    try:
        return msgspec.convert(data, list[RunbookSpec], strict=False)
    except msgspec.ValidationError as exc:
        raise Invalid.field("yaml", str(exc)) from None
