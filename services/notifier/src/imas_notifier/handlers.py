"""JetStream consumers and request/reply endpoints of the notifier service."""

from __future__ import annotations

from itertools import groupby

from imas_contracts.incidents import (
    CATALOG_STREAM,
    INCIDENTS_STREAM,
    CatalogChanged,
    IncidentAcknowledged,
    IncidentResolved,
    IncidentTriggered,
)
from imas_contracts.notifier import (
    NOTIFICATIONS_STREAM,
    AnswerSmsReply,
    CheckDelivery,
    CheckPageAction,
    DeletePersonRules,
    DeleteProvider,
    DeleteRoutingRule,
    GetPersonRules,
    ListDeliveries,
    ListProviders,
    ListRoutingRules,
    NotificationRequested,
    PerformPageAction,
    PutPersonRules,
    PutProvider,
    PutRoutingRule,
    SendProviderTest,
    TakeSmsReplies,
)
from imas_notifier.config.usecases import ConfigUseCases
from imas_notifier.page_actions.usecases import PageActions
from imas_notifier.routing.usecases import RulesUseCases
from imas_notifier.usecases import NotifierUseCases
from imas_runtime.consumer import ConsumerSpec, Delivery
from imas_runtime.rpc import Endpoint
from imas_runtime.telemetry import TRACEPARENT


def consumers(usecases: NotifierUseCases, config: ConfigUseCases) -> list[ConsumerSpec]:
    """``notifier--INCIDENTS``: pages on incidents.triggered, follow-ups on acknowledged and
    resolved; ``notifier--NOTIFICATIONS``: pages what escalation requests;
    ``notifier--CATALOG``: the catalog projection, and pages held by a maintenance that
    ended. All ack once their rows are recorded."""

    async def on_incident(event: object, delivery: object) -> None:
        if isinstance(event, IncidentTriggered):
            await usecases.on_triggered(event)
        elif isinstance(event, IncidentAcknowledged):
            await usecases.on_acknowledged(event)
        elif isinstance(event, IncidentResolved):
            await usecases.on_resolved(event)

    async def on_incidents(batch: list[tuple[object, Delivery]]) -> None:
        """Messages waiting together: each run of incidents.triggered is routed in one
        transaction; the others are handled one by one, in stream order."""
        for triggered, run in groupby(batch, key=lambda m: isinstance(m[0], IncidentTriggered)):
            if triggered:
                found = [(e, d) for e, d in run if isinstance(e, IncidentTriggered)]
                await usecases.on_triggered_batch(
                    [event for event, _ in found],
                    {
                        e.event_id: d.headers[TRACEPARENT]
                        for e, d in found
                        if TRACEPARENT in d.headers
                    },
                )
            else:
                for event, delivery in run:
                    await on_incident(event, delivery)

    async def on_catalog_changed(event: CatalogChanged, delivery: Delivery) -> None:
        """The projection first; then pages a service's maintenance held go on at its new
        end (run again on a redelivery: it moves only what is still held past that end)."""
        await config.on_catalog_changed(event, delivery)
        await usecases.on_service_changed(event)

    return [
        ConsumerSpec(
            service="notifier",
            stream=INCIDENTS_STREAM.name,
            event_types=(IncidentTriggered, IncidentAcknowledged, IncidentResolved),
            handler=on_incident,
            batch_handler=on_incidents,
        ),
        ConsumerSpec(
            service="notifier",
            stream=NOTIFICATIONS_STREAM.name,
            event_types=(NotificationRequested,),
            handler=usecases.on_requested,
        ),
        ConsumerSpec(
            service="notifier",
            stream=CATALOG_STREAM.name,
            event_types=(CatalogChanged,),
            handler=on_catalog_changed,
        ),
    ]


def endpoints(config: ConfigUseCases, rules: RulesUseCases, actions: PageActions) -> list[Endpoint]:
    """Queries and puts are safe to repeat; a create (empty id) makes a new rule each time
    unless its match is taken (``conflict``); deletes answer ``not_found`` the second time.
    A page action is checked (safe to repeat) then performed (once; a repeat answers 409)."""
    return [
        Endpoint(PutProvider, config.put_provider),
        Endpoint(ListProviders, config.list_providers),
        Endpoint(DeleteProvider, config.delete_provider),
        Endpoint(SendProviderTest, config.send_test),
        Endpoint(ListDeliveries, config.list_deliveries),
        Endpoint(CheckDelivery, config.check_delivery),
        Endpoint(ListRoutingRules, rules.list_routing_rules),
        Endpoint(PutRoutingRule, rules.put_routing_rule),
        Endpoint(DeleteRoutingRule, rules.delete_routing_rule),
        Endpoint(GetPersonRules, rules.get_person_rules),
        Endpoint(PutPersonRules, rules.put_person_rules),
        Endpoint(DeletePersonRules, rules.delete_person_rules),
        Endpoint(CheckPageAction, actions.check),
        Endpoint(PerformPageAction, actions.perform),
        Endpoint(TakeSmsReplies, actions.take_sms_replies),
        Endpoint(AnswerSmsReply, actions.answer_sms_reply),
    ]
