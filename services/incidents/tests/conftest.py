from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from imas_contracts.incidents import ApplyCatalog, ScopeSpec, ServiceSpec, TeamSpec
from imas_incidents.app import create_runtime
from imas_incidents.catalog.usecases import CatalogUseCases
from imas_incidents.settings import IncidentsSettings
from imas_incidents.usecases import IncidentUseCases
from imas_runtime.service import ServiceRuntime

CATALOG = ApplyCatalog(
    teams=[TeamSpec(name="SRE Core", slack_channel="#sre-core")],
    services=[
        ServiceSpec(name="redis-prod", team="SRE Core"),
        ServiceSpec(name="checkout-api"),
    ],
    scopes=[ScopeSpec(name="Security", mandatory_emails=["ciso@example.com"])],
)


@pytest.fixture
async def incidents_runtime(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[ServiceRuntime]:
    settings = IncidentsSettings(
        service="incidents",
        nats_url=nats_url,
        database_url=postgres_url,
        redis_url=redis_url,
        database=await fresh_database("incidents"),
    )
    runtime = create_runtime(settings)
    await runtime.start()
    yield runtime
    await runtime.stop()


@pytest.fixture
async def usecases(incidents_runtime: ServiceRuntime) -> IncidentUseCases:
    usecases = IncidentUseCases(incidents_runtime.engine, incidents_runtime.wake_relay)
    await CatalogUseCases(incidents_runtime.engine).apply(CATALOG)
    return usecases
