"""Tables of the gateway: API tokens (hashed), users and the audit log (sessions are in
Redis)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    # The first characters of the token, to tell tokens apart in lists; never enough to use.
    Column("prefix", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    # Route tags the token is limited to; empty means every route its role allows.
    Column("scopes", ARRAY(Text), nullable=False, server_default="{}"),
    # Its own rate limit (requests per window of seconds); NULL takes the role's default.
    Column("rate_limit", Integer),
    Column("rate_window", Float),
    Column("created_by", Text, nullable=False, server_default=""),
    # The user a token belongs to (obtained with their password): it works only while they
    # exist and are active, and never with more than their current role.
    Column("user_id", UUID(as_uuid=True)),
    # The token of IMAS_BOOTSTRAP_ADMIN_TOKEN: revoked when that variable changes or empties.
    Column("bootstrap", Boolean, nullable=False, server_default="false"),
    Index("api_tokens_by_user", "user_id"),
)

# Dashboard and API users; passwords are argon2 hashes, never stored or returned in clear.
users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("full_name", Text, nullable=False, server_default=""),
    Column("email", Text, nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_login_at", DateTime(timezone=True)),
    # "<issuer> <subject>" of a user who signs in with single sign-on (OIDC).
    Column("oidc_subject", Text, unique=True),
    # Goes up when the user is disabled, or their role or password changes: every session
    # opened before then ends.
    Column("credentials_version", Integer, nullable=False, server_default="0"),
    # Whether ``email`` is known to be theirs: set by an admin, or verified by the single
    # sign-on provider. Only a verified e-mail links a chat user to this user's role.
    Column("email_verified", Boolean, nullable=False, server_default="true"),
)

# Every mutating API call, append-only: the store has no UPDATE or DELETE for it, and a trigger
# (migration 0003) refuses both.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("token_id", Text),
    Column("user_id", Text),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    # The query string, credentials redacted.
    Column("query", Text, nullable=False, server_default=""),
    Column("route", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("ip", Text, nullable=False),
    Column("forwarded_for", Text, nullable=False),
    Column("user_agent", Text, nullable=False),
    Column("request", JSONB),
    Column("response", JSONB),
    Column("duration_ms", Float, nullable=False),
    Index("audit_log_actor_at", "actor", "at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
