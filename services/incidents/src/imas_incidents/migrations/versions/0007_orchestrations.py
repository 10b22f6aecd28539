"""What the automatic actions of a new incident came to

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('orchestrations',
    sa.Column('incident_id', sa.UUID(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id')
    )
    op.create_index('orchestrations_open', 'orchestrations', ['deadline_at'], unique=False, postgresql_where=sa.text('completed_at IS NULL'))


def downgrade() -> None:
    op.drop_index('orchestrations_open', table_name='orchestrations', postgresql_where=sa.text('completed_at IS NULL'))
    op.drop_table('orchestrations')
