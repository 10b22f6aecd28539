"""The one place the ingest service is wired."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from litestar import Litestar

from imas_ingest.handlers import endpoints
from imas_ingest.models import outbox
from imas_ingest.pipeline import AlertPipeline
from imas_ingest.settings import IngestSettings
from imas_ingest.storm import Coalescer
from imas_ingest.usecases import IngestUseCases
from imas_runtime.secrets_box import key_list
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: IngestSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    usecases = IngestUseCases(
        runtime.engine,
        runtime.bus,
        secret_key=settings.secret_key,
        previous_secret_keys=key_list(settings.previous_secret_keys),
        triage_service=settings.triage_service,
        incidents_timeout=settings.incidents_timeout,
    )
    prefix = settings.redis_prefix or f"imas:{settings.database_name}"
    coalescer = Coalescer(runtime.redis, usecases.open_or_attach, prefix=prefix)
    pipeline = AlertPipeline(
        runtime.engine,
        runtime.bus,
        runtime.redis,
        usecases,
        coalescer,
        prefix=prefix,
        triage_service=settings.triage_service,
        flap_changes=settings.flap_changes,
        flap_window=timedelta(minutes=settings.flap_minutes),
        batch=settings.batch,
    )
    runtime.serve(*endpoints(usecases))
    runtime.every("storm flusher", coalescer.run)
    runtime.every("ingest--ALERTS", pipeline.run)
    return runtime


def create_app(settings: IngestSettings) -> Litestar:
    return service_app(create_runtime(settings))
