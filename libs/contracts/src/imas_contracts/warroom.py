"""Messages owned by the warroom service: chat rooms, the incident document, runbooks.

Events go to the ``WARROOM`` stream. The LID (lead incident document), its template, runbooks,
guided runbook execution and chat commands are served over request/reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec
from imas_contracts.catalog import CatalogChange
from imas_contracts.incidents import Severity

Platform = Literal["slack", "discord", "log"]
ExporterKind = Literal["confluence", "google_docs"]
StepOutcome = Literal["done", "skipped", "failed", "rolled_back", "started"]


class WarRoomCreated(Event, frozen=True, kw_only=True, tag="warroom.created.v1"):
    """A chat channel was opened for the incident; incidents records the link."""

    incident_id: str
    platform: Platform
    channel_id: str
    channel_name: str
    link: str


class DocumentCreated(Event, frozen=True, kw_only=True, tag="warroom.document_created.v1"):
    """The incident's LID (lead incident document) exists; incidents records the link.

    ``runbook_*`` name the runbook matched for the incident, when one was. What warroom will
    do next for the incident: ``room_requested`` when a war room is being opened (then
    ``warroom.created`` or ``warroom.failed`` with ``will_retry`` false follows), and the
    exporters the LID is being exported to (each followed by ``warroom.lid_exported`` or
    ``warroom.lid_export_failed``).
    """

    incident_id: str
    document_id: str
    title: str
    link: str
    runbook_id: str | None = None
    runbook_name: str | None = None
    runbook_link: str | None = None
    room_requested: bool = False
    exports: list[str] = []


class RunbookStepExecuted(Event, frozen=True, kw_only=True, tag="runbooks.step_executed.v1"):
    """Someone started, ran (or skipped) a runbook step during an incident."""

    incident_id: str
    runbook_id: str
    step: int
    title: str
    outcome: StepOutcome
    actor: str | None = None
    note: str = ""
    runbook_name: str = ""
    confirmed: bool = False


class WarRoomFailed(Event, frozen=True, kw_only=True, tag="warroom.failed.v1"):
    """Opening (or updating) the incident's chat room failed; ``will_retry`` says if it goes on.

    Paging and the LID never wait for the room: this is for the timeline and the operators.
    """

    incident_id: str
    platform: Platform
    operation: str
    error: str
    attempt: int = 1
    will_retry: bool = True


class LidExported(Event, frozen=True, kw_only=True, tag="warroom.lid_exported.v1"):
    """The incident's LID was written to a document outside IMAS (Confluence, Google Docs):
    created by the first export (``created``), updated by the next ones. ``primary`` is the
    document the incident's ``lid_link`` points to: the first one the LID was exported to
    (at creation, the first exporter configured). ``actor`` is None for the export made when
    the incident opened."""

    incident_id: str
    exporter: str
    kind: ExporterKind
    link: str
    version: int = 1
    created: bool = False
    primary: bool = False
    actor: str | None = None


class LidExportFailed(Event, frozen=True, kw_only=True, tag="warroom.lid_export_failed.v1"):
    """The LID could not be exported when the incident opened: the exporter refused it, or
    could not be reached, ``attempts`` times; IMAS does not try again by itself."""

    incident_id: str
    exporter: str
    kind: ExporterKind
    error: str
    attempts: int = 1


class WarRoomNotOpened(Event, frozen=True, kw_only=True, tag="warroom.not_opened.v1"):
    """The incident's severity calls for a war room but none was opened, and ``reason`` says
    why (no chat platform is configured): incidents writes it in the timeline, and no room
    link is claimed."""

    incident_id: str
    reason: str


class WarRoomArchived(Event, frozen=True, kw_only=True, tag="warroom.archived.v1"):
    """The chat room of a resolved incident was archived after the configured delay."""

    incident_id: str
    platform: Platform
    channel_id: str
    channel_name: str


class IncidentEscalated(Event, frozen=True, kw_only=True, tag="warroom.incident_escalated.v1"):
    """Someone escalated an incident by hand (from the dashboard, the API or chat): the next
    ``level`` of its team's policy (numbered from 1), or people or a team they chose (``level``
    None). ``names`` were paged over ``channels``."""

    incident_id: str
    actor: str
    level: int | None = None
    names: list[str] = []
    channels: list[str] = []
    source: str = "api"


class ResponderAdded(Event, frozen=True, kw_only=True, tag="warroom.responder_added.v1"):
    """``name`` was added to the incident's war room by ``actor``; the room loop invites
    them (a mention tells them)."""

    incident_id: str
    person_id: str
    name: str
    actor: str


class RoleAssigned(Event, frozen=True, kw_only=True, tag="warroom.role_assigned.v1"):
    """``actor`` gave the incident ``role`` (commander, scribe, communications... as
    configured) to ``name`` (``person_id``), or took it back (both empty; ``previous`` names
    who held it). Someone given a role is invited to the incident's war room."""

    incident_id: str
    role: str
    person_id: str = ""
    name: str = ""
    previous: str = ""
    actor: str
    source: str = "api"


