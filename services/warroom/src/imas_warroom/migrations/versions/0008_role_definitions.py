"""the incident roles, configured through the API

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'role_definitions',
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('position'),
        sa.UniqueConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('role_definitions')
