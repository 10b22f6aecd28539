"""pages held by their service's maintenance

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('deliveries', sa.Column('service_id', sa.Text(), server_default='', nullable=False))
    op.add_column('deliveries', sa.Column('held_until', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'deliveries_held',
        'deliveries',
        ['service_id'],
        unique=False,
        postgresql_where=sa.text("status = 'pending' AND held_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index('deliveries_held', table_name='deliveries', postgresql_where=sa.text("status = 'pending' AND held_until IS NOT NULL"))
    op.drop_column('deliveries', 'held_until')
    op.drop_column('deliveries', 'service_id')
