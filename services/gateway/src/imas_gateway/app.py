"""The one place the gateway is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from imas_gateway.audit import AuditController, AuditLog
from imas_gateway.auth import PUBLIC, role, role_guard
from imas_gateway.catalog_routes import CATALOG_ROUTES
from imas_gateway.chat_routes import CHAT_ROUTES
from imas_gateway.docs_routes import DOCS_ROUTES, SCHEMA_PATH, document_api, openapi_config
from imas_gateway.escalation_routes import ESCALATION_ROUTES
from imas_gateway.events_routes import EVENTS_ROUTES
from imas_gateway.input_guard import storable_input_guard
from imas_gateway.metrics_export import METRICS_EXPORT_ROUTES
from imas_gateway.middleware import audit_middleware, headers_middleware
from imas_gateway.models import outbox
from imas_gateway.notification_routes import NOTIFICATION_ROUTES
from imas_gateway.oidc_routes import OIDC_ROUTES, setup_oidc
from imas_gateway.problems import HANDLERS
from imas_gateway.provider_routes import PROVIDER_ROUTES
from imas_gateway.ratelimit import RateLimiter
from imas_gateway.routes import IncidentController
from imas_gateway.settings import GatewaySettings
from imas_gateway.token_routes import TOKEN_ROUTES
from imas_gateway.ui import UI_ROUTES, session_middleware, setup_ui
from imas_gateway.usecases import Authenticator, IncidentApi, Tokens
from imas_gateway.warroom_routes import WARROOM_ROUTES
from imas_gateway.webhook_core import Webhooks
from imas_gateway.webhooks import WEBHOOK_ROUTES
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"
# Served by the runtime and the OpenAPI plugin, which declare no role of their own.
RUNTIME_PUBLIC = ("/healthz", "/readyz", "/metrics", SCHEMA_PATH)


def create_app(settings: GatewaySettings) -> Litestar:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    authenticator = Authenticator(runtime.engine, cache_seconds=settings.token_cache_seconds)
    if settings.bootstrap_admin_token:
        token = settings.bootstrap_admin_token

        async def bootstrap() -> None:
            await authenticator.ensure_bootstrap_token(token)

        runtime.on_start(bootstrap)
    app = service_app(
        runtime,
        IncidentController,
        *CATALOG_ROUTES,
        *METRICS_EXPORT_ROUTES,
        *ESCALATION_ROUTES,
        *WEBHOOK_ROUTES,
        *WARROOM_ROUTES,
        *CHAT_ROUTES,
        *PROVIDER_ROUTES,
        *NOTIFICATION_ROUTES,
        *TOKEN_ROUTES,
        *EVENTS_ROUTES,
        AuditController,
        *DOCS_ROUTES,
        *OIDC_ROUTES,
        *UI_ROUTES,
        # Every route goes through the one role guard (see imas_gateway.auth), then the check
        # that its input can be stored at all.
        guards=[role_guard, storable_input_guard],
        middleware=[session_middleware, audit_middleware],
        exception_handlers=HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
    )
    _declare_runtime_routes_public(app)
    document_api(app)
    # Outermost, so routing errors (404, 405) get the security headers too.
    app.asgi_handler = headers_middleware(app.asgi_handler)
    limiter = RateLimiter(runtime.redis)
    app.state.settings = settings
    app.state.rate_limiter = limiter
    app.state.authenticator = authenticator
    app.state.tokens = Tokens(runtime.engine, authenticator)
    app.state.audit = AuditLog(runtime.engine)
    app.state.webhooks = Webhooks(runtime.bus, settings, limiter)
    setup_ui(app, settings)
    setup_oidc(app, settings)
    app.state.incident_api = IncidentApi(runtime.bus, timeout=settings.upstream_timeout)
    return app


def _declare_runtime_routes_public(app: Litestar) -> None:
    for route in app.routes:
        if route.path.startswith(RUNTIME_PUBLIC):
            for handler in getattr(route, "route_handlers", ()):
                if "role" not in handler.opt:
                    handler.opt.update(role(PUBLIC, audit=False))
