"""Request/reply endpoints of the ingest service: decode, call a use case, reply."""

from __future__ import annotations

from imas_contracts.deadletter import DEADLETTER_STREAM, DeadLettered
from imas_contracts.ingest import (
    AuthenticateWebhook,
    CreateIntegration,
    CreateSilence,
    DeleteAlertRule,
    DeleteIntegration,
    DeleteSilence,
    ListAlertRules,
    ListAlerts,
    ListIntegrations,
    ListSilences,
    PingHeartbeat,
    SaveAlertRule,
    SubmitAlert,
    TryAlertRule,
    UpdateIntegration,
)
from imas_ingest.dead_letters import DeadLetterAlerts
from imas_ingest.usecases import IngestUseCases
from imas_runtime.consumer import ConsumerSpec
from imas_runtime.rpc import Endpoint


def consumers(dead_letters: DeadLetterAlerts) -> list[ConsumerSpec]:
    """``ingest--DEADLETTER``: each dead letter of any consumer raises its alert (one incident
    per consumer); acks once the alert is published. Raw alerts are consumed by the pipeline
    (``ingest--ALERTS``, see :mod:`imas_ingest.webhooks.pipeline`)."""
    return [
        ConsumerSpec(
            service="ingest",
            stream=DEADLETTER_STREAM.name,
            event_types=(DeadLettered,),
            handler=dead_letters.on_dead_letter,
            # Dead letters are published on deadletter.<consumer>, not on their tag.
            filter_subjects=DEADLETTER_STREAM.subjects,
        )
    ]


def endpoints(usecases: IngestUseCases) -> list[Endpoint]:
    """``ingest.submit.v1`` counts one occurrence per call, so callers do not blindly retry;
    the others are queries or idempotent by id, except creations (a new id each call). A
    heartbeat's ping is safe to repeat (it only moves the deadline again)."""
    return [
        Endpoint(SubmitAlert, usecases.submit),
        Endpoint(CreateIntegration, usecases.create_integration),
        Endpoint(ListIntegrations, usecases.list_integrations),
        Endpoint(UpdateIntegration, usecases.update_integration),
        Endpoint(DeleteIntegration, usecases.delete_integration),
        Endpoint(AuthenticateWebhook, usecases.authenticate),
        Endpoint(PingHeartbeat, usecases.ping),
        Endpoint(SaveAlertRule, usecases.save_rule),
        Endpoint(ListAlertRules, usecases.list_rules),
        Endpoint(DeleteAlertRule, usecases.delete_rule),
        Endpoint(TryAlertRule, usecases.try_rule),
        Endpoint(CreateSilence, usecases.create_silence),
        Endpoint(ListSilences, usecases.list_silences),
        Endpoint(DeleteSilence, usecases.delete_silence),
        Endpoint(ListAlerts, usecases.list_alerts),
    ]
