"""Tables of the notifier service: every page and its delivery attempts."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import UUID

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("channel", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Index("deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("deliveries_by_incident", "incident_id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
