"""Tables of the escalation service: the catalog projection, schedules, policies, runs and
their timers (one row per step, reminder or handoff to fire), and the scheduler heartbeats."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()


def _entity(name: str) -> Table:
    """A catalog entity kept from ``catalog.changed.v1``: its id, name and data."""
    return Table(
        name,
        metadata,
        Column("id", Text, primary_key=True),
        Column("name", Text, nullable=False),
        Column("data", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )


def _config(name: str) -> Table:
    """A team's configuration document (a schedule or a policy), stored as its contract."""
    return Table(
        name,
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("team_id", Text, nullable=False, index=True),
        Column("name", Text, nullable=False),
        Column("spec", JSONB, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


teams = _entity("teams")
people = _entity("people")
schedules = _config("schedules")
policies = _config("policies")

runs = Table(
    "runs",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("incident_id", UUID(as_uuid=True), nullable=False),
    # 1 for the run its trigger started, then one more per reopen.
    Column("number", Integer, nullable=False, server_default="1"),
    Column("team_id", Text),
    Column("policy_id", Text, nullable=False),
    # The policy as it was when the run started: editing a policy never changes a running one.
    Column("policy", JSONB, nullable=False),
    # What the pages say about the incident (title, severity, service, ids).
    Column("incident", JSONB, nullable=False),
    Column("status", Text, nullable=False, server_default="active"),
    Column("stop_reason", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
    UniqueConstraint("incident_id", "number", name="runs_once_per_incident_number"),
)

timers = Table(
    "timers",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    # ``step`` and ``reminder`` belong to a run; ``handoff`` to a schedule.
    Column("kind", Text, nullable=False),
    Column("run_id", UUID(as_uuid=True)),
    Column("schedule_id", UUID(as_uuid=True)),
    Column("step", Integer, nullable=False, server_default="0"),
    Column("repeat", Integer, nullable=False, server_default="0"),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("fired_at", DateTime(timezone=True)),
    Column("targets", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("names", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("channels", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("result", Text),
    UniqueConstraint("run_id", "kind", "step", "repeat", name="timers_once_per_run"),
    Index("timers_due", "due_at", postgresql_where=text("status = 'pending'")),
    Index("timers_by_run", "run_id"),
)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("replica", Text, primary_key=True),
    Column("ticked_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
