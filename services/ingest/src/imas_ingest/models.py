"""Tables of the ingest service: integrations, alert rules, silences, and every alert received
with what became of it."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

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
    Column("integration_id", UUID(as_uuid=True)),
    Column("name", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False, server_default="firing"),
    # created, attached, suppressed, resolved, flapping, ignored
    Column("outcome", Text, nullable=False, server_default="created"),
    Column("labels", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("raw", JSONB),
    Column("detected_at", DateTime(timezone=True)),
    Column("event_id", Text),
    # The window (a silence, a service's maintenance) that suppressed it, by name.
    Column("suppressed_by", Text),
    Index("alerts_by_fingerprint", "fingerprint", "received_at"),
    Index("alerts_by_incident", "incident_id"),
    Index("alerts_by_integration", "integration_id", "received_at"),
    Index("alerts_by_outcome", "outcome", "received_at"),
)

integrations = Table(
    "integrations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("service", Text, nullable=False, server_default=""),
    # SHA-256 of the secret, to find the integration from a token or routing key.
    Column("secret_hash", Text, nullable=False, unique=True),
    # The secret itself, Fernet-encrypted with IMAS_SECRET_KEY (HMAC keys must be usable).
    Column("secret_encrypted", LargeBinary, nullable=False),
    # Its own webhook rate limit (alerts per second, burst); NULL: the gateway's default.
    Column("rate_limit", Float),
    Column("rate_burst", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("deleted_at", DateTime(timezone=True)),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    # The whole AlertRule as JSON: matchers and mappings are read together, never queried.
    Column("spec", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The watch of each heartbeat integration: ``new`` until its first ping, ``up`` while its pings
# come before ``due_at`` (the last ping + interval + grace), ``down`` from a missed deadline
# until the next ping. The overdue ones are claimed with FOR UPDATE SKIP LOCKED, so any number
# of ingest replicas raise each miss once (see imas_ingest.heartbeats).
heartbeats = Table(
    "heartbeats",
    metadata,
    Column("integration_id", UUID(as_uuid=True), primary_key=True),
    Column("interval_seconds", Float, nullable=False),
    Column("grace_seconds", Float, nullable=False, server_default="0"),
    Column("status", Text, nullable=False, server_default="new"),
    Column("last_ping_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Index("heartbeats_due", "due_at", postgresql_where=text("status = 'up'")),
)

silences = Table(
    "silences",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("spec", JSONB, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("silences_by_end", "ends_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
