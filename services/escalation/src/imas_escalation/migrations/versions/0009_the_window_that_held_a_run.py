"""the window that held a run, by name

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('timers', sa.Column('held_window', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('timers', 'held_window')
