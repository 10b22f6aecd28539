"""Tables of the incidents service: incidents, their timeline, changes, and the catalog."""

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
    # The person an escalation step "to the team's manager" pages.
    Column("manager_id", UUID(as_uuid=True), ForeignKey("people.id", ondelete="SET NULL")),
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
    # In maintenance until then (NULL or past: not in maintenance).
    Column("maintenance_until", DateTime(timezone=True)),
    Column("maintenance_since", DateTime(timezone=True)),
    Column("maintenance_reason", Text, nullable=False, server_default=""),
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
    # Free words in lower case (cto, ciso, dpo) that escalation steps target.
    Column("roles", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
)

# Who belongs to a team (escalation steps can page a team's members).
team_members = Table(
    "team_members",
    metadata,
    Column(
        "team_id", UUID(as_uuid=True), ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "person_id",
        UUID(as_uuid=True),
        ForeignKey("people.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index("team_members_by_person", "person_id"),
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
    # Who acted (user:<id> or token:<id>, see imas_contracts.incidents.ACTOR_ID).
    Column("actor_id", Text),
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
    # Who wrote it (user:<id> or token:<id>): only they edit or delete it.
    Column("author_id", Text),
    Column("body", Text, nullable=False),
    Column("pinned", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("edited_at", DateTime(timezone=True)),
    Column("deleted_at", DateTime(timezone=True)),
    Index("comments_by_incident", "incident_id", "created_at"),
)

# Occurrences counted under a caller's idempotency key (ingest's storm flushes), so that the
# same count sent again after a lost answer is not counted twice. Kept a day (the longest a
# flush is retried or left for another flusher is minutes). A key without an incident was
# voided: settled as never counted, so nothing will ever be counted under it.
counted = Table(
    "counted_occurrences",
    metadata,
    Column("key", Text, primary_key=True),
    Column("incident_id", UUID(as_uuid=True)),
    Column("created", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("counted_occurrences_at", "at"),
)

# Changes on a service (deploys, configuration pushes): they page nobody; each is listed with
# its service and noted on the timeline of the service's unresolved incidents.
changes = Table(
    "changes",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    # The catalog's service when it knows the name the sender gave, else NULL.
    Column("service_id", UUID(as_uuid=True), ForeignKey("services.id", ondelete="SET NULL")),
    Column("service_name", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("source", Text, nullable=False, server_default=""),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("links", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("custom_details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("integration_id", Text, nullable=False, server_default=""),
    Column("incident_ids", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Index("changes_by_service", "service_id", "occurred_at"),
    Index("changes_by_service_name", "service_name", "occurred_at"),
    Index("changes_occurred_at", "occurred_at"),
)

# What the automatic actions of a new incident came to (see ``orchestration``): written when
# the incident opens, filled in as the other services report, closed by the summary line.
orchestrations = Table(
    "orchestrations",
    metadata,
    Column(
        "incident_id",
        UUID(as_uuid=True),
        ForeignKey("incidents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("deadline_at", DateTime(timezone=True), nullable=False),
    Column("state", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("completed_at", DateTime(timezone=True)),
    Index("orchestrations_open", "deadline_at", postgresql_where=text("completed_at IS NULL")),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
