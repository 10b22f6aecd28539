"""The one place the incidents service is wired."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar import Litestar

from imas_incidents.catalog.cache import CatalogCache
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.changes.usecases import ChangeUseCases
from imas_incidents.domain import TAG_MODE
from imas_incidents.foreign_events.usecases import ForeignEventUseCases
from imas_incidents.handlers import consumers, endpoints
from imas_incidents.kpis.usecases import KpiUseCases
from imas_incidents.models import outbox
from imas_incidents.orchestration.usecases import OrchestrationUseCases
from imas_incidents.past.usecases import PastIncidentUseCases
from imas_incidents.settings import IncidentsSettings
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.patterns import StoredPatterns
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"
# How often orchestrations past their deadline are looked for.
ORCHESTRATION_CHECK_INTERVAL = 1.0


class IncidentsRuntime(ServiceRuntime):
    """The service runtime and the use cases it runs, typed for the tests and tools that
    reach them."""

    settings: IncidentsSettings
    incidents: IncidentUseCases
    catalog: CatalogUseCases
    kpis: KpiUseCases
    changes: ChangeUseCases
    foreign_events: ForeignEventUseCases
    orchestrations: OrchestrationUseCases


def create_runtime(settings: IncidentsSettings) -> IncidentsRuntime:
    runtime = IncidentsRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    cache = CatalogCache(refused=StoredPatterns("tag_rule", TAG_MODE, bus=runtime.bus))

    def catalog_committed() -> None:
        cache.clear()
        runtime.wake_relay()

    incidents = IncidentUseCases(
        runtime.engine,
        on_commit=runtime.wake_relay,
        catalog=cache,
        orchestration_deadline=settings.orchestration_deadline,
    )
    orchestrations = OrchestrationUseCases(runtime.engine, deadline=settings.orchestration_deadline)
    catalog = CatalogUseCases(runtime.engine, on_commit=catalog_committed)
    kpis, changes = KpiUseCases(runtime.engine), ChangeUseCases(runtime.engine)
    foreign = ForeignEventUseCases(
        runtime.engine, on_commit=runtime.wake_relay, orchestrations=orchestrations
    )
    runtime.incidents, runtime.catalog, runtime.kpis = incidents, catalog, kpis
    runtime.changes, runtime.foreign_events = changes, foreign
    runtime.orchestrations = orchestrations
    runtime.serve(
        *endpoints(incidents, catalog, kpis, changes, PastIncidentUseCases(runtime.engine))
    )
    runtime.consume(*consumers(foreign))

    async def overdue(stopping: asyncio.Event) -> None:
        await orchestrations.run(stopping, ORCHESTRATION_CHECK_INTERVAL)

    runtime.every("orchestrations", overdue)
    return runtime


def create_app(settings: IncidentsSettings) -> Litestar:
    return service_app(create_runtime(settings))
