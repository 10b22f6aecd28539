"""Catalog messages owned by the incidents service: people, tag rules, and catalog CRUD.

Teams, services and impact scopes were declared first in :mod:`imas_contracts.incidents`
(``TeamSpec``, ``ServiceSpec``, ``ScopeSpec``, ``ApplyCatalog``); this module adds the rest of
the catalog and the request/reply messages that read and change it one entry at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Message, Request

CatalogKind = Literal["team", "service", "scope", "person"]
CATALOG_KINDS: tuple[str, ...] = ("team", "service", "scope", "person")


class Ref(msgspec.Struct, frozen=True, kw_only=True):
    """A catalog entity by id and name (a service, a team, an impact scope, a person)."""

    id: str
    name: str


class ContactMethod(msgspec.Struct, frozen=True, kw_only=True):
    """One way to reach a person: ``type`` is a channel (email, sms, phone, slack, ...)."""

    type: str
    address: str


class PersonSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A person who can be paged; identified by ``email`` when a catalog is applied.

    ``roles`` are free words (``cto``, ``ciso``, ``dpo``, stored in lower case) that
    escalation steps target: a step for the role ``cto`` pages everyone holding it."""

    name: str
    email: str
    phone: str | None = None
    chat_user_ids: dict[str, str] = {}
    time_zone: str = "UTC"
    contact_methods: list[ContactMethod] = []
    roles: list[str] = []


class TagRuleSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Tag every new incident whose title matches ``pattern`` (a case-insensitive regex)."""

    tag: str
    pattern: str


class TeamEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A team as stored: ``slug`` is unique and URL-safe; ``manager`` and ``members`` are
    people of the catalog (members ordered by name)."""

    id: str
    name: str
    slug: str
    email: str | None = None
    chat_channel: str | None = None
    manager: Ref | None = None
    members: list[Ref] = []


class ServiceEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A service as stored; ``criticality_tier`` 1 is the most critical."""

    id: str
    name: str
    description: str = ""
    team: Ref | None = None
    criticality_tier: int = 3
    runbook_url: str | None = None
    repository_url: str | None = None
    monitoring_url: str | None = None
    active: bool = True
    # In maintenance from ``maintenance_since`` until ``maintenance_until`` (None: none now
    # nor planned): its alerts are suppressed, and the pages and escalation steps of its open
    # incidents wait for the end.
    maintenance_until: datetime | None = None
    maintenance_reason: str = ""
    # When the maintenance began, or begins when it is planned (None when there is none).
    maintenance_since: datetime | None = None


class ScopeEntry(msgspec.Struct, frozen=True, kw_only=True):
    """An impact scope with the addresses that must hear of every incident touching it."""

    id: str
    name: str
    mandatory_emails: list[str] = []


class PersonEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A person as stored (``roles`` in lower case)."""

    id: str
    name: str
    email: str
    phone: str | None = None
    chat_user_ids: dict[str, str] = {}
    time_zone: str = "UTC"
    contact_methods: list[ContactMethod] = []
    roles: list[str] = []


class CatalogEntries(Message, frozen=True, kw_only=True, tag="incidents.catalog.entries.v1"):
    """Catalog entries of one kind (only the list of that kind is filled)."""

    kind: CatalogKind
    teams: list[TeamEntry] = []
    services: list[ServiceEntry] = []
    scopes: list[ScopeEntry] = []
    people: list[PersonEntry] = []


class ListCatalog(Request, frozen=True, kw_only=True, tag="incidents.catalog.list.v1"):
    """Every entry of one kind, ordered by name; ``id`` narrows to one entry (NotFound if none).

    ``id`` also accepts the entry's name (a team's slug, a person's email)."""

    reply_type: ClassVar[type[Message]] = CatalogEntries

    kind: CatalogKind
    id: str | None = None


class TeamFields(msgspec.Struct, frozen=True, kw_only=True):
    """A team's editable fields; an empty ``slug`` is derived from the name. ``manager`` and
    each of ``members`` name a person of the catalog by id or e-mail."""

    name: str
    slug: str = ""
    email: str | None = None
    chat_channel: str | None = None
    manager: str | None = None
    members: list[str] = []


