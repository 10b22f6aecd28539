"""Tables of the notifier service: the delivery ledger, providers, the catalog projection and
routing rules."""

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
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from imas_runtime.catalog_projection import catalog_table
from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

# One row per page: the ledger. ``status``: pending (waiting for its next attempt), sending
# (claimed by a dispatcher until ``lease_until``), sent, failed (refused for good), dead
# (retries exhausted), cancelled (a delayed page whose incident was acknowledged first),
# undeliverable (no provider serves its channel, or its recipient has no address for it:
# never sent, ``last_error`` says why).
# ``lease_token`` grows by one with every lease: the fencing token a sender must still hold
# for its outcome to be recorded. ``unanswered`` counts the attempts whose outcome is unknown
# (cut at the send deadline, or a sender lost in mid-send): each may have reached the
# provider, so they bound the copies a receiver can get.
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
    Column("lease_token", BigInteger, nullable=False, server_default="0"),
    Column("unanswered", Integer, nullable=False, server_default="0"),
    # What the provider answered (a Slack ts, a Twilio SID, an HTTP status and body excerpt).
    Column("provider_response", Text),
    # The trace of the message that planned the page (a W3C traceparent, empty when tracing
    # is off): its send, however much later, is a span of that trace.
    Column("traceparent", Text, nullable=False, server_default=""),
    # The service whose maintenance holds the page back ("" when none does: see
    # ``domain.Page.service_id``), and until when it was last held.
    Column("service_id", Text, nullable=False, server_default=""),
    Column("held_until", DateTime(timezone=True)),
    Index(
        "deliveries_held",
        "service_id",
        postgresql_where=text("status = 'pending' AND held_until IS NOT NULL"),
    ),
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
catalog = catalog_table(metadata)

# Routing rules as data; empty match columns match anything (see imas_notifier.routing.domain).
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

# One row per incident whose trigger the notifier routed, or that was acknowledged or resolved
# before (its trigger held back by a retry while the later event went through): ``owed``
# lists those events' follow-ups ({verb, message, content}), recorded with the trigger's
# pages when it comes. Both paths upsert the row first, so the later of two concurrent
# transactions waits for the earlier and sees its pages.
incident_triggers = Table(
    "incident_triggers",
    metadata,
    Column("incident_id", UUID(as_uuid=True), primary_key=True),
    Column("routed", Boolean, nullable=False, server_default=text("false")),
    Column("owed", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
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

# Answering a page where it arrived (imas_notifier.page_actions): one row per page to a person
# over SMS, voice, e-mail or ntfy. ``code`` is the SMS reply code (unique among the live ones
# of ``address``, the phone number); ``id`` is what a call's gather URL and signed links name.
page_actions = Table(
    "page_actions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("delivery_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    Column("person_id", Text, nullable=False),
    Column("person_name", Text, nullable=False, server_default=""),
    # What the page was about, as its title said it (the confirmation page shows it).
    Column("label", Text, nullable=False, server_default=""),
    Column("channel", Text, nullable=False),
    Column("address", Text, nullable=False, server_default=""),
    Column("code", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("page_actions_by_code", "address", "code", "expires_at"),
    Index("page_actions_by_expiry", "expires_at"),
)

# Each (page action, verb) carried out, once: the primary key is what makes a code, a link or a
# key press single-use, whichever replica takes it.
page_action_uses = Table(
    "page_action_uses",
    metadata,
    Column(
        "action_id",
        UUID(as_uuid=True),
        ForeignKey("page_actions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("verb", Text, primary_key=True),
    Column("via", Text, nullable=False),
    Column("outcome", Text, nullable=False, server_default=""),
    Column("used_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Wrong SMS codes, per phone number: past a few in a window its replies are refused.
wrong_codes = Table(
    "wrong_codes",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("address", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("wrong_codes_by_address", "address", "at"),
)

# Keys of IMAS's own, sealed like providers' secrets: ``links`` signs page-action links.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("name", Text, primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
