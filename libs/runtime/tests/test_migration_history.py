"""Each service's migrations form one line: two changes landed side by side that both wrote
revision N leave two heads, and the service then refuses to start (alembic cannot choose)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from imas_runtime.migrations import alembic_config

pytestmark = pytest.mark.unit

SERVICES = sorted(Path(__file__).parents[3].glob("services/*/src/imas_*/migrations"))


def test_every_service_has_migrations() -> None:
    assert len(SERVICES) == 6, SERVICES


@pytest.mark.parametrize("migrations", SERVICES, ids=lambda p: p.parents[1].name)
def test_migrations_are_one_line_numbered_in_order(migrations: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config(migrations, "postgresql://x@h/d"))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"
    chain = [r.revision for r in script.walk_revisions()][::-1]
    assert chain == [f"{n:04d}" for n in range(1, len(chain) + 1)], chain
