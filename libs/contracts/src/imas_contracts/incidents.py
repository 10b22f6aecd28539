"""Messages owned by the incidents service: the incident lifecycle and the catalog."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts import catalog, changes, kpis
from imas_contracts._base import Event, Message, Request, StreamSpec
from imas_contracts.catalog import CatalogChange, PersonSpec, TagRuleSpec
from imas_contracts.catalog import Ref as Ref

Severity = Literal["SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM", "SEV4_LOW"]
Status = Literal["TRIGGERED", "ACKNOWLEDGED", "MITIGATED", "RESOLVED"]
# ``sms``, ``voice``, ``email``, ``ntfy``: the person paged answered the page where it arrived
# (docs/acknowledge-anywhere.md).
Source = Literal["api", "ui", "chat", "alert", "system", "sms", "voice", "email", "ntfy"]
SEVERITIES: tuple[str, ...] = ("SEV1_CRITICAL", "SEV2_HIGH", "SEV3_MEDIUM", "SEV4_LOW")
# ``actor_id`` fields: who acts, as the gateway authenticated them, never a name anyone can
# choose: ``user:<user id>`` for a person (signed in, or through a token of theirs), else
# ``token:<token id>``; "" when the caller is not a person or token of IMAS.
ACTOR_ID = "user:<id> | token:<id>"
STATUSES: tuple[str, ...] = ("TRIGGERED", "ACKNOWLEDGED", "MITIGATED", "RESOLVED")


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
    """One line of an incident's timeline. ``actor`` is who acted as shown to people;
    ``actor_id`` who it was: ``user:<id>`` or ``token:<id>`` (see :data:`ACTOR_ID`), None for
    the system, chat users and lines written before identities were recorded."""

    id: str
    type: str
    message: str
    actor: str | None = None
    source: Source = "system"
    created_at: datetime
    actor_id: str | None = None


class IncidentView(Message, frozen=True, kw_only=True, tag="incidents.incident.v1"):
    """An incident as answered to queries: its snapshot and timeline."""

    incident: IncidentSnapshot
    timeline: list[TimelineEntry] = []


# -- events -------------------------------------------------------------------------------------


class IncidentTriggered(Event, frozen=True, kw_only=True, tag="incidents.triggered.v1"):
    """A new incident was opened (status TRIGGERED). Starts paging, escalation and the war room."""

    incident: IncidentSnapshot
    source: Source = "api"
    # Opened while its service is in maintenance (by hand: alerts are suppressed then): its
    # pages and escalation wait until ``held_until``; ``held_by`` names the window.
    held_until: datetime | None = None
    held_by: str = ""


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
    """``created`` is true when a new incident was opened, false when the alert was attached.
    ``held_until``: the incident was opened while its service is in maintenance (``held_by``
    names it), and nobody is paged about it before then."""

    created: bool
    incident: IncidentSnapshot
    held_until: datetime | None = None
    held_by: str = ""


class OpenOrAttach(Request, frozen=True, kw_only=True, tag="incidents.open_or_attach.v1"):
    """Open a new incident, or attach to the open one with the same (service, dedup key).

    Atomic under any concurrency. Without a dedup key the service alone is the key.
    Answers :class:`OpenOrAttachReply` or an ``ErrorReply`` (``invalid`` naming ``service_name``;
    ``conflict`` when its ``idempotency_key`` was voided by :class:`SettleCounts`).
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
    # How many identical alerts this one call stands for (ingest coalesces alert storms).
    occurrences: int = 1
    # Set by a caller that may send the same occurrences again when an answer is lost (ingest's
    # storm flusher): a repeat counts nothing more and answers the incident the first counted on.
    idempotency_key: str = ""
    actor_id: str = ""


class CountsSettled(Message, frozen=True, kw_only=True, tag="incidents.counts.settle.reply.v1"):
    """Per idempotency key asked about: what its count went to (``counted``), or that it was
    never counted and now never will be (``voided``)."""

    counted: dict[str, OpenOrAttachReply] = {}
    voided: list[str] = []


