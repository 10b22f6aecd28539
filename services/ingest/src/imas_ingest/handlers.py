"""Request/reply endpoints of the ingest service: decode, call a use case, reply."""

from __future__ import annotations

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
    SaveAlertRule,
    SubmitAlert,
    UpdateIntegration,
)
from imas_ingest.usecases import IngestUseCases
from imas_runtime.rpc import Endpoint


def endpoints(usecases: IngestUseCases) -> list[Endpoint]:
    """``ingest.submit.v1`` counts one occurrence per call, so callers do not blindly retry;
    the others are queries or idempotent by id, except creations (a new id each call)."""
    return [
        Endpoint(SubmitAlert, usecases.submit),
        Endpoint(CreateIntegration, usecases.create_integration),
        Endpoint(ListIntegrations, usecases.list_integrations),
        Endpoint(UpdateIntegration, usecases.update_integration),
        Endpoint(DeleteIntegration, usecases.delete_integration),
        Endpoint(AuthenticateWebhook, usecases.authenticate),
        Endpoint(SaveAlertRule, usecases.save_rule),
        Endpoint(ListAlertRules, usecases.list_rules),
        Endpoint(DeleteAlertRule, usecases.delete_rule),
        Endpoint(CreateSilence, usecases.create_silence),
        Endpoint(ListSilences, usecases.list_silences),
        Endpoint(DeleteSilence, usecases.delete_silence),
        Endpoint(ListAlerts, usecases.list_alerts),
    ]
