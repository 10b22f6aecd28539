"""The one place the gateway is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.openapi import OpenAPIConfig

from imas_gateway.catalog_routes import CATALOG_ROUTES
from imas_gateway.models import outbox
from imas_gateway.problems import HANDLERS
from imas_gateway.routes import IncidentController
from imas_gateway.settings import GatewaySettings
from imas_gateway.usecases import Authenticator, IncidentApi
from imas_gateway.warroom_routes import WARROOM_ROUTES
from imas_gateway.webhooks import WEBHOOK_ROUTES
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: GatewaySettings) -> Litestar:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    authenticator = Authenticator(runtime.engine)
    if settings.bootstrap_admin_token:
        token = settings.bootstrap_admin_token

        async def bootstrap() -> None:
            await authenticator.ensure_bootstrap_token(token)

        runtime.on_start(bootstrap)
    app = service_app(
        runtime,
        IncidentController,
        *CATALOG_ROUTES,
        *WEBHOOK_ROUTES,
        *WARROOM_ROUTES,
        exception_handlers=HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="IMAS API",
            version="1.0.0",
            path="/api/schema",
            description="Incident Management At Scale: incidents, alerts, on-call and more.",
        ),
    )
    app.state.authenticator = authenticator
    app.state.incident_api = IncidentApi(runtime.bus, timeout=settings.upstream_timeout)
    return app
