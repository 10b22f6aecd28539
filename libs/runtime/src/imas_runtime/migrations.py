"""Alembic migrations, one history per service, run at start-up under an advisory lock.

A service's ``migrations/env.py`` is two lines: import its metadata and call :func:`run_env`.
"""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from imas_runtime.db import sqlalchemy_url
from imas_runtime.lean import hidden

# Alembic's templates (Mako) would load pygments to highlight their errors (imas_runtime.lean).
with hidden("pygments"):
    from alembic import command, context
    from alembic.config import Config


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return cfg


def upgrade(migrations_dir: Path, database_url: str) -> None:
    """Bring the database to the newest revision (blocking; call from a thread)."""
    command.upgrade(alembic_config(migrations_dir, database_url), "head")


async def upgrade_async(migrations_dir: Path, database_url: str) -> None:
    await asyncio.to_thread(upgrade, migrations_dir, database_url)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's ``env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url is not set"
    lock_id = zlib.crc32(url.rsplit("/", 1)[-1].encode())

    def migrate(connection: Connection) -> None:
        # Two replicas starting together must not both migrate.
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            await conn.run_sync(migrate)
            await conn.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(main())


def autogenerate(service: str, message: str, server_url: str) -> None:
    """Write the next revision of ``service`` by diffing its models against a scratch database.

    ``python -m imas_runtime.migrations <service> "<message>"`` (server from IMAS_DATABASE_URL).
    """
    import importlib
    import uuid as _uuid

    from imas_runtime.db import drop_database, ensure_database, with_database

    package = importlib.import_module(f"imas_{service}")
    assert package.__file__ is not None
    migrations_dir = Path(package.__file__).parent / "migrations"
    scratch = f"scratch_{service}_{_uuid.uuid4().hex[:6]}"
    asyncio.run(ensure_database(server_url, scratch))
    try:
        cfg = alembic_config(migrations_dir, with_database(server_url, scratch))
        command.upgrade(cfg, "head")
        existing = len(list((migrations_dir / "versions").glob("*.py")))
        command.revision(cfg, message=message, autogenerate=True, rev_id=f"{existing + 1:04d}")
    finally:
        asyncio.run(drop_database(server_url, scratch))


if __name__ == "__main__":
    import os
    import sys

    autogenerate(
        sys.argv[1],
        sys.argv[2],
        os.environ.get("IMAS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
