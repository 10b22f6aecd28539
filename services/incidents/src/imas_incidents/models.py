"""Tables of the incidents service: incidents, their timeline, and the catalog."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

teams = Table(
    "teams",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("slack_channel", Text),
    Column("email", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

services = Table(
    "services",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("team_id", UUID(as_uuid=True), ForeignKey("teams.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

scopes = Table(
    "impact_scopes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("mandatory_emails", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("short_id", Text, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("service_id", UUID(as_uuid=True), ForeignKey("services.id"), nullable=False),
    Column("service_name", Text, nullable=False),
    Column("team_id", UUID(as_uuid=True)),
    Column("team_name", Text),
    Column("severity", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("dedup_key", Text, nullable=False, server_default=""),
    Column("alert_count", Integer, nullable=False, server_default="1"),
    Column("lead", Text),
    Column("impacted_scopes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("tags", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("lid_link", Text),
    Column("war_room_link", Text),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("mitigated_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # One open incident per (service, dedup key), whatever the concurrency.
    Index(
        "incidents_one_open_per_key",
        "service_id",
        "dedup_key",
        unique=True,
        postgresql_where=text("status IN ('TRIGGERED', 'ACKNOWLEDGED')"),
    ),
    Index("incidents_created_at", "created_at"),
)

timeline = Table(
    "timeline_events",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "incident_id",
        UUID(as_uuid=True),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("type", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("actor", Text),
    Column("source", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("timeline_by_incident", "incident_id", "created_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
