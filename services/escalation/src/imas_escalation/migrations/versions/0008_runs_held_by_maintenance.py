"""runs held while their service is in maintenance

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 21:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('timers', sa.Column('held_service', sa.Text(), nullable=True))
    op.add_column('timers', sa.Column('held_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('timers', sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('timers', 'held_at')
    op.drop_column('timers', 'held_until')
    op.drop_column('timers', 'held_service')