class SettleCounts(Request, frozen=True, kw_only=True, tag="incidents.counts.settle.v1"):
    """Settle open-or-attach idempotency keys (ingest's storm flushes, ``<epoch>:<key>``,
    at most 1,000) whose answer the caller lost with its Redis data: for each, the incident
    it was counted on, or, when nothing was counted under it, a promise that nothing ever
    will be (an :class:`OpenOrAttach` under a voided key then answers ``conflict``), so the
    caller may count those occurrences again under a new key, exactly once. Safe to repeat:
    a key's answer never changes."""

    reply_type: ClassVar[type[Message]] = CountsSettled

    keys: list[str]


class GetIncident(Request, frozen=True, kw_only=True, tag="incidents.get.v1"):
    """Fetch one incident with its timeline. ``id`` is the UUID, the short id or INC-<short id>."""

    reply_type: ClassVar[type[Message]] = IncidentView

    id: str
    timeline_order: Literal["asc", "desc"] = "asc"


class CatalogApplied(Message, frozen=True, kw_only=True, tag="incidents.catalog_applied.v1"):
    """How many catalog entities an :class:`ApplyCatalog` created or updated."""

    teams: int
    services: int
    scopes: int
    people: int = 0
    tag_rules: int = 0
    changes: list[CatalogChange] = []
    dry_run: bool = False


class TeamSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A team; ``slack_channel`` is its chat channel (any platform), ``slug`` derived if empty.

    ``manager`` and each of ``members`` name a person by id or e-mail: one of the file's
    people or one already in the catalog."""

    name: str
    slack_channel: str | None = None
    email: str | None = None
    slug: str = ""
    manager: str | None = None
    members: list[str] = []


class ServiceSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A service; ``team`` names its owner team; ``criticality_tier`` 1 is the most critical."""

    name: str
    team: str | None = None
    description: str = ""
    criticality_tier: int = 3
    runbook_url: str | None = None
    repository_url: str | None = None
    monitoring_url: str | None = None
    active: bool = True


class ScopeSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    mandatory_emails: list[str] = []


class ApplyCatalog(Request, frozen=True, kw_only=True, tag="incidents.catalog.apply.v1"):
    """Create or update people (by email), teams, services, impact scopes (by name) and tag
    rules (by tag), in that order, as one transaction (idempotent: applying twice changes
    nothing the second time). With ``dry_run`` nothing is written; the reply's ``changes`` say
    what would change."""

    reply_type: ClassVar[type[Message]] = CatalogApplied

    teams: list[TeamSpec] = []
    services: list[ServiceSpec] = []
    scopes: list[ScopeSpec] = []
    people: list[PersonSpec] = []
    tag_rules: list[TagRuleSpec] = []
    dry_run: bool = False


class IncidentSeverityChanged(
    Event, frozen=True, kw_only=True, tag="incidents.severity_changed.v1"
):
    """The severity of an incident changed (also reported in ``incidents.updated``)."""

    incident: IncidentSnapshot
    previous: Severity
    actor: str | None = None
    source: Source = "api"


# -- lifecycle, edits, lists and comments -------------------------------------------------------

Action = Literal["acknowledge", "mitigate", "resolve", "reopen"]


class TransitionIncident(Request, frozen=True, kw_only=True, tag="incidents.transition.v1"):
    """Move an incident through its lifecycle.

    acknowledge: TRIGGERED → ACKNOWLEDGED; mitigate: TRIGGERED/ACKNOWLEDGED → MITIGATED;
    resolve: any open state → RESOLVED; reopen: RESOLVED → TRIGGERED. Anything else answers
    ``conflict`` and changes nothing. Answers the incident with its timeline.
    """

    reply_type: ClassVar[type[Message]] = IncidentView

    id: str
    action: Action
    note: str = ""
    actor: str | None = None
    source: Source = "api"
    actor_id: str = ""


