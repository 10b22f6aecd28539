"""The one place the ingest service is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from imas_ingest.handlers import endpoints
from imas_ingest.models import outbox
from imas_ingest.settings import IngestSettings
from imas_ingest.usecases import IngestUseCases
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: IngestSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    usecases = IngestUseCases(
        runtime.engine, runtime.bus, incidents_timeout=settings.incidents_timeout
    )
    runtime.serve(*endpoints(usecases))
    return runtime


def create_app(settings: IngestSettings) -> Litestar:
    return service_app(create_runtime(settings))
