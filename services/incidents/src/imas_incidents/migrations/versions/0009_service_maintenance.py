"""a service in maintenance until a given time

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'services', sa.Column('maintenance_until', sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        'services',
        sa.Column('maintenance_reason', sa.Text(), server_default='', nullable=False),
    )


def downgrade() -> None:
    op.drop_column('services', 'maintenance_reason')
    op.drop_column('services', 'maintenance_until')
