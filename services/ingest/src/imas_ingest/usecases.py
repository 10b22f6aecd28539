"""Use cases of the ingest service."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import OpenOrAttachReply
from imas_contracts.ingest import SubmitAlert, SubmitAlertReply
from imas_ingest import domain, store
from imas_runtime.bus import Bus


class IngestUseCases:
    def __init__(self, engine: AsyncEngine, bus: Bus, *, incidents_timeout: float = 10.0) -> None:
        self.engine = engine
        self.bus = bus
        self.incidents_timeout = incidents_timeout

    async def submit(self, alert: SubmitAlert) -> SubmitAlertReply:
        """Hand one alert to incidents (open or attach), then record it with its incident.

        The incident decision is durable before this answers. A refusal from incidents (e.g.
        an unknown service) is raised unchanged, so the caller sees the offending field.
        """
        decided = await self.bus.request(
            domain.to_open_or_attach(alert), OpenOrAttachReply, timeout=self.incidents_timeout
        )
        async with self.engine.begin() as conn:
            alert_id = await store.record_alert(
                conn,
                {
                    "source": alert.source,
                    "fingerprint": domain.fingerprint(
                        alert.source, alert.service_name, alert.dedup_key
                    ),
                    "title": alert.title,
                    "service_name": alert.service_name,
                    "severity": alert.severity,
                    "dedup_key": alert.dedup_key,
                    "incident_id": uuid.UUID(decided.incident.id),
                    "opened_incident": decided.created,
                },
            )
        return SubmitAlertReply(
            created=decided.created, alert_id=str(alert_id), incident=decided.incident
        )