class TransitionOpenIncident(
    Request, frozen=True, kw_only=True, tag="incidents.transition_open.v1"
):
    """Move the open incident of (service, dedup key) through its lifecycle, as
    :class:`TransitionIncident` does; for an alert's own ``resolved`` (or acknowledged) state,
    which knows its key, not the incident. Answers ``not_found`` when no incident is open for
    the key, ``invalid`` naming ``service_name`` for a service the catalog does not know.
    """

    reply_type: ClassVar[type[Message]] = IncidentView

    service_name: str
    dedup_key: str = ""
    action: Action
    note: str = ""
    actor: str | None = None
    source: Source = "alert"
    actor_id: str = ""


class UpdateIncident(Request, frozen=True, kw_only=True, tag="incidents.update.v1"):
    """Edit an incident; ``None`` leaves a field as it is, ``lead=""`` unassigns the lead.

    ``impacted_scopes`` replaces the list (scope names); tags are added and removed. Each change
    is a timeline event; answers the incident with its timeline.
    """

    reply_type: ClassVar[type[Message]] = IncidentView

    id: str
    title: str | None = None
    description: str | None = None
    severity: Severity | None = None
    lead: str | None = None
    impacted_scopes: list[str] | None = None
    add_tags: list[str] = []
    remove_tags: list[str] = []
    actor: str | None = None
    source: Source = "api"
    actor_id: str = ""


class IncidentPage(Message, frozen=True, kw_only=True, tag="incidents.page.v1"):
    """One page of incidents and how many match in all."""

    count: int
    results: list[IncidentSnapshot] = []


class IncidentStates(Message, frozen=True, kw_only=True, tag="incidents.states.reply.v1"):
    """The current status of each incident asked about, by id; an unknown id is left out."""

    statuses: dict[str, Status] = {}
    # The incidents asked about whose service is in maintenance now, with its end: their
    # pages and escalation steps wait until then.
    maintenance_until: dict[str, datetime] = {}


class GetIncidentStates(Request, frozen=True, kw_only=True, tag="incidents.states.v1"):
    """The current status of each incident of ``ids`` (UUIDs; at most 1,000), read from the
    incidents' own table at the moment of asking: what escalation checks before a step pages,
    since an acknowledgement's event may still be on its way."""

    reply_type: ClassVar[type[Message]] = IncidentStates

    ids: list[str]


class ListIncidents(Request, frozen=True, kw_only=True, tag="incidents.list.v1"):
    """Incidents matching every given filter, ``ordering`` by a field (``-`` for descending).

    ``service`` and ``team`` are names; ``q`` searches title and description.
    """

    reply_type: ClassVar[type[Message]] = IncidentPage

    status: list[Status] = []
    severity: list[Severity] = []
    service: str = ""
    team: str = ""
    tag: str = ""
    q: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None
    ordering: str = "-created_at"
    offset: int = 0
    limit: int = 50


class Comment(msgspec.Struct, frozen=True, kw_only=True):
    """A comment on an incident; only its author edits or deletes it, anyone pins it. The
    author is known by ``author_id`` (see :data:`ACTOR_ID`); ``author`` is their name as
    shown. A comment without ``author_id`` (written before) can be edited by no one."""

    id: str
    incident_id: str
    author: str
    body: str
    pinned: bool = False
    created_at: datetime
    edited_at: datetime | None = None
    author_id: str = ""


class CommentView(Message, frozen=True, kw_only=True, tag="incidents.comment.v1"):
    comment: Comment


class CommentList(Message, frozen=True, kw_only=True, tag="incidents.comment_list.v1"):
    """Comments of an incident, pinned first, then oldest first."""

    results: list[Comment] = []


class AddComment(Request, frozen=True, kw_only=True, tag="incidents.comments.add.v1"):
    """Comment on an incident (a NOTE in its timeline)."""

    reply_type: ClassVar[type[Message]] = CommentView

    id: str
    body: str
    actor: str
    source: Source = "api"
    actor_id: str = ""