class StatusUpdatePosted(Event, frozen=True, kw_only=True, tag="warroom.status_update_posted.v1"):
    """``actor`` sent a status update about the incident to its subscribers (``recipients``,
    by name or address): the LID and the timeline keep its ``message``."""

    incident_id: str
    message: str
    actor: str
    recipients: list[str] = []
    source: str = "api"


class SubscribersChanged(Event, frozen=True, kw_only=True, tag="warroom.subscribers_changed.v1"):
    """Who follows the incident's status updates changed: ``added`` or ``removed`` (by name
    or address), by ``actor``."""

    incident_id: str
    added: list[str] = []
    removed: list[str] = []
    actor: str


class DocumentEdited(Event, frozen=True, kw_only=True, tag="warroom.document_edited.v1"):
    """Sections of an incident's LID were written (``root_cause``, ``resolution``,
    ``action_items``)."""

    incident_id: str
    sections: list[str]
    actor: str = ""


# -- the LID ------------------------------------------------------------------------------------


class ActionItem(msgspec.Struct, frozen=True, kw_only=True):
    """A follow-up of the incident, tracked after it is resolved."""

    title: str
    owner: str = ""
    done: bool = False
    due: str = ""


class DocumentExport(msgspec.Struct, frozen=True, kw_only=True):
    """Where a LID was exported: the page or document ``remote_id`` at ``link``, written
    ``version`` times (the Confluence page version; the count of writes for Google Docs)."""

    exporter_id: str
    exporter: str
    kind: ExporterKind
    remote_id: str
    link: str
    version: int = 1
    exported_at: datetime
    exported_by: str | None = None


class DocumentView(Message, frozen=True, kw_only=True, tag="warroom.document.v1"):
    """The LID of an incident, rendered now from the template and what warroom knows."""

    document_id: str
    incident_id: str
    short_id: str
    title: str
    markdown: str
    html: str = ""
    # The LID's body alone as HTML (with ``html``), to place in a page of one's own.
    html_body: str = ""
    root_cause: str = ""
    resolution: str = ""
    action_items: list[ActionItem] = []
    created_at: datetime
    updated_at: datetime
    exports: list[DocumentExport] = []


class EscalationSent(Message, frozen=True, kw_only=True, tag="warroom.escalate.reply.v1"):
    """Who an escalation by hand paged: ``level`` of the team's policy (from 1) or None for
    chosen people or a team, their ``names``, and the ``channels`` used."""

    incident_id: str
    short_id: str
    level: int | None = None
    names: list[str] = []
    channels: list[str] = []


class EscalateIncident(Request, frozen=True, kw_only=True, tag="warroom.escalate.v1"):
    """Page now, for an open incident: the level of its team's escalation policy after the
    last one paged (neither ``person`` nor ``team``), or a chosen ``person`` (id, e-mail or
    name; over their notification rules' first channels, else SMS and e-mail) or ``team``
    (id or name; over its chat channel). Answers ``conflict`` for a resolved incident or when
    the last level was reached, ``invalid`` naming ``person`` or ``team`` when unknown. Not
    safe to repeat: each call pages again."""

    reply_type: ClassVar[type[Message]] = EscalationSent

    incident: str
    person: str = ""
    team: str = ""
    actor: str
    source: str = "api"


class RoomResponders(Message, frozen=True, kw_only=True, tag="warroom.responders.v1"):
    """The people added to an incident's war room by hand, and the room's link (empty while
    it opens)."""

    incident_id: str
    responders: list[str] = []
    link: str = ""


