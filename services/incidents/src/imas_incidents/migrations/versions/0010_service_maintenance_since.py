"""when a service's maintenance began

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'services', sa.Column('maintenance_since', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column('services', 'maintenance_since')
