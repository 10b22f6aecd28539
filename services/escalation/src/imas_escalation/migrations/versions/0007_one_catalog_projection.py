"""one catalog projection: teams and people in the runtime's catalog table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _entity_table(name: str) -> None:
    op.create_table(name,
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def upgrade() -> None:
    op.create_table('catalog',
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'id')
    )
    # What the service already knew is kept: no catalog event needs replaying.
    op.execute("INSERT INTO catalog (kind, id, name, data) SELECT 'team', id, name, data FROM teams")
    op.execute("INSERT INTO catalog (kind, id, name, data) SELECT 'person', id, name, data FROM people")
    op.drop_table('teams')
    op.drop_table('people')


def downgrade() -> None:
    _entity_table('teams')
    _entity_table('people')
    op.execute("INSERT INTO teams (id, name, data) SELECT id, name, data FROM catalog WHERE kind = 'team'")
    op.execute("INSERT INTO people (id, name, data) SELECT id, name, data FROM catalog WHERE kind = 'person'")
    op.drop_table('catalog')