class EditComment(Request, frozen=True, kw_only=True, tag="incidents.comments.edit.v1"):
    """Change a comment's body (its author only) and/or pin or unpin it (anyone)."""

    reply_type: ClassVar[type[Message]] = CommentView

    id: str
    comment_id: str
    body: str | None = None
    pinned: bool | None = None
    actor: str
    actor_id: str = ""


class DeleteComment(Request, frozen=True, kw_only=True, tag="incidents.comments.delete.v1"):
    """Delete a comment (its author only); its timeline NOTE says it was deleted."""

    reply_type: ClassVar[type[Message]] = CommentView

    id: str
    comment_id: str
    actor: str
    actor_id: str = ""


class ListComments(Request, frozen=True, kw_only=True, tag="incidents.comments.list.v1"):
    reply_type: ClassVar[type[Message]] = CommentList

    id: str


class PastIncident(msgspec.Struct, frozen=True, kw_only=True):
    """A resolved incident from before IMAS knew of it, with the times it had: ``key`` names
    it for good (its dedup key becomes ``imported:<key>``), ``acknowledged_by`` and
    ``resolved_by`` are who did it, as its timeline shows them."""

    key: str
    title: str
    description: str = ""
    service_name: str
    severity: Severity
    detected_at: datetime
    created_at: datetime
    acknowledged_at: datetime
    resolved_at: datetime
    lead: str | None = None
    acknowledged_by: str | None = None
    resolved_by: str | None = None


class PastIncidentsRecorded(
    Message, frozen=True, kw_only=True, tag="incidents.past.recorded.reply.v1"
):
    """How many incidents a :class:`RecordPastIncidents` recorded, and how many of its keys
    were recorded already (and left as they were)."""

    recorded: int
    existing: int


class RecordPastIncidents(Request, frozen=True, kw_only=True, tag="incidents.past.record.v1"):
    """Record incidents that are over, with the times they had: the demo's history (``imas
    demo``), or an import from another tool, so that lists and KPIs show them. Nothing is
    published: nobody is paged, no escalation starts, no war room opens. Each is stored
    RESOLVED with the tag ``imported`` and timeline lines at its own times saying it was
    imported; a ``key`` recorded already is left as it is, so recording twice changes nothing.
    Not on the public API. Answers ``invalid`` naming the field for an unknown service or
    times out of order (detected ≤ created ≤ acknowledged ≤ resolved ≤ now)."""

    reply_type: ClassVar[type[Message]] = PastIncidentsRecorded

    incidents: list[PastIncident]


class IncidentCommented(Event, frozen=True, kw_only=True, tag="incidents.commented.v1"):
    """A comment was added, edited or deleted (its NOTE line is already on the timeline)."""

    incident_id: str
    short_id: str
    comment: Comment
    change: Literal["added", "edited", "deleted"]
    actor: str
    source: Source = "api"


EVENTS: tuple[type[Event], ...] = (
    IncidentTriggered,
    IncidentAlertAttached,
    IncidentAcknowledged,
    IncidentMitigated,
    IncidentResolved,
    IncidentReopened,
    IncidentUpdated,
    IncidentSeverityChanged,
    IncidentCommented,
)
CATALOG_EVENTS: tuple[type[Event], ...] = (CatalogChanged,)
REQUESTS: tuple[type[Request], ...] = (
    OpenOrAttach,
    SettleCounts,
    GetIncident,
    GetIncidentStates,
    ApplyCatalog,
    TransitionIncident,
    TransitionOpenIncident,
    UpdateIncident,
    ListIncidents,
    AddComment,
    EditComment,
    DeleteComment,
    ListComments,
    RecordPastIncidents,
    *catalog.REQUESTS,
    *changes.REQUESTS,
    *kpis.REQUESTS,
)

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
