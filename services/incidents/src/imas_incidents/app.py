"""The one place the incidents service is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from imas_incidents.catalog_cache import CatalogCache
from imas_incidents.handlers import consumers, endpoints
from imas_incidents.models import outbox
from imas_incidents.settings import IncidentsSettings
from imas_incidents.usecases import IncidentUseCases
from imas_incidents.usecases_catalog import CatalogUseCases
from imas_incidents.usecases_events import ForeignEventUseCases
from imas_incidents.usecases_kpis import KpiUseCases
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: IncidentsSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    cache = CatalogCache()

    def catalog_committed() -> None:
        cache.clear()
        runtime.wake_relay()

    incidents = IncidentUseCases(runtime.engine, on_commit=runtime.wake_relay, catalog=cache)
    catalog = CatalogUseCases(runtime.engine, on_commit=catalog_committed)
    runtime.serve(*endpoints(incidents, catalog, KpiUseCases(runtime.engine)))
    runtime.consume(*consumers(ForeignEventUseCases(runtime.engine, on_commit=runtime.wake_relay)))
    return runtime


def create_app(settings: IncidentsSettings) -> Litestar:
    return service_app(create_runtime(settings))
