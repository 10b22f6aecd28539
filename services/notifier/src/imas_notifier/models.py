"""Tables of the notifier service: the delivery ledger, providers, the catalog projection and
routing rules."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
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

# One row per page: the ledger. ``status``: pending (waiting for its next attempt), sending
# (claimed by a dispatcher until ``lease_until``), sent, failed (refused for good), dead
# (retries exhausted), cancelled (a delayed page whose incident was acknowledged first).
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
    # Where the provider sends it (a Slack channel, a phone number, an e-mail address).
    Column("address", Text, nullable=False, server_default=""),
    # The structured message (title, fields, links, buttons) rich providers render.
    Column("content", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    # page | follow_up | test; follow-ups thread under ``thread_of`` (a delivery id).
    Column("kind", Text, nullable=False, server_default="page"),
    Column("thread_of", UUID(as_uuid=True)),
    Column("lease_until", DateTime(timezone=True)),
    # What the provider answered (a Slack ts, a Twilio SID, an HTTP status and body excerpt).
    Column("provider_response", Text),
    Index(
        "deliveries_due",
        "next_attempt_at",
        postgresql_where=text("status IN ('pending', 'sending')"),
    ),
    Index("deliveries_by_incident", "incident_id"),
    Index("deliveries_by_address", "channel", "address", "created_at"),
)

# Providers configured as data; ``secrets`` holds a Fernet token of a JSON object, never
# plaintext.
providers = Table(
    "providers",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("config", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("secrets", LargeBinary, nullable=False),
    Column("secret_names", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The local projection of the catalog (teams, services, scopes, people) from catalog.changed.
catalog = Table(
    "catalog",
    metadata,
    Column("kind", Text, primary_key=True),
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("data", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)

# Routing rules as data; empty match columns match anything (see imas_notifier.routing).
routing_rules = Table(
    "routing_rules",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("target", Text, nullable=False),
    Column("team_id", Text, nullable=False, server_default=""),
    Column("severity", Text, nullable=False, server_default=""),
    Column("scope_id", Text, nullable=False, server_default=""),
    Column("channels", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("responder", Text, nullable=False, server_default=""),
)

# A person's notification rules (PagerDuty-style): [{"type": "sms", "delay_minutes": 1}, …].
person_rules = Table(
    "person_rules",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("rules", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
)

# Incidents opened by the notifier's own alert on failing pages, with the provider that was
# failing: their pages avoid that provider, and their dead pages raise no further alert.
internal_incidents = Table(
    "internal_incidents",
    metadata,
    Column("incident_id", UUID(as_uuid=True), primary_key=True),
    Column("channel", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One counter per kind of configuration the paging path caches in memory: ``catalog``,
# ``rules`` (routing and person rules) and ``providers``. Triggers on those tables (migration
# 0004) bump it in the writer's transaction, whoever writes, so every replica sees a change
# on the next batch it routes by reading one row.
config_versions = Table(
    "config_versions",
    metadata,
    Column("name", Text, primary_key=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
