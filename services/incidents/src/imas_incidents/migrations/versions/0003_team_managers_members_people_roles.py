"""team managers and members, people's roles

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-14 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('people', sa.Column('roles', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False))
    op.add_column('teams', sa.Column('manager_id', sa.UUID(), nullable=True))
    op.create_foreign_key('teams_manager_id_fkey', 'teams', 'people', ['manager_id'], ['id'], ondelete='SET NULL')
    op.create_table('team_members',
    sa.Column('team_id', sa.UUID(), nullable=False),
    sa.Column('person_id', sa.UUID(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'person_id')
    )
    op.create_index('team_members_by_person', 'team_members', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index('team_members_by_person', table_name='team_members')
    op.drop_table('team_members')
    op.drop_constraint('teams_manager_id_fkey', 'teams', type_='foreignkey')
    op.drop_column('teams', 'manager_id')
    op.drop_column('people', 'roles')
