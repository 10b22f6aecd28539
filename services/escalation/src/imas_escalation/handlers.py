"""JetStream consumers and request/reply endpoints of the escalation service: decode, call a
use case, reply. Consumers ack once the use case committed (its inbox makes a redelivery a
no-op); endpoints answer the reply type of their request or an ``ErrorReply``."""

from __future__ import annotations

from imas_contracts.escalation import (
    CheckConfig,
    DeletePolicy,
    DeleteSchedule,
    EscalateNow,
    GetCalendar,
    GetHistory,
    GetPolicy,
    GetSchedule,
    ListPolicies,
    ListSchedules,
    NextShifts,
    PreviewShifts,
    PutPolicy,
    PutSchedule,
    WhoIsOnCall,
)
from imas_contracts.incidents import (
    CATALOG_STREAM,
    INCIDENTS_STREAM,
    CatalogChanged,
    IncidentAcknowledged,
    IncidentMitigated,
    IncidentReopened,
    IncidentResolved,
    IncidentTriggered,
)
from imas_escalation.config.usecases import ConfigUseCases
from imas_escalation.usecases import RunUseCases
from imas_runtime.consumer import ConsumerSpec, Delivery
from imas_runtime.rpc import Endpoint


def consumers(runs: RunUseCases, config: ConfigUseCases) -> list[ConsumerSpec]:
    """``escalation--INCIDENTS`` starts, stops and restarts (on reopen) runs;
    ``escalation--CATALOG`` keeps the local projection of teams and people."""

    async def on_incident(
        event: IncidentTriggered
        | IncidentAcknowledged
        | IncidentMitigated
        | IncidentResolved
        | IncidentReopened,
        delivery: Delivery,
    ) -> None:
        if isinstance(event, IncidentTriggered):
            await runs.on_triggered(event, delivery)
        elif isinstance(event, IncidentReopened):
            await runs.on_reopened(event, delivery)
        else:
            await runs.on_stopped(event, delivery)

    return [
        ConsumerSpec(
            service="escalation",
            stream=INCIDENTS_STREAM.name,
            event_types=(
                IncidentTriggered,
                IncidentAcknowledged,
                IncidentMitigated,
                IncidentResolved,
                IncidentReopened,
            ),
            handler=on_incident,
        ),
        ConsumerSpec(
            service="escalation",
            stream=CATALOG_STREAM.name,
            event_types=(CatalogChanged,),
            handler=config.on_catalog_changed,
        ),
    ]


def endpoints(runs: RunUseCases, config: ConfigUseCases) -> list[Endpoint]:
    """Configuration CRUD and queries, safe to retry (puts replace by id); ``escalate_now``
    moves one step per call (its callers make their requests single-use)."""
    return [
        Endpoint(PutSchedule, config.put_schedule),
        Endpoint(GetSchedule, config.get_schedule),
        Endpoint(ListSchedules, config.list_schedules),
        Endpoint(DeleteSchedule, config.delete_schedule),
        Endpoint(PutPolicy, config.put_policy),
        Endpoint(GetPolicy, config.get_policy),
        Endpoint(ListPolicies, config.list_policies),
        Endpoint(DeletePolicy, config.delete_policy),
        Endpoint(WhoIsOnCall, config.who_is_on_call),
        Endpoint(NextShifts, config.next_shifts),
        Endpoint(PreviewShifts, config.preview_shifts),
        Endpoint(GetCalendar, config.calendar),
        Endpoint(CheckConfig, config.check),
        Endpoint(GetHistory, runs.history),
        Endpoint(EscalateNow, runs.escalate_now),
    ]
