"""The one place the gateway is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from imas_gateway.api import (
    alert_rules,
    alerts,
    audit,
    changes,
    deliveries,
    docs,
    escalation,
    escalation_policies,
    events,
    incident_roles,
    incidents,
    integrations,
    lid_exporters,
    lid_template,
    metrics,
    notification_providers,
    people,
    routing_rules,
    runbooks,
    schedules,
    scopes,
    services,
    silences,
    tag_rules,
    teams,
    tokens,
    users,
)
from imas_gateway.audit import AuditLog
from imas_gateway.auth.guard import PUBLIC, ROUTE, authenticate, role, role_guard
from imas_gateway.auth.oidc import OidcConfig, SingleSignOn
from imas_gateway.auth.oidc_routes import oidc_callback, oidc_login
from imas_gateway.auth.passwords import Passwords
from imas_gateway.auth.ratelimit import RateLimiter
from imas_gateway.auth.sessions import SessionStore, session_middleware
from imas_gateway.auth.shared_buckets import SharedBuckets
from imas_gateway.auth.throttle import SignInThrottle, networks
from imas_gateway.auth.tokens import Authenticator, Tokens
from imas_gateway.auth.users import UserDirectory
from imas_gateway.http.body import Body
from imas_gateway.http.input_guard import storable_input_guard
from imas_gateway.http.middleware import audit_middleware, headers_middleware
from imas_gateway.http.problems import HANDLERS
from imas_gateway.http.request import Request
from imas_gateway.http.streams import StreamSlots
from imas_gateway.http.upstream import Upstream
from imas_gateway.http.webhook_metrics import webhook_metrics_middleware
from imas_gateway.inbound import chat, heartbeats, page_actions, webhooks
from imas_gateway.inbound.intake import Intake
from imas_gateway.inbound.lean import lean_webhooks
from imas_gateway.inbound.overload import Overload
from imas_gateway.inbound.sms_replies import SmsRepliesPoller
from imas_gateway.models import outbox
from imas_gateway.settings import GatewaySettings, check_settings
from imas_gateway.state import STATE_KEY, GatewayState
from imas_gateway.ui import DASHBOARD
from imas_gateway.ui.admin import api as admin_api
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"
# Served by the runtime and the OpenAPI plugin, which declare no role of their own.
RUNTIME_PUBLIC = ("/healthz", "/readyz", docs.SCHEMA_PATH)


def create_app(settings: GatewaySettings) -> Litestar:
    check_settings(settings)
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    gateway = _parts(settings, runtime)

    async def credentials() -> None:
        await gateway.authenticator.listen()
        await gateway.intake.listen()
        await gateway.authenticator.set_bootstrap_token(settings.bootstrap_admin_token)
        await gateway.authenticator.cap_lifetimes(settings.token_max_days)
        if settings.bootstrap_admin_password:
            await gateway.users.ensure_bootstrap_admin(settings.bootstrap_admin_password)

    runtime.on_start(credentials)
    runtime.every("rate limits in step", lambda stopping: gateway.limits.run(runtime.bus, stopping))
    runtime.every("SMS replies", gateway.sms_replies.run)
    app = service_app(
        runtime,
        # The public API, by URL: /api/v1/incidents/ and everything under an incident...
        incidents.IncidentController,
        incidents.IncidentDocumentController,
        incidents.IncidentRunbookController,
        incidents.IncidentEscalationController,
        incidents.IncidentWarRoomController,
        incidents.IncidentRolesController,
        incidents.IncidentUpdatesController,
        incidents.IncidentDeliveryController,
        incidents.DocumentController,
        # ... then /api/v1/<segment>/ in alphabetical order.
        alert_rules.AlertRuleController,
        alerts.AlertController,
        audit.AuditController,
        changes.ChangeController,
        deliveries.DeliveryController,
        escalation.EscalationCheckController,
        escalation_policies.PolicyController,
        events.events_stream,
        incident_roles.IncidentRoleController,
        integrations.IntegrationController,
        lid_exporters.ExporterController,
        lid_template.TemplateController,
        metrics.MetricsController,
        metrics.export_csv,
        metrics.export_json,
        notification_providers.ProviderController,
        people.PersonController,
        people.PersonCalendarController,
        people.PersonPagingController,
        routing_rules.RoutingRuleController,
        runbooks.RunbookController,
        schedules.ScheduleController,
        scopes.ScopeController,
        services.ServiceController,
        silences.SilenceController,
        tag_rules.TagRuleController,
        teams.TeamController,
        teams.TeamOnCallController,
        tokens.TokenController,
        tokens.TokenAuthController,
        users.UsersController,
        docs.swagger_ui,
        docs.redoc,
        docs.STATIC_ROUTER,
        # What other platforms call: alert webhooks, PagerDuty's Events API, chat callbacks.
        webhooks.receive_webhook,
        heartbeats.heartbeat_ping,
        webhooks.pagerduty_enqueue,
        webhooks.pagerduty_change,
        chat.ChatController,
        # Answers to pages from where they arrived: SMS replies, call key presses, signed links.
        page_actions.twilio_sms,
        page_actions.twilio_voice,
        page_actions.confirm_page_action,
        page_actions.do_page_action,
        # The dashboard and its single sign-on.
        oidc_login,
        oidc_callback,
        DASHBOARD,
        # Every route goes through the one role guard (see imas_gateway.auth.guard), then the check
        # that its input can be stored at all.
        guards=[role_guard, storable_input_guard],
        middleware=[session_middleware, audit_middleware, webhook_metrics_middleware],
        dependencies=_dependencies(gateway),
        exception_handlers=HANDLERS,
        request_class=Request,
        # Every handler's body is decoded into the type its ``data`` declares (http.body).
        dto=Body,
        return_dto=None,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=docs.openapi_config(),
    )
    _declare_runtime_routes_public(app)
    # Outermost, so routing errors (404, 405) get the security headers too; alert webhooks
    # are answered in front of it all, by the lean path (which writes the same headers).
    app.asgi_handler = lean_webhooks(
        headers_middleware(app.asgi_handler), gateway.intake, settings.service
    )
    app.state[STATE_KEY] = gateway
    # The API's roles by route, for the configuration pages' links and forms.
    app.state[admin_api.ROUTES_KEY] = admin_api.api_routes(app)
    return app


def _parts(settings: GatewaySettings, runtime: ServiceRuntime) -> GatewayState:
    """Every long-lived part of the gateway, each made once."""
    mesh = Upstream(runtime.bus, timeout=settings.upstream_timeout)
    authenticator = Authenticator(
        runtime.engine, cache_seconds=settings.token_cache_seconds, bus=runtime.bus
    )
    sessions = SessionStore(
        runtime.redis, idle_seconds=settings.session_idle_seconds, authenticator=authenticator
    )
    passwords = Passwords(
        concurrency=settings.password_hash_concurrency,
        waiting=settings.password_hash_waiting,
        memory_kib=settings.password_hash_memory_kib,
        time_cost=settings.password_hash_time_cost,
    )
    oidc = OidcConfig.from_settings(settings)
    limits = SharedBuckets()
    users = UserDirectory(runtime.engine, authenticator, passwords, sign_out=sessions.sign_out_user)
    return GatewayState(
        settings=settings,
        runtime=runtime,
        mesh=mesh,
        authenticator=authenticator,
        tokens=Tokens(runtime.engine, authenticator),
        users=users,
        sessions=sessions,
        oidc=SingleSignOn(oidc, runtime.redis, timeout=settings.upstream_timeout)
        if oidc is not None
        else None,
        limits=limits,
        sign_in=SignInThrottle(
            RateLimiter(runtime.redis),
            failures=settings.sign_in_failures,
            window_seconds=settings.sign_in_window_seconds,
            trusted_proxies=networks(settings.trusted_proxies),
            namespace=settings.database_name,
        ),
        audit=AuditLog(runtime.engine),
        sms_replies=SmsRepliesPoller(
            mesh,
            users,
            runtime.redis,
            interval=settings.sms_replies_poll_seconds,
            namespace=settings.database_name,
        ),
        stream_slots=StreamSlots(
            runtime.redis,
            per_identity=settings.streams_per_identity,
            recheck_seconds=settings.stream_recheck_seconds,
        ),
        intake=Intake(
            mesh,
            runtime.bus,
            settings,
            limits,
            Overload(
                answer_seconds=settings.webhook_answer_seconds,
                min_in_flight=settings.webhook_min_in_flight,
            ),
        ),
    )


def _dependencies(gateway: GatewayState) -> dict[str, Provide]:
    """What handlers take by name: the caller, and the parts they use."""

    def constant(value: object) -> Provide:
        return Provide(lambda: value, use_cache=True, sync_to_thread=False)

    return {
        "principal": Provide(authenticate),
        "mesh": constant(gateway.mesh),
        "tokens": constant(gateway.tokens),
        "users": constant(gateway.users),
        "audit": constant(gateway.audit),
        "intake": constant(gateway.intake),
        "settings": constant(gateway.settings),
        "sign_in": constant(gateway.sign_in),
    }


def _declare_runtime_routes_public(app: Litestar) -> None:
    for route in app.routes:
        if route.path.startswith(RUNTIME_PUBLIC):
            for handler in getattr(route, "route_handlers", ()):
                if ROUTE not in handler.opt:
                    handler.opt.update(role(PUBLIC, audit=False))