class AddResponder(Request, frozen=True, kw_only=True, tag="warroom.responders.add.v1"):
    """Invite ``person`` (id, e-mail or name) to the incident's war room. Answers
    ``conflict`` when the incident has no war room (below SEV2, or none could open),
    ``invalid`` naming ``person`` when unknown or without a user id on the room's platform.
    Safe to repeat: someone already added is added once."""

    reply_type: ClassVar[type[Message]] = RoomResponders

    incident: str
    person: str
    actor: str


# -- incident roles and stakeholders --------------------------------------------------------------


class RoleHolder(msgspec.Struct, frozen=True, kw_only=True):
    """One of the incident's roles and who holds it (``person_id`` empty: nobody)."""

    role: str
    person_id: str = ""
    name: str = ""
    assigned_by: str = ""
    assigned_at: datetime | None = None


class IncidentRoles(Message, frozen=True, kw_only=True, tag="warroom.roles.v1"):
    """Every role an incident can have (as configured, in order) and who holds each."""

    incident_id: str
    short_id: str = ""
    roles: list[RoleHolder] = []


class GetIncidentRoles(Request, frozen=True, kw_only=True, tag="warroom.roles.get.v1"):
    """The roles of an incident (UUID, short id or INC-<short id>)."""

    reply_type: ClassVar[type[Message]] = IncidentRoles

    incident: str


class AssignRole(Request, frozen=True, kw_only=True, tag="warroom.roles.assign.v1"):
    """Give ``role`` to ``person`` (id, e-mail or name), or take it back (``person`` empty).
    The person is invited to the war room when the incident has one; a LID line and
    ``warroom.role_assigned.v1`` say who did it. Answers ``invalid`` naming ``role`` (not a
    configured role) or ``person`` (unknown). Safe to repeat: the same holder changes
    nothing."""

    reply_type: ClassVar[type[Message]] = IncidentRoles

    incident: str
    role: str
    person: str = ""
    actor: str
    source: str = "api"


class RoleDefinition(msgspec.Struct, frozen=True, kw_only=True):
    """One role an incident can have: its name (lower case) and what it is for."""

    name: str
    description: str = ""


class RoleDefinitions(Message, frozen=True, kw_only=True, tag="warroom.role_definitions.v1"):
    """The roles every incident can have, in the order pages show them. ``custom`` false:
    none stored, the war room service's setting (``WARROOM_INCIDENT_ROLES``) gives them."""

    roles: list[RoleDefinition] = []
    custom: bool = False


class GetRoleDefinitions(Request, frozen=True, kw_only=True, tag="warroom.role_definitions.get.v1"):
    """The configured incident roles. Read-only."""

    reply_type: ClassVar[type[Message]] = RoleDefinitions


class PutRoleDefinitions(Request, frozen=True, kw_only=True, tag="warroom.role_definitions.put.v1"):
    """Replace the incident roles (in order); none goes back to the service's setting. A
    role an incident holds stays held (and listed after the configured ones) when it is
    dropped. Answers ``invalid`` naming ``roles[i].name`` (empty, taken twice, not a word
    of letters, digits, ``-`` or ``_`` of at most 40, more than 20 roles). Safe to repeat."""

    reply_type: ClassVar[type[Message]] = RoleDefinitions

    roles: list[RoleDefinition] = []
    actor: str = ""


SubscriberKind = Literal["person", "team", "email", "slack"]


class Subscriber(msgspec.Struct, frozen=True, kw_only=True):
    """Someone told of an incident's status updates: a ``person`` or a ``team`` of the
    catalog (``ref`` their id; a person by e-mail, a team in its chat channel), an ``email``
    address (a list) or a ``slack`` channel (``ref`` the address or channel)."""

    id: str
    kind: SubscriberKind
    ref: str
    name: str = ""
    added_by: str = ""
    added_at: datetime | None = None


class IncidentSubscribers(Message, frozen=True, kw_only=True, tag="warroom.subscribers.v1"):
    """Who an incident's status updates go to."""

    incident_id: str
    short_id: str = ""
    subscribers: list[Subscriber] = []


class ListSubscribers(Request, frozen=True, kw_only=True, tag="warroom.subscribers.list.v1"):
    reply_type: ClassVar[type[Message]] = IncidentSubscribers

    incident: str


