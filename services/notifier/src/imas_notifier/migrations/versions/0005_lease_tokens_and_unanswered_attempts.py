"""lease tokens and unanswered attempts of deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('deliveries', sa.Column('lease_token', sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('deliveries', sa.Column('unanswered', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('deliveries', 'unanswered')
    op.drop_column('deliveries', 'lease_token')
