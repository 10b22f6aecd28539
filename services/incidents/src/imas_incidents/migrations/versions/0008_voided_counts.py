"""voided counts: an idempotency key settled as never counted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A key without an incident was voided (incidents.counts.settle.v1): nothing was counted
    # under it and nothing ever will be.
    op.alter_column('counted_occurrences', 'incident_id', existing_type=sa.UUID(), nullable=True)


def downgrade() -> None:
    op.execute('DELETE FROM counted_occurrences WHERE incident_id IS NULL')
    op.alter_column('counted_occurrences', 'incident_id', existing_type=sa.UUID(), nullable=False)
