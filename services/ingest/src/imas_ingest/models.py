"""Tables of the ingest service: every alert received, with its fingerprint and incident."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

alerts = Table(
    "alerts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("source", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("service_name", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("dedup_key", Text, nullable=False, server_default=""),
    Column("incident_id", UUID(as_uuid=True)),
    Column("opened_incident", Boolean, nullable=False, server_default="false"),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("alerts_by_fingerprint", "fingerprint", "received_at"),
    Index("alerts_by_incident", "incident_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
