"""The one place the ingest service is wired."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from litestar import Litestar

from imas_contracts import utcnow
from imas_ingest.dead_letters import DeadLetterAlerts
from imas_ingest.handlers import consumers, endpoints
from imas_ingest.heartbeats import Clock, HeartbeatWatch
from imas_ingest.models import integrations, outbox
from imas_ingest.settings import IngestSettings
from imas_ingest.usecases import IngestUseCases
from imas_ingest.webhooks.backlog import BacklogWatch
from imas_ingest.webhooks.pipeline import AlertPipeline
from imas_ingest.webhooks.storm import Coalescer
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


class IngestRuntime(ServiceRuntime):
    """The service runtime and what it runs, typed for the tests and tools that reach them."""

    settings: IngestSettings
    usecases: IngestUseCases
    pipeline: AlertPipeline
    coalescer: Coalescer
    heartbeats: HeartbeatWatch


def create_runtime(settings: IngestSettings, clock: Clock | None = None) -> IngestRuntime:
    runtime = IngestRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    box = runtime.secret_box("the integration's")
    runtime.keep_sealed(integrations.c.secret_encrypted, box)
    # The time heartbeats are pinged and missed at (a test or a benchmark brings its own).
    clock = clock or utcnow
    watch = HeartbeatWatch(
        runtime.engine, clock=clock, poll=settings.heartbeat_poll, on_commit=runtime.wake_relay
    )
    usecases = IngestUseCases(
        runtime.engine,
        runtime.bus,
        box=box,
        triage_service=settings.triage_service,
        incidents_timeout=settings.incidents_timeout,
        on_commit=runtime.wake_relay,
        on_deadline=watch.deadline_committed,
        clock=clock,
    )
    prefix = settings.redis_prefix or f"imas:{settings.database_name}"
    coalescer = Coalescer(
        runtime.redis, usecases.open_or_attach, prefix=prefix, settle=usecases.settle_counts
    )
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
        health=runtime.health,
        restore_streams=runtime.restore_streams,
    )
    backlog = BacklogWatch(
        runtime.bus,
        usecases.open_or_attach,
        service=settings.internal_alert_service,
        warn_ratio=settings.backlog_warn_ratio,
    )
    runtime.usecases, runtime.pipeline = usecases, pipeline
    runtime.coalescer, runtime.heartbeats = coalescer, watch
    runtime.serve(*endpoints(usecases))
    if settings.internal_alert_service:
        runtime.consume(
            *consumers(DeadLetterAlerts(runtime.bus, service=settings.internal_alert_service))
        )
    runtime.every("storm flusher", coalescer.run)
    runtime.every(pipeline.dead_letters.name, pipeline.run)
    runtime.watch_consumer(pipeline.spec)
    runtime.every("ALERTS backlog", backlog.run)
    runtime.every("heartbeat watch", watch.run)
    return runtime


def create_app(settings: IngestSettings) -> Litestar:
    return service_app(create_runtime(settings))
