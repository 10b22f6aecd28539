"""follow-ups owed before the trigger was routed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'incident_triggers',
        sa.Column('incident_id', postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column('routed', sa.Boolean(), nullable=False, server_default=sa.text('false')),
        sa.Column('owed', postgresql.JSONB(), nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('incident_triggers')