class ServiceFields(msgspec.Struct, frozen=True, kw_only=True):
    """A service's editable fields; ``team`` is the owner team's name, slug or id."""

    name: str
    description: str = ""
    team: str | None = None
    criticality_tier: int = 3
    runbook_url: str | None = None
    repository_url: str | None = None
    monitoring_url: str | None = None
    active: bool = True


class ScopeFields(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    mandatory_emails: list[str] = []


class SaveCatalogEntry(Request, frozen=True, kw_only=True, tag="incidents.catalog.save.v1"):
    """Create (``id`` absent) or replace (``id`` given) one catalog entry.

    Exactly the fields of ``kind`` must be given. Creating a name that exists is a conflict;
    a change is published as ``catalog.changed.v1``. Answers the saved entry.
    """

    reply_type: ClassVar[type[Message]] = CatalogEntries

    kind: CatalogKind
    id: str | None = None
    team: TeamFields | None = None
    service: ServiceFields | None = None
    scope: ScopeFields | None = None
    person: PersonSpec | None = None
    actor: str | None = None


class DeleteCatalogEntry(Request, frozen=True, kw_only=True, tag="incidents.catalog.delete.v1"):
    """Delete one catalog entry (a service with incidents is refused: deactivate it instead).

    Answers the deleted entry; publishes ``catalog.changed.v1`` with action ``deleted``."""

    reply_type: ClassVar[type[Message]] = CatalogEntries

    kind: CatalogKind
    id: str
    actor: str | None = None


class CatalogChange(msgspec.Struct, frozen=True, kw_only=True):
    """What applying a catalog did (or, in a dry run, would do) to one entry."""

    kind: str
    name: str
    action: Literal["create", "update", "unchanged"]
    fields: list[str] = []


class TagRuleEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A tag rule as stored (``tag`` in lower case)."""

    id: str
    tag: str
    pattern: str


class TagRuleList(Message, frozen=True, kw_only=True, tag="incidents.tag_rules.v1"):
    """Tag rules ordered by tag (the one a request named, for a single rule)."""

    rules: list[TagRuleEntry] = []


class ListTagRules(Request, frozen=True, kw_only=True, tag="incidents.tag_rules.list.v1"):
    """Every tag rule; ``id`` (an id or a tag) narrows to one (NotFound if none)."""

    reply_type: ClassVar[type[Message]] = TagRuleList

    id: str = ""


class SaveTagRule(Request, frozen=True, kw_only=True, tag="incidents.tag_rules.save.v1"):
    """Create (``id`` empty) or replace one tag rule. A tag another rule has is a conflict;
    a pattern the engine refuses is ``invalid`` naming ``pattern``. Answers the saved rule."""

    reply_type: ClassVar[type[Message]] = TagRuleList

    id: str = ""
    rule: TagRuleSpec
    actor: str | None = None


class DeleteTagRule(Request, frozen=True, kw_only=True, tag="incidents.tag_rules.delete.v1"):
    """Delete one tag rule (by id or tag); answers the deleted rule."""

    reply_type: ClassVar[type[Message]] = TagRuleList

    id: str
    actor: str | None = None


class SetServiceMaintenance(
    Request, frozen=True, kw_only=True, tag="incidents.catalog.service_maintenance.v1"
):
    """Put a service (by id or name) in maintenance from ``since`` (None: now; a later time
    plans it) until ``until`` (in the future, after ``since``), or end its maintenance now
    (``until`` None). Publishes ``catalog.changed.v1`` for the service; answers it. Safe to
    repeat (the same window again changes nothing)."""

    reply_type: ClassVar[type[Message]] = CatalogEntries

    service: str
    until: datetime | None = None
    reason: str = ""
    actor: str | None = None
    since: datetime | None = None


REQUESTS: tuple[type[Request], ...] = (
    SetServiceMaintenance,
    ListCatalog,
    SaveCatalogEntry,
    DeleteCatalogEntry,
    ListTagRules,
    SaveTagRule,
    DeleteTagRule,
)