class Subscribe(Request, frozen=True, kw_only=True, tag="warroom.subscribers.add.v1"):
    """Send the incident's status updates to ``ref`` too: a person (id, e-mail or name), a
    team (id or name), an e-mail address or a Slack channel (``#status`` or its id), as
    ``kind`` says. Answers ``invalid`` naming ``person``, ``team``, ``email`` or ``slack``.
    Safe to repeat: a subscriber is listed once."""

    reply_type: ClassVar[type[Message]] = IncidentSubscribers

    incident: str
    kind: SubscriberKind
    ref: str
    actor: str


class Unsubscribe(Request, frozen=True, kw_only=True, tag="warroom.subscribers.remove.v1"):
    """Stop sending the incident's status updates to subscriber ``id`` (or to the person
    ``person``: id, e-mail or name, for someone unfollowing). Safe to repeat."""

    reply_type: ClassVar[type[Message]] = IncidentSubscribers

    incident: str
    id: str = ""
    person: str = ""
    actor: str


class StatusUpdateSent(Message, frozen=True, kw_only=True, tag="warroom.updates.sent.v1"):
    """A status update was recorded and handed to the notifier for ``recipients``."""

    incident_id: str
    short_id: str
    message: str
    recipients: list[str] = []


class PostStatusUpdate(Request, frozen=True, kw_only=True, tag="warroom.updates.post.v1"):
    """Send ``message`` to the incident's subscribers, and keep it in the LID and the
    timeline. Answers ``invalid`` naming ``message`` when empty. Not safe to repeat: each
    call sends again."""

    reply_type: ClassVar[type[Message]] = StatusUpdateSent

    incident: str
    message: str
    actor: str
    source: str = "api"


class GetDocument(Request, frozen=True, kw_only=True, tag="warroom.document.get.v1"):
    """The LID of an incident: ``incident`` is its UUID, short id or INC-<short id>."""

    reply_type: ClassVar[type[Message]] = DocumentView

    incident: str
    html: bool = False


class EditDocument(Request, frozen=True, kw_only=True, tag="warroom.document.edit.v1"):
    """Change the editable sections of a LID; ``None`` leaves a section as it is."""

    reply_type: ClassVar[type[Message]] = DocumentView

    incident: str
    root_cause: str | None = None
    resolution: str | None = None
    action_items: list[ActionItem] | None = None
    actor: str | None = None


class TemplateView(Message, frozen=True, kw_only=True, tag="warroom.template.v1"):
    """The LID template (Markdown with Jinja); ``default`` when nobody changed it."""

    body: str
    default: bool = True
    updated_by: str | None = None
    updated_at: datetime | None = None


class GetTemplate(Request, frozen=True, kw_only=True, tag="warroom.template.get.v1"):
    reply_type: ClassVar[type[Message]] = TemplateView


class PutTemplate(Request, frozen=True, kw_only=True, tag="warroom.template.put.v1"):
    """Replace the LID template (an empty body restores the default). A template that does not
    compile or render is refused naming ``body``."""

    reply_type: ClassVar[type[Message]] = TemplateView

    body: str
    actor: str | None = None


# -- LID export ----------------------------------------------------------------------------------


class ExporterSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Where LIDs can be exported, as the API shows it: ``secrets`` names the secrets that are
    set, never their values.

    ``confluence``: ``config`` has ``base_url`` (``https://acme.atlassian.net``), ``space_key``,
    ``email`` and optionally ``parent_id`` (the page new pages go under); secret ``api_token``.
    ``google_docs``: ``config`` has optionally ``base_url`` (``https://docs.googleapis.com``),
    ``drive_url`` (``https://www.googleapis.com``), ``folder_id`` and ``subject`` (a user the
    account acts for, with domain-wide delegation); secret ``service_account`` (the account's
    JSON key: IMAS signs its own token requests, so access never lapses).
    """

    id: str
    name: str
    kind: ExporterKind
    config: dict[str, str] = {}
    secrets: list[str] = []
    enabled: bool = True
    updated_at: datetime | None = None


class ExporterView(Message, frozen=True, kw_only=True, tag="warroom.exporter.v1"):
    exporter: ExporterSpec


class ExporterList(Message, frozen=True, kw_only=True, tag="warroom.exporter_list.v1"):
    exporters: list[ExporterSpec] = []


class PutExporter(Request, frozen=True, kw_only=True, tag="warroom.exporters.put.v1"):
    """Create (``id`` empty) or replace an exporter. ``secrets`` are write-only and encrypted
    at rest: a secret left out keeps its stored value; an empty string removes it. Names are
    unique (``conflict``); a missing setting is ``invalid`` naming ``config.<key>``."""

    reply_type: ClassVar[type[Message]] = ExporterView
    id: str = ""
    name: str
    kind: ExporterKind
    config: dict[str, str] = {}
    secrets: dict[str, str] = {}
    enabled: bool = True


class ListExporters(Request, frozen=True, kw_only=True, tag="warroom.exporters.list.v1"):
    """Every exporter by name; ``id`` (an id or a name) narrows to one (NotFound if none)."""

    reply_type: ClassVar[type[Message]] = ExporterList
    id: str = ""


class DeleteExporter(Request, frozen=True, kw_only=True, tag="warroom.exporters.delete.v1"):
    reply_type: ClassVar[type[Message]] = ExporterView
    id: str


class DocumentExported(Message, frozen=True, kw_only=True, tag="warroom.document.exported.v1"):
    """The LID was written to the exporter: ``created`` the first time, updated afterwards."""

    export: DocumentExport
    created: bool


class ExportDocument(Request, frozen=True, kw_only=True, tag="warroom.document.export.v1"):
    """Write the LID of ``incident`` to ``exporter`` (its id or name) now: the first export
    creates the page (or document), later ones update it. A refusal of the remote service
    answers ``unavailable`` with its reason; the LID is unchanged."""

    reply_type: ClassVar[type[Message]] = DocumentExported
    incident: str
    exporter: str
    actor: str | None = None


# -- runbooks -----------------------------------------------------------------------------------


class RunbookStep(msgspec.Struct, frozen=True, kw_only=True):
    """One step; ``critical`` or ``requires_confirmation`` steps are done only when confirmed."""

    title: str
    description: str = ""
    command: str = ""
    expected_minutes: float | None = None
    critical: bool = False
    requires_confirmation: bool = False
    rollback: str = ""


class RunbookSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A runbook, found for an incident by ``service`` then by ``alert_pattern`` (a
    case-insensitive regex on the title), for ``severities`` (all when empty)."""

    id: str = ""
    name: str
    service: str = ""
    alert_pattern: str = ""
    severities: list[Severity] = []
    description: str = ""
    steps: list[RunbookStep] = []
    created_at: datetime | None = None
    updated_at: datetime | None = None


class RunbookView(Message, frozen=True, kw_only=True, tag="runbooks.runbook.v1"):
    runbook: RunbookSpec


class RunbookList(Message, frozen=True, kw_only=True, tag="runbooks.list.reply.v1"):
    """Runbooks; after an import, ``changes`` says what each one did (``kind`` ``runbook``)."""

    runbooks: list[RunbookSpec] = []
    changes: list[CatalogChange] = []


class PutRunbook(Request, frozen=True, kw_only=True, tag="runbooks.put.v1"):
    """Create (no id) or replace (with id) a runbook; names are unique (``conflict``)."""

    reply_type: ClassVar[type[Message]] = RunbookView
    runbook: RunbookSpec


class GetRunbook(Request, frozen=True, kw_only=True, tag="runbooks.get.v1"):
    reply_type: ClassVar[type[Message]] = RunbookView
    id: str


class ListRunbooks(Request, frozen=True, kw_only=True, tag="runbooks.list.v1"):
    """Runbooks by name; ``service`` narrows to one service's."""

    reply_type: ClassVar[type[Message]] = RunbookList
    service: str = ""


class DeleteRunbook(Request, frozen=True, kw_only=True, tag="runbooks.delete.v1"):
    reply_type: ClassVar[type[Message]] = RunbookView
    id: str


class ImportRunbooks(Request, frozen=True, kw_only=True, tag="runbooks.import.v1"):
    """Create or update runbooks by name from ``yaml`` (``runbooks: [...]`` or a list) and/or
    ``runbooks``, all or nothing. Idempotent: a runbook equal to the stored one is left
    ``unchanged``. With ``dry_run`` nothing is written; ``changes`` says what would change."""

    reply_type: ClassVar[type[Message]] = RunbookList
    yaml: str = ""
    runbooks: list[RunbookSpec] = []
    dry_run: bool = False


class MatchRunbook(Request, frozen=True, kw_only=True, tag="runbooks.match.v1"):
    """The runbook that fits an incident of ``service`` titled ``title`` at ``severity``."""

    reply_type: ClassVar[type[Message]] = RunbookList
    service: str
    title: str = ""
    severity: Severity | None = None


class StepState(msgspec.Struct, frozen=True, kw_only=True):
    """Where one step of an incident's runbook stands."""

    index: int
    title: str
    status: Literal["pending", "started", "done", "skipped"] = "pending"
    critical: bool = False
    requires_confirmation: bool = False
    actor: str | None = None
    note: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RunbookProgress(Message, frozen=True, kw_only=True, tag="runbooks.progress.v1"):
    """The runbook of an incident and each step's state; ``next_step`` is the first pending."""

    incident_id: str
    runbook: RunbookSpec | None = None
    steps: list[StepState] = []
    next_step: int | None = None


class GetProgress(Request, frozen=True, kw_only=True, tag="runbooks.progress.get.v1"):
    reply_type: ClassVar[type[Message]] = RunbookProgress
    incident: str


class AttachRunbook(Request, frozen=True, kw_only=True, tag="runbooks.attach.v1"):
    """Use runbook ``runbook_id`` for the incident (refused once a step has been run)."""

    reply_type: ClassVar[type[Message]] = RunbookProgress
    incident: str
    runbook_id: str
    actor: str | None = None


class RunStep(Request, frozen=True, kw_only=True, tag="runbooks.step.v1"):
    """Start, finish or skip step ``step`` (1-based) of the incident's runbook.

    A critical step (or one requiring confirmation) is done only with ``confirm``; a step
    already done or skipped answers ``conflict``. Each action is published and in the timeline.
    """

    reply_type: ClassVar[type[Message]] = RunbookProgress
    incident: str
    step: int
    action: Literal["start", "done", "skip"]
    actor: str | None = None
    note: str = ""
    confirm: bool = False


# -- chat ---------------------------------------------------------------------------------------


class ChatReply(Message, frozen=True, kw_only=True, tag="warroom.chat.reply.v1"):
    """What the gateway answers the chat platform: ``status``, a JSON ``body``."""

    status: int = 200
    body: str = ""
    content_type: str = "application/json"


class SlackRequest(Request, frozen=True, kw_only=True, tag="warroom.chat.slack.v1"):
    """A request Slack sent to the gateway, as received (warroom verifies the signature).

    ``kind``: ``command`` (slash commands), ``interaction`` (buttons), ``event`` (Events API).
    ``caller_role`` is the IMAS role of the IMAS user linked to the sender (the user whose
    e-mail is the one of the catalog person with the sender's chat id), as the gateway found
    it; empty when there is none.
    """

    reply_type: ClassVar[type[Message]] = ChatReply
    kind: Literal["command", "interaction", "event"]
    body: str
    timestamp: str = ""
    signature: str = ""
    caller_role: str = ""


class DiscordRequest(Request, frozen=True, kw_only=True, tag="warroom.chat.discord.v1"):
    """An interaction Discord sent to the gateway, as received (Ed25519-signed);
    ``caller_role`` as in :class:`SlackRequest`."""

    reply_type: ClassVar[type[Message]] = ChatReply
    body: str
    timestamp: str = ""
    signature: str = ""
    caller_role: str = ""


EVENTS: tuple[type[Event], ...] = (
    WarRoomCreated,
    DocumentCreated,
    RunbookStepExecuted,
    WarRoomFailed,
    WarRoomArchived,
    LidExported,
    LidExportFailed,
    WarRoomNotOpened,
    IncidentEscalated,
    ResponderAdded,
    DocumentEdited,
    RoleAssigned,
    StatusUpdatePosted,
    SubscribersChanged,
)
REQUESTS: tuple[type[Request], ...] = (
    EscalateIncident,
    AddResponder,
    GetIncidentRoles,
    AssignRole,
    GetRoleDefinitions,
    PutRoleDefinitions,
    ListSubscribers,
    Subscribe,
    Unsubscribe,
    PostStatusUpdate,
    GetDocument,
    EditDocument,
    GetTemplate,
    PutTemplate,
    PutRunbook,
    GetRunbook,
    ListRunbooks,
    DeleteRunbook,
    ImportRunbooks,
    MatchRunbook,
    GetProgress,
    AttachRunbook,
    RunStep,
    SlackRequest,
    DiscordRequest,
    PutExporter,
    ListExporters,
    DeleteExporter,
    ExportDocument,
)

WARROOM_STREAM = StreamSpec(
    name="WARROOM",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="War rooms, incident documents and runbook executions",
)
