"""config versions bumped by triggers, for the paging path's caches

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table → the config_versions row its writes bump.
WATCHED = {
    'catalog': 'catalog',
    'routing_rules': 'rules',
    'person_rules': 'rules',
    'providers': 'providers',
}


def upgrade() -> None:
    op.create_table('config_versions',
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.execute(
        "INSERT INTO config_versions (name) VALUES ('catalog'), ('rules'), ('providers')"
    )
    op.execute(
        """
        CREATE FUNCTION bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE config_versions SET version = version + 1 WHERE name = TG_ARGV[0];
            RETURN NULL;
        END
        $$
        """
    )
    for table, name in WATCHED.items():
        op.execute(
            f"CREATE TRIGGER {table}_bumps_config_version"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION bump_config_version('{name}')"
        )


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER {table}_bumps_config_version ON {table}")
    op.execute("DROP FUNCTION bump_config_version()")
    op.drop_table('config_versions')
