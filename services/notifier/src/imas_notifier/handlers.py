"""JetStream consumers of the notifier service."""

from __future__ import annotations

from imas_contracts.incidents import INCIDENTS_STREAM, IncidentTriggered
from imas_contracts.notifier import NOTIFICATIONS_STREAM, NotificationRequested
from imas_notifier.usecases import NotifierUseCases
from imas_runtime.consumer import ConsumerSpec


def consumers(usecases: NotifierUseCases) -> list[ConsumerSpec]:
    """``notifier--INCIDENTS``: pages on incidents.triggered; ``notifier--NOTIFICATIONS``:
    pages what escalation requests. Both ack once the pages are recorded."""
    return [
        ConsumerSpec(
            service="notifier",
            stream=INCIDENTS_STREAM.name,
            event_types=(IncidentTriggered,),
            handler=usecases.on_triggered,
        ),
        ConsumerSpec(
            service="notifier",
            stream=NOTIFICATIONS_STREAM.name,
            event_types=(NotificationRequested,),
            handler=usecases.on_requested,
        ),
    ]
