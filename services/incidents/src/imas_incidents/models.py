"""Tables of the incidents service: incidents, their timeline, and the catalog."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
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
    # The team's chat channel, whatever the platform (the column predates other platforms).
    Column("slack_channel", Text),
    Column("email", Text),
    Column("slug", Text, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

services = Table(
    "services",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("team_id", UUID(as_uuid=True), ForeignKey("teams.id", ondelete="SET NULL")),
    Column("criticality_tier", Integer, nullable=False, server_default="3"),
    Column("runbook_url", Text),
    Column("repository_url", Text),
    Column("monitoring_url", Text),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

people = Table(
    "people",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, unique=True),
    Column("phone", Text),
    Column("chat_user_ids", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("time_zone", Text, nullable=False, server_default="UTC"),
    Column("contact_methods", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

tag_rules = Table(
    "tag_rules",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("tag", Text, nullable=False, unique=True),
    Column("pattern", Text, nullable=False),
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
    # Lists and KPIs filter by one of these, then by a creation window.
    Index("incidents_service_created", "service_name", "created_at"),
    Index("incidents_team_created", "team_name", "created_at"),
    Index("incidents_severity_created", "severity", "created_at"),
    Index("incidents_status_created", "status", "created_at"),
    Index("incidents_tags", "tags", postgresql_using="gin"),
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
    # What the entry is about when that can change later (the comment of a NOTE).
    Column("ref_id", Text),
    # Several lines written at the same instant (one edit) keep the order they were written in.
    Column("seq", BigInteger, Identity(), nullable=False),
    Index("timeline_by_incident", "incident_id", "created_at"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column(
        "incident_id",
        UUID(as_uuid=True),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("author", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("pinned", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("edited_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    Index("comments_by_incident", "incident_id", "created_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
