"""The first export of a LID is a job planned when the incident opens

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('document_exports', sa.Column('status', sa.Text(), server_default='done', nullable=False))
    op.add_column('document_exports', sa.Column('is_primary', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.add_column('document_exports', sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('document_exports', sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('document_exports', sa.Column('last_error', sa.Text(), nullable=True))
    op.create_index('document_exports_due', 'document_exports', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_index('document_exports_due', table_name='document_exports', postgresql_where=sa.text("status = 'pending'"))
    op.drop_column('document_exports', 'last_error')
    op.drop_column('document_exports', 'next_attempt_at')
    op.drop_column('document_exports', 'attempts')
    op.drop_column('document_exports', 'is_primary')
    op.drop_column('document_exports', 'status')
