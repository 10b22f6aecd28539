"""Request/reply endpoints and JetStream consumers of the incidents service: decode, call a use
case, reply (or ack)."""

from __future__ import annotations

from imas_contracts.catalog import DeleteCatalogEntry, ListCatalog, SaveCatalogEntry
from imas_contracts.escalation import ESCALATION_STREAM, EscalationStepFired
from imas_contracts.incidents import (
    AddComment,
    ApplyCatalog,
    DeleteComment,
    EditComment,
    GetIncident,
    ListComments,
    ListIncidents,
    OpenOrAttach,
    TransitionIncident,
    UpdateIncident,
)
from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
)
from imas_contracts.notifier import NOTIFICATIONS_STREAM, NotificationFailed, NotificationSent
from imas_contracts.warroom import (
    WARROOM_STREAM,
    DocumentCreated,
    RunbookStepExecuted,
    WarRoomCreated,
)
from imas_incidents.usecases import IncidentUseCases
from imas_incidents.usecases_catalog import CatalogUseCases
from imas_incidents.usecases_events import ForeignEventUseCases
from imas_incidents.usecases_kpis import KpiUseCases
from imas_runtime.consumer import ConsumerSpec
from imas_runtime.rpc import Endpoint


def endpoints(
    incidents: IncidentUseCases, catalog: CatalogUseCases, kpis: KpiUseCases
) -> list[Endpoint]:
    """``incidents.open_or_attach.v1`` is safe to retry only with a dedup key (it counts);
    transitions answer ``conflict`` when repeated; edits, catalog saves and queries are safe to
    repeat."""
    return [
        Endpoint(OpenOrAttach, incidents.open_or_attach),
        Endpoint(GetIncident, incidents.get),
        Endpoint(TransitionIncident, incidents.transition),
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
        Endpoint(GetKpiSummary, kpis.summary),
        Endpoint(GetKpiBreakdown, kpis.breakdown),
        Endpoint(GetKpiTrend, kpis.trend),
        Endpoint(GetKpiHeatmap, kpis.heatmap),
        Endpoint(GetKpiTopOffenders, kpis.top_offenders),
    ]


FOREIGN_STREAMS = {
    NOTIFICATIONS_STREAM.name: (NotificationSent, NotificationFailed),
    ESCALATION_STREAM.name: (EscalationStepFired,),
    WARROOM_STREAM.name: (WarRoomCreated, DocumentCreated, RunbookStepExecuted),
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
                handler=events.handler(durable),  # type: ignore[arg-type]
            )
        )
    return specs
