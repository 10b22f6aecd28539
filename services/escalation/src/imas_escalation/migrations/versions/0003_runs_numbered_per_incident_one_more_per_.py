"""runs numbered per incident, one more per reopen

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 14:44:34.311249
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing runs are their incident's first.
    op.add_column("runs", sa.Column("number", sa.Integer(), server_default="1", nullable=False))
    op.drop_constraint("runs_incident_id_key", "runs", type_="unique")
    op.create_unique_constraint("runs_once_per_incident_number", "runs", ["incident_id", "number"])


def downgrade() -> None:
    # One run per incident again: the runs reopens started go, with their timers.
    op.execute("DELETE FROM timers WHERE run_id IN (SELECT id FROM runs WHERE number > 1)")
    op.execute("DELETE FROM runs WHERE number > 1")
    op.drop_constraint("runs_once_per_incident_number", "runs", type_="unique")
    op.create_unique_constraint("runs_incident_id_key", "runs", ["incident_id"])
    op.drop_column("runs", "number")
