"""page actions: answering a page where it arrived

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20 10:00:00.000000
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
    op.create_table(
        'page_actions',
        sa.Column('id', postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column('delivery_id', postgresql.UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column('incident_id', postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column('person_id', sa.Text(), nullable=False),
        sa.Column('person_name', sa.Text(), nullable=False, server_default=''),
        sa.Column('label', sa.Text(), nullable=False, server_default=''),
        sa.Column('channel', sa.Text(), nullable=False),
        sa.Column('address', sa.Text(), nullable=False, server_default=''),
        sa.Column('code', sa.Text(), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('page_actions_by_code', 'page_actions', ['address', 'code', 'expires_at'])
    op.create_index('page_actions_by_expiry', 'page_actions', ['expires_at'])
    op.create_table(
        'page_action_uses',
        sa.Column('action_id', postgresql.UUID(as_uuid=True), sa.ForeignKey('page_actions.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('verb', sa.Text(), primary_key=True),
        sa.Column('via', sa.Text(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=False, server_default=''),
        sa.Column('used_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_table(
        'wrong_codes',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_index('wrong_codes_by_address', 'wrong_codes', ['address', 'at'])
    op.create_table(
        'signing_keys',
        sa.Column('name', sa.Text(), primary_key=True),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('signing_keys')
    op.drop_index('wrong_codes_by_address', table_name='wrong_codes')
    op.drop_table('wrong_codes')
    op.drop_table('page_action_uses')
    op.drop_index('page_actions_by_expiry', table_name='page_actions')
    op.drop_index('page_actions_by_code', table_name='page_actions')
    op.drop_table('page_actions')
