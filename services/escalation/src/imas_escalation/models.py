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

from imas_runtime.catalog_projection import catalog_table
from imas_runtime.outbox import inbox_table, outbox_table

metadata = MetaData()


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


# The teams and people of the catalog, kept from catalog.changed.v1 (imas_runtime).
catalog = catalog_table(metadata)
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
    # The trace of the event that started the run (a W3C traceparent, empty when tracing is
    # off): each step it fires, however much later, is a span of that trace.
    Column("traceparent", Text, nullable=False, server_default=""),
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
    # Who had a step fire before its due time (escalate now), by name; "" otherwise.
    Column("requested_by", Text, nullable=False, server_default=""),
    # A run held by its service's maintenance: every pending timer of the run moved by the
    # time held, with the service (an early end moves them back) and the end they were moved
    # to; ``held_at`` marks the timer that was due when the run was held (it "resumes").
    Column("held_service", Text),
    # The window that held it, by name (``maintenance of <service>``, ``silence <id> (…)``).
    Column("held_window", Text),
    Column("held_until", DateTime(timezone=True)),
    Column("held_at", DateTime(timezone=True)),
    UniqueConstraint("run_id", "kind", "step", "repeat", name="timers_once_per_run"),
    Index("timers_due", "due_at", postgresql_where=text("status = 'pending'")),
    Index("timers_by_run", "run_id"),
)

# Stops (acknowledge, mitigate, resolve) that found no active run: the trigger or reopen they
# follow may not have arrived yet (events can come out of order: redelivery, replicas). Kept
# per incident with the latest stop's time, so that late start never pages.
tombstones = Table(
    "tombstones",
    metadata,
    Column("incident_id", UUID(as_uuid=True), primary_key=True),
    Column("reason", Text, nullable=False),
    # When incidents recorded the stop (the event's ``occurred_at``).
    Column("stopped_at", DateTime(timezone=True), nullable=False),
)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("replica", Text, primary_key=True),
    Column("ticked_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
