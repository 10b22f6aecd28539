"""Request/reply endpoints and JetStream consumers of the incidents service: decode, call a use
case, reply (or ack)."""

from __future__ import annotations

from imas_contracts.catalog import (
    DeleteCatalogEntry,
    DeleteTagRule,
    ListCatalog,
    ListTagRules,
    SaveCatalogEntry,
    SaveTagRule,
    SetServiceMaintenance,
)
from imas_contracts.changes import ListChanges, RecordChange
from imas_contracts.escalation import ESCALATION_STREAM, EscalationStepFired
from imas_contracts.incidents import (
    AddComment,
    ApplyCatalog,
    DeleteComment,
    EditComment,
    GetIncident,
    GetIncidentStates,
    ListComments,
    ListIncidents,
    OpenOrAttach,
    RecordPastIncidents,
    SettleCounts,
    TransitionIncident,
    TransitionOpenIncident,
    UpdateIncident,
)
from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
)
from imas_contracts.notifier import (
    NOTIFICATIONS_STREAM,
    NotificationFailed,
    NotificationSent,
    NotificationsPlanned,
)
from imas_contracts.warroom import (
    WARROOM_STREAM,
    DocumentCreated,
    DocumentEdited,
    IncidentEscalated,
    LidExported,
    LidExportFailed,
    ResponderAdded,
    RoleAssigned,
    RunbookStepExecuted,
    StatusUpdatePosted,
    SubscribersChanged,
    WarRoomCreated,
    WarRoomFailed,
    WarRoomNotOpened,
)
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.changes.usecases import ChangeUseCases
from imas_incidents.foreign_events.usecases import ForeignEventUseCases
from imas_incidents.kpis.usecases import KpiUseCases
from imas_incidents.past.usecases import PastIncidentUseCases
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.consumer import ConsumerSpec
from imas_runtime.rpc import Endpoint


def endpoints(
    incidents: IncidentUseCases,
    catalog: CatalogUseCases,
    kpis: KpiUseCases,
    changes: ChangeUseCases,
    past: PastIncidentUseCases,
) -> list[Endpoint]:
    """``incidents.open_or_attach.v1`` is safe to retry only with a dedup key (it counts);
    transitions answer ``conflict`` when repeated; edits, catalog saves, changes (by id),
    past incidents (by key) and queries are safe to repeat."""
    return [
        Endpoint(OpenOrAttach, incidents.open_or_attach),
        Endpoint(SettleCounts, incidents.settle_counts),
        Endpoint(GetIncident, incidents.get),
        Endpoint(GetIncidentStates, incidents.states),
        Endpoint(TransitionIncident, incidents.transition),
        Endpoint(TransitionOpenIncident, incidents.transition_open),
        Endpoint(UpdateIncident, incidents.update),
        Endpoint(ListIncidents, incidents.list_incidents),
        Endpoint(AddComment, incidents.add_comment),
        Endpoint(EditComment, incidents.edit_comment),
        Endpoint(DeleteComment, incidents.delete_comment),
        Endpoint(ListComments, incidents.list_comments),
        Endpoint(ApplyCatalog, catalog.apply),
        Endpoint(ListCatalog, catalog.list_entries),
        Endpoint(SaveCatalogEntry, catalog.save),
        Endpoint(DeleteCatalogEntry, catalog.delete),
        Endpoint(SetServiceMaintenance, catalog.set_maintenance),
        Endpoint(ListTagRules, catalog.list_tag_rules),
        Endpoint(SaveTagRule, catalog.save_tag_rule),
        Endpoint(DeleteTagRule, catalog.delete_tag_rule),
        Endpoint(GetKpiSummary, kpis.summary),
        Endpoint(GetKpiBreakdown, kpis.breakdown),
        Endpoint(GetKpiTrend, kpis.trend),
        Endpoint(GetKpiHeatmap, kpis.heatmap),
        Endpoint(GetKpiTopOffenders, kpis.top_offenders),
        Endpoint(RecordChange, changes.record),
        Endpoint(ListChanges, changes.list_changes),
        Endpoint(RecordPastIncidents, past.record),
    ]


FOREIGN_STREAMS = {
    NOTIFICATIONS_STREAM.name: (NotificationSent, NotificationFailed, NotificationsPlanned),
    ESCALATION_STREAM.name: (EscalationStepFired,),
    WARROOM_STREAM.name: (
        WarRoomCreated,
        WarRoomNotOpened,
        DocumentCreated,
        LidExported,
        LidExportFailed,
        RunbookStepExecuted,
        WarRoomFailed,
        IncidentEscalated,
        ResponderAdded,
        DocumentEdited,
        RoleAssigned,
        StatusUpdatePosted,
        SubscribersChanged,
    ),
}


def consumers(events: ForeignEventUseCases) -> list[ConsumerSpec]:
    """``incidents--<STREAM>``: each event becomes a timeline line, once (inbox); acked after
    commit, retried with backoff when the database fails."""
    specs = []
    for stream, types in FOREIGN_STREAMS.items():
        durable = f"incidents--{stream}"
        specs.append(
            ConsumerSpec(
                service="incidents",
                stream=stream,
                event_types=types,
                handler=events.handler(durable),  # type: ignore[arg-type]  # takes any of the stream's events
            )
        )
    return specs
