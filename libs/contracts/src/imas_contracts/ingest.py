"""Messages owned by the ingest service: raw and normalised alerts, and alert submission."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import msgspec

from imas_contracts._base import Event, Message, Request, StreamSpec
from imas_contracts.incidents import IncidentSnapshot, Severity

RAW_ALERT_SUBJECT_PREFIX = "alerts.raw"


def raw_alert_subject(source: str) -> str:
    """Subject a webhook's raw payload is written to, e.g. ``alerts.raw.alertmanager``."""
    return f"{RAW_ALERT_SUBJECT_PREFIX}.{source}"


class AlertReceived(Event, frozen=True, kw_only=True, tag="alerts.raw.v1"):
    """A monitoring tool's payload as it arrived, before normalisation.

    Published on ``alerts.raw.<source>`` (see :func:`raw_alert_subject`) so that consumers can
    filter by source; it is the one event whose subject is not its tag.
    """

    source: str
    integration_id: str | None = None
    payload: bytes
    content_type: str = "application/json"


class NormalisedAlert(msgspec.Struct, frozen=True, kw_only=True):
    """An alert in IMAS terms, whatever tool sent it."""

    source: str
    title: str
    description: str = ""
    service_name: str
    severity: Severity
    status: str = "firing"
    dedup_key: str = ""
    fingerprint: str
    detected_at: datetime | None = None
    labels: dict[str, str] = {}
    links: list[str] = []


class AlertNormalised(Event, frozen=True, kw_only=True, tag="alerts.normalised.v1"):
    """An alert was normalised and handed to incidents; ``incident_id`` is where it went."""

    alert: NormalisedAlert
    incident_id: str | None = None
    created_incident: bool = False


class SubmitAlertReply(Message, frozen=True, kw_only=True, tag="ingest.submit.reply.v1"):
    """Whether the alert opened an incident (``created``) and the incident it belongs to."""

    created: bool
    alert_id: str
    incident: IncidentSnapshot


class SubmitAlert(Request, frozen=True, kw_only=True, tag="ingest.submit.v1"):
    """Submit one alert synchronously (the API's ``POST /api/v1/incidents/``)."""

    reply_type: ClassVar[type[Message]] = SubmitAlertReply

    title: str
    description: str = ""
    service_name: str
    severity: Severity
    dedup_key: str = ""
    detected_at: datetime | None = None
    source: str = "api"
    actor: str | None = None
    tags: list[str] = []
    impacted_scopes: list[str] = []


EVENTS: tuple[type[Event], ...] = (AlertReceived, AlertNormalised)
REQUESTS: tuple[type[Request], ...] = (SubmitAlert,)

ALERTS_STREAM = StreamSpec(
    name="ALERTS",
    subjects=(f"{RAW_ALERT_SUBJECT_PREFIX}.>", AlertNormalised.type_name()),
    description="Raw webhook payloads and normalised alerts",
    max_age_seconds=7 * 24 * 3600,
)
