"""Tables of the warroom service: LID documents, their timeline, war rooms, runbooks."""

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
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

NOW = func.now()

# One LID per incident. ``incident`` is the newest snapshot received (``snapshot_at`` says how
# new), so events arriving out of order never roll it back.
documents = Table(
    "documents",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("short_id", Text, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("incident", JSONB, nullable=False),
    Column("snapshot_at", DateTime(timezone=True), nullable=False),
    Column("severity_history", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("runbook_id", UUID(as_uuid=True)),
    Column("root_cause", Text, nullable=False, server_default=""),
    Column("resolution", Text, nullable=False, server_default=""),
    Column("action_items", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# What the LID's timeline shows; one row per event that caused it (``key`` de-duplicates).
timeline_items = Table(
    "timeline_items",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("key", Text, nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("actor", Text),
    Index("timeline_items_incident", "incident_id", "at"),
)

# A war room is also the durable job that opens, updates and archives it: the room loop works
# on rows whose ``next_attempt_at`` / ``archive_due_at`` have come.
rooms = Table(
    "rooms",
    metadata,
    Column("incident_id", UUID(as_uuid=True), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("channel_name", Text, nullable=False, unique=True),
    Column("channel_id", Text),
    Column("header_ref", Text),
    Column("link", Text),
    Column("header_dirty", Boolean, nullable=False, server_default=text("false")),
    # Chat ids invited so far; ``invites_dirty`` when the lead or the scopes changed since.
    Column("invited", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("invites_dirty", Boolean, nullable=False, server_default=text("false")),
    # People added by hand ({person_id, name, chat_id}): invited besides those the incident
    # brings, and named among the LID's participants.
    Column("responders", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("last_error", Text),
    Column("archive_due_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("opened_at", DateTime(timezone=True)),
    Column("archived_at", DateTime(timezone=True)),
)

# Who holds each of an incident's roles (commander, scribe, communications... as configured).
incident_roles = Table(
    "incident_roles",
    metadata,
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("role", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("assigned_by", Text, nullable=False, server_default=""),
    Column("assigned_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    PrimaryKeyConstraint("incident_id", "role"),
)

# The roles every incident can have, in order, when configured through the API (none: the
# service's setting, WARROOM_INCIDENT_ROLES).
role_definitions = Table(
    "role_definitions",
    metadata,
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=False, server_default=""),
)

# Who an incident's status updates go to: people and teams of the catalog (``ref`` their id),
# e-mail addresses and Slack channels (``ref`` the address).
subscribers = Table(
    "subscribers",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("kind", Text, nullable=False),
    Column("ref", Text, nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("added_by", Text, nullable=False, server_default=""),
    Column("added_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    UniqueConstraint("incident_id", "kind", "ref"),
)

# Milestones to post in a room, in order, once it is open.
room_posts = Table(
    "room_posts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("posted_at", DateTime(timezone=True)),
    Index("room_posts_pending", "incident_id", "id", postgresql_where=text("posted_at IS NULL")),
)

runbooks = Table(
    "runbooks",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("service", Text, nullable=False, server_default=""),
    Column("alert_pattern", Text, nullable=False, server_default=""),
    Column("severities", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("description", Text, nullable=False, server_default=""),
    Column("steps", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

step_runs = Table(
    "step_runs",
    metadata,
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("runbook_id", UUID(as_uuid=True), nullable=False),
    Column("step", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("actor", Text),
    Column("note", Text, nullable=False, server_default=""),
    Column("confirmed", Boolean, nullable=False, server_default=text("false")),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("incident_id", "runbook_id", "step"),
)

templates = Table(
    "templates",
    metadata,
    Column("name", Text, primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_by", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# Where LIDs are exported (Confluence, Google Docs). ``sealed_secrets`` is a JSON object of
# secrets encrypted with the service's secret key: never read back out of the service.
exporters = Table(
    "exporters",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("config", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("sealed_secrets", LargeBinary),
    Column("secret_names", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=NOW),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=NOW),
)

# The page (or document) each LID was exported to, per exporter: the first export creates it,
# the next ones update the same ``remote_id``. A row planned when the incident opened is also
# the job of that first export (``status`` pending until done or given up, retried at
# ``next_attempt_at``). ``is_primary``: the document the incident's ``lid_link`` points to.
document_exports = Table(
    "document_exports",
    metadata,
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column(
        "exporter_id",
        UUID(as_uuid=True),
        ForeignKey("exporters.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("remote_id", Text),
    Column("link", Text),
    Column("version", Integer, nullable=False, server_default=text("0")),
    Column("exported_at", DateTime(timezone=True)),
    Column("exported_by", Text),
    Column("status", Text, nullable=False, server_default="done"),
    Column("is_primary", Boolean, nullable=False, server_default=text("false")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_error", Text),
    PrimaryKeyConstraint("incident_id", "exporter_id"),
    Index(
        "document_exports_due",
        "next_attempt_at",
        postgresql_where=text("status = 'pending'"),
    ),
)
