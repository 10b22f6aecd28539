"""Pure alert rules: fingerprints and the mapping of a submitted alert to open-or-attach."""

from __future__ import annotations

import hashlib

from imas_contracts.incidents import OpenOrAttach
from imas_contracts.ingest import SubmitAlert


def fingerprint(source: str, service_name: str, dedup_key: str) -> str:
    """Alerts with the same fingerprint describe the same problem (and attach together)."""
    material = f"{source}\x1f{service_name}\x1f{dedup_key}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def to_open_or_attach(alert: SubmitAlert) -> OpenOrAttach:
    return OpenOrAttach(
        title=alert.title,
        description=alert.description,
        service_name=alert.service_name.strip(),
        severity=alert.severity,
        dedup_key=alert.dedup_key,
        detected_at=alert.detected_at,
        source="api" if alert.source == "api" else "alert",
        alert_source=alert.source,
        actor=alert.actor,
        tags=alert.tags,
        impacted_scopes=alert.impacted_scopes,
    )
