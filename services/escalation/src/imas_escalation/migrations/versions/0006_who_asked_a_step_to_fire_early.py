"""who asked a step to fire early

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('timers', sa.Column('requested_by', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    op.drop_column('timers', 'requested_by')
