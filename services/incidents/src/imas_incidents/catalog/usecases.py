"""Use cases of the catalog: apply a whole file, or read and change one entry at a time.

Every change is published as ``catalog.changed.v1`` through the outbox, in the transaction that
makes it, so other services' projections follow the catalog exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from imas_contracts import Event, FieldError, new_event_id
from imas_contracts.catalog import (
    CatalogChange,
    CatalogEntries,
    DeleteCatalogEntry,
    DeleteTagRule,
    ListCatalog,
    ListTagRules,
    SaveCatalogEntry,
    SaveTagRule,
    ServiceEntry,
    SetServiceMaintenance,
    TagRuleEntry,
    TagRuleList,
    TeamFields,
)
from imas_contracts.incidents import ApplyCatalog, CatalogApplied, CatalogChanged, TeamSpec
from imas_incidents.catalog import domain as rules
from imas_incidents.catalog import store
from imas_incidents.domain import diff_fields
from imas_incidents.models import outbox
from imas_runtime.errors import Conflict, Invalid, NotFound
from imas_runtime.outbox import emit
from imas_runtime.windows import in_maintenance

_ENTRY: dict[str, Callable[[Any], Any]] = {
    "team": rules.team_entry,
    "service": rules.service_entry,
    "scope": rules.scope_entry,
    "person": rules.person_entry,
}
_LIST_FIELD = {"team": "teams", "service": "services", "scope": "scopes", "person": "people"}


def _changed(kind: str, action: str, entry_id: uuid.UUID, name: str, data: Any) -> Event:
    return CatalogChanged(
        event_id=new_event_id(),
        occurred_at=datetime.now(UTC),
        kind=kind,  # type: ignore[arg-type]  # a CatalogKind, as stored
        action=action,  # type: ignore[arg-type]  # created, updated or deleted: the callers'
        id=str(entry_id),
        name=name,
        data=data,
    )


def _comparable(row: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {k: row._mapping[k] for k in values}


class CatalogUseCases:
    """Teams, services, impact scopes, people and tag rules."""

    def __init__(self, engine: AsyncEngine, on_commit: Callable[[], None] = lambda: None) -> None:
        self.engine = engine
        self._on_commit = on_commit

    async def apply(self, cmd: ApplyCatalog) -> CatalogApplied:
        """Create or update every entry of the file by its natural key, all or nothing.

        Safe to run twice: unchanged entries are neither written nor published, so the second
        run reports every entry ``unchanged``. ``dry_run`` rolls everything back.
        """
        changes: list[CatalogChange] = []
        events: list[Event] = []
        async with self.engine.connect() as conn, conn.begin() as tx:
            # People first: a team names its manager and members among them.
            for i, person in enumerate(cmd.people):
                values = rules.person_values(person, f"people[{i}].")
                await self._apply_one(conn, "person", values, changes, events)
            for i, team in enumerate(cmd.teams):
                values = rules.team_values(team, f"teams[{i}].")
                values |= await self._team_people(conn, team, f"teams[{i}].")
                await self._apply_one(conn, "team", values, changes, events)
            for i, service in enumerate(cmd.services):
                values = rules.service_values(service, f"services[{i}].")
                values["team_id"] = await self._team_id(conn, service.team, f"services[{i}].team")
                await self._apply_one(conn, "service", values, changes, events)
            for i, scope in enumerate(cmd.scopes):
                values = rules.scope_values(scope, f"scopes[{i}].")
                await self._apply_one(conn, "scope", values, changes, events)
            for i, rule in enumerate(cmd.tag_rules):
                values = rules.tag_rule_values(rule, f"tag_rules[{i}].")
                await self._apply_one(conn, "tag_rule", values, changes, events)
            if cmd.dry_run:
                await tx.rollback()
            else:
                await emit(conn, outbox, events)
        if events and not cmd.dry_run:
            self._on_commit()
        return CatalogApplied(
            teams=len(cmd.teams),
            services=len(cmd.services),
            scopes=len(cmd.scopes),
            people=len(cmd.people),
            tag_rules=len(cmd.tag_rules),
            changes=changes,
            dry_run=cmd.dry_run,
        )

    async def _apply_one(
        self,
        conn: AsyncConnection,
        kind: str,
        values: dict[str, Any],
        changes: list[CatalogChange],
        events: list[Event],
    ) -> None:
        key = store.NATURAL_KEYS[kind][0]
        row = await store.find(conn, kind, values[key])
        name = str(values[key])
        if row is None:
            entry_id = await store.insert_entry(conn, kind, values)
            changes.append(CatalogChange(kind=kind, name=name, action="create"))
        else:
            fields = rules_diff(row, values)
            if not fields:
                changes.append(CatalogChange(kind=kind, name=name, action="unchanged"))
                return
            entry_id = row.id
            await store.update_entry(conn, kind, entry_id, values)
            changes.append(CatalogChange(kind=kind, name=name, action="update", fields=fields))
        if kind in _ENTRY:
            events.append(await self._changed_event(conn, kind, "upserted", entry_id))

    async def _changed_event(
        self, conn: AsyncConnection, kind: str, action: str, entry_id: uuid.UUID
    ) -> Event:
        row = await store.find(conn, kind, str(entry_id))
        entry = _ENTRY[kind](row)
        return _changed(kind, action, entry_id, entry.name, _builtins(entry))

    async def _team_people(
        self, conn: AsyncConnection, spec: TeamSpec | TeamFields, prefix: str = ""
    ) -> dict[str, Any]:
        """``manager_id`` and ``member_ids`` (sorted) of the people a team names by id or
        e-mail; an unknown one is refused, naming the field."""
        manager, members = rules.team_people(spec)
        errors: list[FieldError] = []
        manager_id = None
        if manager is not None:
            manager_id = await self._person_id(conn, manager, f"{prefix}manager", errors)
        member_ids = set()
        for i, member in enumerate(members):
            found = await self._person_id(conn, member, f"{prefix}members[{i}]", errors)
            if found is not None:
                member_ids.add(found)
        if errors:
            raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        return {"manager_id": manager_id, "member_ids": sorted(member_ids)}

    async def _person_id(
        self, conn: AsyncConnection, ref: str, field: str, errors: list[FieldError]
    ) -> Any:
        row = await store.find(conn, "person", ref)
        if row is None:
            errors.append(FieldError(field=field, message=f"unknown person '{ref}'"))
            return None
        return row.id

    async def _team_id(self, conn: AsyncConnection, team: str | None, field: str) -> Any:
        if not team:
            return None
        row = await store.find(conn, "team", team)
        if row is None:
            raise Invalid.field(field, f"unknown team '{team}'")
        return row.id

    async def list_entries(self, query: ListCatalog) -> CatalogEntries:
        """Entries of one kind (or the one named by ``id``). Read only."""
        async with self.engine.connect() as conn:
            if query.id is None:
                rows = await store.entries(conn, query.kind)
            else:
                row = await store.find(conn, query.kind, query.id)
                if row is None:
                    raise NotFound(f"no {query.kind} {query.id}")
                rows = [row]
        return self._entries(query.kind, rows)

    def _entries(self, kind: str, rows: list[Any]) -> CatalogEntries:
        found = [_ENTRY[kind](r) for r in rows]
        if kind == "service":
            found = [_current(e, datetime.now(UTC)) for e in found]
        items: dict[str, Any] = {_LIST_FIELD[kind]: found}
        return CatalogEntries(kind=kind, **items)  # type: ignore[arg-type]  # the query's kind

    async def set_maintenance(self, cmd: SetServiceMaintenance) -> CatalogEntries:
        """Put a service in maintenance from ``since`` (now when None, or planned for later)
        until ``until``, or end it now (``until`` None); published as ``catalog.changed.v1``.
        A window set again replaces the one planned or running. Safe to repeat: the same
        values again write and publish nothing."""
        now = datetime.now(UTC)
        if cmd.until is not None and cmd.until.utcoffset() is None:
            raise Invalid.field("until", "needs a UTC offset (+02:00 or Z)")
        if cmd.until is not None and cmd.until <= now:
            raise Invalid.field("until", "must be in the future")
        if cmd.since is not None and cmd.since.utcoffset() is None:
            raise Invalid.field("starts_at", "needs a UTC offset (+02:00 or Z)")
        if cmd.since is not None and cmd.until is not None and cmd.since >= cmd.until:
            raise Invalid.field("starts_at", "must be before until")
        if len(cmd.reason) > 500:
            raise Invalid.field("reason", "must be at most 500 characters")
        async with self.engine.begin() as conn:
            row = await store.find(conn, "service", cmd.service)
            if row is None:
                raise NotFound(f"no service {cmd.service}")
            ended = row.maintenance_until is None or row.maintenance_until <= now
            running = in_maintenance(row.maintenance_since, row.maintenance_until, now)
            if cmd.until is None:
                since = None
            elif cmd.since is not None and cmd.since > now:
                since = cmd.since  # planned: it begins then
            else:
                # Begun (or beginning now): a running one keeps its start.
                since = row.maintenance_since if running else (cmd.since or now)
            values = {
                "maintenance_until": cmd.until,
                "maintenance_reason": cmd.reason.strip() if cmd.until else "",
                "maintenance_since": since,
            }
            if (cmd.until is None and ended) or not rules_diff(row, values):
                return self._entries("service", [row])
            await store.update_entry(conn, "service", row.id, values)
            await emit(
                conn, outbox, [await self._changed_event(conn, "service", "upserted", row.id)]
            )
            row = await store.find(conn, "service", str(row.id))
        self._on_commit()
        return self._entries("service", [row])

    async def save(self, cmd: SaveCatalogEntry) -> CatalogEntries:
        """Create (no ``id``) or replace (``id``) one entry; a taken name is a conflict.
        Saving the same values twice changes and publishes nothing the second time."""
        async with self.engine.begin() as conn:
            values = await self._values(conn, cmd)
            existing = None
            if cmd.id is not None:
                existing = await store.find(conn, cmd.kind, cmd.id)
                if existing is None:
                    raise NotFound(f"no {cmd.kind} {cmd.id}")
            taken = await store.name_taken(
                conn, cmd.kind, values, existing.id if existing is not None else None
            )
            if taken is not None:
                raise Conflict(
                    f"a {cmd.kind} with this {taken} exists already",
                    [FieldError(field=taken, message="is already used")],
                )
            if existing is None:
                entry_id = await store.insert_entry(conn, cmd.kind, values)
            else:
                entry_id = existing.id
                if not rules_diff(existing, values):
                    return self._entries(cmd.kind, [existing])
                await store.update_entry(conn, cmd.kind, entry_id, values)
            await emit(
                conn, outbox, [await self._changed_event(conn, cmd.kind, "upserted", entry_id)]
            )
            row = await store.find(conn, cmd.kind, str(entry_id))
        self._on_commit()
        return self._entries(cmd.kind, [row])

    async def _values(self, conn: AsyncConnection, cmd: SaveCatalogEntry) -> dict[str, Any]:
        spec = getattr(cmd, cmd.kind)
        if spec is None:
            raise Invalid.field(cmd.kind, f"the {cmd.kind}'s fields are required")
        if cmd.kind == "team":
            return rules.team_values(spec) | await self._team_people(conn, spec)
        if cmd.kind == "service":
            values = rules.service_values(spec)
            values["team_id"] = await self._team_id(conn, spec.team, "team")
            return values
        if cmd.kind == "scope":
            return rules.scope_values(spec)
        return rules.person_values(spec)

    async def delete(self, cmd: DeleteCatalogEntry) -> CatalogEntries:
        """Delete one entry and publish it. A service with incidents is refused (deactivate it
        with ``active: false``); a team's services lose their owner; a person's teams lose
        their manager or member (and are published again)."""
        async with self.engine.begin() as conn:
            row = await store.find(conn, cmd.kind, cmd.id)
            if row is None:
                raise NotFound(f"no {cmd.kind} {cmd.id}")
            if cmd.kind == "service" and await store.service_has_incidents(conn, row.id):
                raise Conflict(
                    f"service '{row.name}' has incidents; set active to false instead",
                    [FieldError(field="id", message="service has incidents")],
                )
            entries = self._entries(cmd.kind, [row])
            teams = await store.teams_of_person(conn, row.id) if cmd.kind == "person" else []
            await store.delete_entry(conn, cmd.kind, row.id)
            events = [_changed(cmd.kind, "deleted", row.id, row.name, {})]
            # The teams the person managed or belonged to changed too: readers must not page
            # someone who left the catalog.
            events += [await self._changed_event(conn, "team", "upserted", t) for t in teams]
            await emit(conn, outbox, events)
        self._on_commit()
        return entries

    # -- tag rules, one at a time ------------------------------------------------------------

    async def list_tag_rules(self, query: ListTagRules) -> TagRuleList:
        """Every tag rule by tag, or the one ``id`` names. Read only."""
        async with self.engine.connect() as conn:
            if not query.id:
                return _tag_rules(await store.entries(conn, "tag_rule"))
            return _tag_rules([await self._tag_rule(conn, query.id)])

    async def save_tag_rule(self, cmd: SaveTagRule) -> TagRuleList:
        """Create or replace a tag rule; new incidents are tagged by it at once. Saving the
        same values twice writes nothing the second time."""
        values = rules.tag_rule_values(cmd.rule)
        async with self.engine.begin() as conn:
            existing = await self._tag_rule(conn, cmd.id) if cmd.id else None
            except_id = existing.id if existing is not None else None
            if await store.name_taken(conn, "tag_rule", values, except_id) is not None:
                raise Conflict(
                    f"a tag rule for '{values['tag']}' exists already",
                    [FieldError(field="tag", message="is already used")],
                )
            if existing is None:
                entry_id = await store.insert_entry(conn, "tag_rule", values)
            elif rules_diff(existing, values):
                entry_id = existing.id
                await store.update_entry(conn, "tag_rule", entry_id, values)
            else:
                return _tag_rules([existing])
            row = await store.find(conn, "tag_rule", str(entry_id))
        self._on_commit()
        return _tag_rules([row])

    async def delete_tag_rule(self, cmd: DeleteTagRule) -> TagRuleList:
        """Delete a tag rule; incidents already tagged keep their tags."""
        async with self.engine.begin() as conn:
            row = await self._tag_rule(conn, cmd.id)
            await store.delete_entry(conn, "tag_rule", row.id)
        self._on_commit()
        return _tag_rules([row])

    @staticmethod
    async def _tag_rule(conn: AsyncConnection, ref: str) -> Any:
        row = await store.find(conn, "tag_rule", ref)
        if row is None:
            raise NotFound(f"no tag rule {ref}")
        return row


def _tag_rules(rows: list[Any]) -> TagRuleList:
    return TagRuleList(
        rules=[TagRuleEntry(id=str(r.id), tag=r.tag, pattern=r.pattern) for r in rows]
    )


# Columns named as the catalog's fields are (a team's people are given by id or e-mail).
_FIELD_NAMES = {"manager_id": "manager", "member_ids": "members"}


def rules_diff(row: Any, values: dict[str, Any]) -> list[str]:
    return [_FIELD_NAMES.get(f, f) for f in diff_fields(_comparable(row, values), values)]


def _current(entry: ServiceEntry, now: datetime) -> ServiceEntry:
    """A service whose maintenance has ended shows none (a planned one shows)."""
    until = entry.maintenance_until
    if until is None or until > now:
        return entry
    return msgspec.structs.replace(
        entry, maintenance_until=None, maintenance_reason="", maintenance_since=None
    )


def _builtins(entry: Any) -> dict[str, object]:
    data: dict[str, object] = msgspec.to_builtins(entry)
    return data
