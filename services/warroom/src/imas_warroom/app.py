"""The one place the warroom service is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from imas_runtime.service import ServiceRuntime, service_app
from imas_warroom.models import outbox
from imas_warroom.settings import WarroomSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: WarroomSettings) -> ServiceRuntime:
    return ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)


def create_app(settings: WarroomSettings) -> Litestar:
    return service_app(create_runtime(settings))
