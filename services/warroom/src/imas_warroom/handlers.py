"""JetStream consumers and request/reply endpoints of the warroom service (thin: decode, call
a use case, reply)."""

from __future__ import annotations

from imas_contracts.escalation import ESCALATION_STREAM, EscalationStarted, EscalationStepFired
from imas_contracts.incidents import (
    INCIDENTS_STREAM,
    IncidentAcknowledged,
    IncidentAlertAttached,
    IncidentMitigated,
    IncidentReopened,
    IncidentResolved,
    IncidentSeverityChanged,
    IncidentTriggered,
    IncidentUpdated,
)
from imas_contracts.notifier import NOTIFICATIONS_STREAM, NotificationFailed, NotificationSent
from imas_contracts.warroom import (
    AddResponder,
    AssignRole,
    AttachRunbook,
    DeleteExporter,
    DeleteRunbook,
    DiscordRequest,
    EditDocument,
    EscalateIncident,
    ExportDocument,
    GetDocument,
    GetIncidentRoles,
    GetProgress,
    GetRoleDefinitions,
    GetRunbook,
    GetTemplate,
    ImportRunbooks,
    ListExporters,
    ListRunbooks,
    ListSubscribers,
    MatchRunbook,
    PostStatusUpdate,
    PutExporter,
    PutRoleDefinitions,
    PutRunbook,
    PutTemplate,
    RunStep,
    SlackRequest,
    Subscribe,
    Unsubscribe,
)
from imas_runtime.consumer import ConsumerSpec
from imas_runtime.rpc import Endpoint
from imas_warroom.chat.commands import ChatOps
from imas_warroom.escalations.usecases import Escalations
from imas_warroom.export.usecases import ExportUseCases
from imas_warroom.runbooks.usecases import RunbookUseCases
from imas_warroom.stakeholders.usecases import Stakeholders
from imas_warroom.usecases import DocumentUseCases


def consumers(documents: DocumentUseCases) -> list[ConsumerSpec]:
    """``warroom--INCIDENTS`` (the LID and the room), ``warroom--NOTIFICATIONS`` and
    ``warroom--ESCALATION`` (timeline lines). Each acks once its effect is committed; a failure
    is retried with backoff, then dead-lettered."""
    return [
        ConsumerSpec(
            service="warroom",
            stream=INCIDENTS_STREAM.name,
            event_types=(
                IncidentTriggered,
                IncidentAlertAttached,
                IncidentAcknowledged,
                IncidentMitigated,
                IncidentResolved,
                IncidentReopened,
                IncidentUpdated,
                IncidentSeverityChanged,
            ),
            handler=documents.on_incident_event,
        ),
        ConsumerSpec(
            service="warroom",
            stream=NOTIFICATIONS_STREAM.name,
            event_types=(NotificationSent, NotificationFailed),
            handler=documents.on_notification,
        ),
        ConsumerSpec(
            service="warroom",
            stream=ESCALATION_STREAM.name,
            event_types=(EscalationStarted, EscalationStepFired),
            handler=documents.on_escalation,
        ),
    ]


def endpoints(
    documents: DocumentUseCases,
    runbooks: RunbookUseCases,
    chat: ChatOps,
    exports: ExportUseCases,
    escalations: Escalations,
    stakeholders: Stakeholders,
) -> list[Endpoint]:
    """Queries are read-only; edits and step actions answer the new state (a repeated step
    action answers ``conflict``); an export answers where the LID now is; an escalation by
    hand pages each time it is asked, a responder is added once; a role given again or a
    subscriber added again changes nothing, a status update is sent each time."""
    return [
        Endpoint(EscalateIncident, escalations.escalate),
        Endpoint(AddResponder, escalations.add_responder),
        Endpoint(GetIncidentRoles, stakeholders.get_roles),
        Endpoint(GetRoleDefinitions, stakeholders.get_role_definitions),
        Endpoint(PutRoleDefinitions, stakeholders.put_role_definitions),
        Endpoint(AssignRole, stakeholders.assign_role),
        Endpoint(ListSubscribers, stakeholders.list_subscribers),
        Endpoint(Subscribe, stakeholders.subscribe),
        Endpoint(Unsubscribe, stakeholders.unsubscribe),
        Endpoint(PostStatusUpdate, stakeholders.post_update),
        Endpoint(GetDocument, documents.get_document),
        Endpoint(EditDocument, documents.edit_document),
        Endpoint(GetTemplate, documents.get_template),
        Endpoint(PutTemplate, documents.put_template),
        Endpoint(PutRunbook, runbooks.put),
        Endpoint(GetRunbook, runbooks.get),
        Endpoint(ListRunbooks, runbooks.list),
        Endpoint(DeleteRunbook, runbooks.delete),
        Endpoint(ImportRunbooks, runbooks.import_yaml),
        Endpoint(MatchRunbook, runbooks.match),
        Endpoint(GetProgress, runbooks.progress),
        Endpoint(AttachRunbook, runbooks.attach),
        Endpoint(RunStep, runbooks.run_step),
        Endpoint(SlackRequest, chat.slack),
        Endpoint(DiscordRequest, chat.discord),
        Endpoint(PutExporter, exports.put),
        Endpoint(ListExporters, exports.list),
        Endpoint(DeleteExporter, exports.delete),
        Endpoint(ExportDocument, exports.export),
    ]
