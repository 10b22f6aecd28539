"""Messages owned by the warroom service: chat rooms, the incident document, runbooks.

Events go to the ``WARROOM`` stream. The LID (lead incident document), its template, runbooks,
guided runbook execution and chat commands are served over request/reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec
from imas_contracts.incidents import Severity

Platform = Literal["slack", "discord", "log"]
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

    ``runbook_*`` name the runbook matched for the incident, when one was.
    """

    incident_id: str
    document_id: str
    title: str
    link: str
    runbook_id: str | None = None
    runbook_name: str | None = None
    runbook_link: str | None = None


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


class WarRoomArchived(Event, frozen=True, kw_only=True, tag="warroom.archived.v1"):
    """The chat room of a resolved incident was archived after the configured delay."""

    incident_id: str
    platform: Platform
    channel_id: str
    channel_name: str


# -- the LID ------------------------------------------------------------------------------------


class ActionItem(msgspec.Struct, frozen=True, kw_only=True):
    """A follow-up of the incident, tracked after it is resolved."""

    title: str
    owner: str = ""
    done: bool = False
    due: str = ""


class DocumentView(Message, frozen=True, kw_only=True, tag="warroom.document.v1"):
    """The LID of an incident, rendered now from the template and what warroom knows."""

    document_id: str
    incident_id: str
    short_id: str
    title: str
    markdown: str
    html: str = ""
    root_cause: str = ""
    resolution: str = ""
    action_items: list[ActionItem] = []
    created_at: datetime
    updated_at: datetime


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
    runbooks: list[RunbookSpec] = []


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
    """Create or update runbooks by name from YAML (``runbooks: [...]`` or a list). Idempotent."""

    reply_type: ClassVar[type[Message]] = RunbookList
    yaml: str


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
    """

    reply_type: ClassVar[type[Message]] = ChatReply
    kind: Literal["command", "interaction", "event"]
    body: str
    timestamp: str = ""
    signature: str = ""


class DiscordRequest(Request, frozen=True, kw_only=True, tag="warroom.chat.discord.v1"):
    """An interaction Discord sent to the gateway, as received (Ed25519-signed)."""

    reply_type: ClassVar[type[Message]] = ChatReply
    body: str
    timestamp: str = ""
    signature: str = ""


EVENTS: tuple[type[Event], ...] = (
    WarRoomCreated,
    DocumentCreated,
    RunbookStepExecuted,
    WarRoomFailed,
    WarRoomArchived,
)
REQUESTS: tuple[type[Request], ...] = (
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
)

WARROOM_STREAM = StreamSpec(
    name="WARROOM",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="War rooms, incident documents and runbook executions",
)
