"""Messages owned by the incidents service: the incident lifecycle and the catalog."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec

Severity = Literal["SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM", "SEV4_LOW"]
Status = Literal["TRIGGERED", "ACKNOWLEDGED", "MITIGATED", "RESOLVED"]
Source = Literal["api", "ui", "chat", "alert", "system"]
SEVERITIES: tuple[str, ...] = ("SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM", "SEV4_LOW")
STATUSES: tuple[str, ...] = ("TRIGGERED", "ACKNOWLEDGED", "MITIGATED", "RESOLVED")


class Ref(msgspec.Struct, frozen=True, kw_only=True):
    """A catalog entity by id and name (a service, a team, an impact scope, a person)."""

    id: str
    name: str


class IncidentSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """The state of an incident that consumers need, carried in every lifecycle event."""

    id: str
    short_id: str
    title: str
    description: str = ""
    service: Ref
    team: Ref | None = None
    severity: Severity
    status: Status
    dedup_key: str = ""
    alert_count: int = 1
    lead: str | None = None
    impacted_scopes: list[Ref] = []
    tags: list[str] = []
    lid_link: str | None = None
    war_room_link: str | None = None
    detected_at: datetime
    created_at: datetime
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    mttd_seconds: float | None = None
    mtta_seconds: float | None = None
    mttr_seconds: float | None = None


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One line of an incident's timeline."""

    id: str
    type: str
    message: str
    actor: str | None = None
    source: Source = "system"
    created_at: datetime


class IncidentView(Message, frozen=True, kw_only=True, tag="incidents.incident.v1"):
    """An incident as answered to queries: its snapshot and timeline."""

    incident: IncidentSnapshot
    timeline: list[TimelineEntry] = []


# -- events -------------------------------------------------------------------------------------


class IncidentTriggered(Event, frozen=True, kw_only=True, tag="incidents.triggered.v1"):
    """A new incident was opened (status TRIGGERED). Starts paging, escalation and the war room."""

    incident: IncidentSnapshot
    source: Source = "api"


class IncidentAlertAttached(Event, frozen=True, kw_only=True, tag="incidents.alert_attached.v1"):
    """Another alert arrived for an open incident; its occurrence count went up."""

    incident_id: str
    alert_count: int
    source: Source = "alert"


class IncidentAcknowledged(Event, frozen=True, kw_only=True, tag="incidents.acknowledged.v1"):
    """Someone took the incident: escalation stops."""

    incident: IncidentSnapshot
    actor: str | None = None
    source: Source = "api"
    note: str = ""


class IncidentMitigated(Event, frozen=True, kw_only=True, tag="incidents.mitigated.v1"):
    """The impact is reduced; the incident stays open."""

    incident: IncidentSnapshot
    actor: str | None = None
    source: Source = "api"
    note: str = ""


class IncidentResolved(Event, frozen=True, kw_only=True, tag="incidents.resolved.v1"):
    """The incident is over."""

    incident: IncidentSnapshot
    actor: str | None = None
    source: Source = "api"
    note: str = ""


class IncidentReopened(Event, frozen=True, kw_only=True, tag="incidents.reopened.v1"):
    """A resolved incident went back to TRIGGERED by an explicit action."""

    incident: IncidentSnapshot
    actor: str | None = None
    source: Source = "api"
    note: str = ""


class IncidentUpdated(Event, frozen=True, kw_only=True, tag="incidents.updated.v1"):
    """Editable fields changed (severity, lead, scopes, title, description, tags, links)."""

    incident: IncidentSnapshot
    changed: list[str]
    actor: str | None = None
    source: Source = "api"


class CatalogChanged(Event, frozen=True, kw_only=True, tag="catalog.changed.v1"):
    """A catalog entity was created, updated or deleted; readers refresh their projection."""

    kind: Literal["team", "service", "scope", "person"]
    action: Literal["upserted", "deleted"]
    id: str
    name: str
    data: dict[str, object] = {}


# -- requests -----------------------------------------------------------------------------------


class OpenOrAttachReply(
    Message, frozen=True, kw_only=True, tag="incidents.open_or_attach.reply.v1"
):
    """``created`` is true when a new incident was opened, false when the alert was attached."""

    created: bool
    incident: IncidentSnapshot


class OpenOrAttach(Request, frozen=True, kw_only=True, tag="incidents.open_or_attach.v1"):
    """Open a new incident, or attach to the open one with the same (service, dedup key).

    Atomic under any concurrency. Without a dedup key the service alone is the key.
    Answers :class:`OpenOrAttachReply` or an ``ErrorReply`` (``invalid`` naming ``service_name``).
    """

    reply_type: ClassVar[type[Message]] = OpenOrAttachReply

    title: str
    description: str = ""
    service_name: str
    severity: Severity
    dedup_key: str = ""
    detected_at: datetime | None = None
    source: Source = "api"
    alert_source: str = "api"
    actor: str | None = None
    tags: list[str] = []
    impacted_scopes: list[str] = []


class GetIncident(Request, frozen=True, kw_only=True, tag="incidents.get.v1"):
    """Fetch one incident with its timeline. ``id`` is the UUID, the short id or INC-<short id>."""

    reply_type: ClassVar[type[Message]] = IncidentView

    id: str


class CatalogApplied(Message, frozen=True, kw_only=True, tag="incidents.catalog_applied.v1"):
    """How many catalog entities an :class:`ApplyCatalog` created or updated."""

    teams: int
    services: int
    scopes: int


class TeamSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    slack_channel: str | None = None
    email: str | None = None


class ServiceSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    team: str | None = None
    description: str = ""


class ScopeSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    mandatory_emails: list[str] = []


class ApplyCatalog(Request, frozen=True, kw_only=True, tag="incidents.catalog.apply.v1"):
    """Create or update teams, services and impact scopes by name (idempotent)."""

    reply_type: ClassVar[type[Message]] = CatalogApplied

    teams: list[TeamSpec] = []
    services: list[ServiceSpec] = []
    scopes: list[ScopeSpec] = []


EVENTS: tuple[type[Event], ...] = (
    IncidentTriggered,
    IncidentAlertAttached,
    IncidentAcknowledged,
    IncidentMitigated,
    IncidentResolved,
    IncidentReopened,
    IncidentUpdated,
)
CATALOG_EVENTS: tuple[type[Event], ...] = (CatalogChanged,)
REQUESTS: tuple[type[Request], ...] = (OpenOrAttach, GetIncident, ApplyCatalog)

INCIDENTS_STREAM = StreamSpec(
    name="INCIDENTS",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="Incident lifecycle events, published by the incidents service",
)
CATALOG_STREAM = StreamSpec(
    name="CATALOG",
    subjects=tuple(e.type_name() for e in CATALOG_EVENTS),
    description="Catalog changes (teams, services, scopes, people)",
    max_age_seconds=365 * 24 * 3600,
)
