"""Use cases of the ingest service: API alerts, integrations, alert rules, silences, queries."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import OpenOrAttach, OpenOrAttachReply
from imas_contracts.ingest import (
    OUTCOMES,
    SOURCES,
    AlertPage,
    AlertRecord,
    AlertRule,
    AlertRuleList,
    AlertRuleReply,
    AuthenticateWebhook,
    CreateIntegration,
    CreateSilence,
    DeleteAlertRule,
    DeleteIntegration,
    DeleteSilence,
    Integration,
    IntegrationList,
    IntegrationReply,
    ListAlertRules,
    ListAlerts,
    ListIntegrations,
    ListSilences,
    SaveAlertRule,
    Silence,
    SilenceList,
    SilenceReply,
    SubmitAlert,
    SubmitAlertReply,
    UpdateIntegration,
)
from imas_ingest import credentials, domain, store
from imas_runtime.bus import Bus
from imas_runtime.errors import Invalid, NotFound, RequestFailed, ServiceError
from imas_runtime.logs import get_logger

log = get_logger(__name__)


class Unauthorized(ServiceError):
    code = "unauthorized"


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no {field} {value}") from None


def integration_of(row: Any, secret: str | None = None) -> Integration:
    return Integration(
        id=str(row.id),
        name=row.name,
        type=row.type,
        service=row.service,
        webhook_path="/v2/enqueue" if row.type == "pagerduty" else f"/api/v1/webhooks/{row.type}/",
        created_at=row.created_at,
        secret=secret,
        rate_limit=row.rate_limit,
        rate_burst=row.rate_burst,
    )


class IngestUseCases:
    """Everything ingest answers over request/reply; rules and silences are cached briefly
    for the alert pipeline (a change applies within ``cache_seconds``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        *,
        secret_key: str,
        previous_secret_keys: list[str] | None = None,
        triage_service: str = "triage",
        incidents_timeout: float = 10.0,
        cache_seconds: float = 2.0,
    ) -> None:
        self.engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.bus = bus
        self.box = credentials.fernet(secret_key, previous_secret_keys)
        self.triage_service = triage_service
        self.incidents_timeout = incidents_timeout
        self.cache_seconds = cache_seconds
        self._rules: tuple[float, list[AlertRule]] = (0.0, [])
        self._silences: tuple[float, list[Silence]] = (0.0, [])

    # -- the API's synchronous alert ---------------------------------------------------------

    async def submit(self, alert: SubmitAlert) -> SubmitAlertReply:
        """Hand one alert to incidents (open or attach), then record it with its incident.

        The incident decision is durable before this answers. A refusal from incidents (e.g.
        an unknown service) is raised unchanged, so the caller sees the offending field.
        Each call counts one occurrence: not safe to retry blindly.
        """
        decided = await self.bus.request(
            domain.to_open_or_attach(alert), OpenOrAttachReply, timeout=self.incidents_timeout
        )
        # One INSERT: autocommit spares the BEGIN / COMMIT round trips on this hot path.
        async with self._autocommit.connect() as conn:
            alert_id = await store.record_alert(
                conn,
                {
                    "source": alert.source,
                    "fingerprint": domain.api_fingerprint(
                        alert.source, alert.service_name, alert.dedup_key
                    ),
                    "title": alert.title,
                    "name": alert.title,
                    "service_name": alert.service_name,
                    "severity": alert.severity,
                    "dedup_key": alert.dedup_key,
                    "incident_id": uuid.UUID(decided.incident.id),
                    "opened_incident": decided.created,
                    "outcome": "created" if decided.created else "attached",
                    "detected_at": alert.detected_at,
                },
            )
        return SubmitAlertReply(
            created=decided.created, alert_id=str(alert_id), incident=decided.incident
        )

    async def open_or_attach(self, request: OpenOrAttach) -> OpenOrAttachReply:
        """Open-or-attach; an alert for a service the catalog does not know goes to the triage
        service instead (never dropped)."""
        try:
            return await self.bus.request(
                request, OpenOrAttachReply, timeout=self.incidents_timeout
            )
        except RequestFailed as exc:
            unknown = exc.code == "invalid" and any(e.field == "service_name" for e in exc.errors)
            if not unknown or request.service_name == self.triage_service:
                raise
        note = f"Routed to triage: IMAS knows no service named '{request.service_name}'."
        rerouted = msgspec.structs.replace(
            request,
            service_name=self.triage_service,
            description=f"{note}\n\n{request.description}".strip(),
            tags=[*request.tags, f"unknown_service:{request.service_name}"][:21],
        )
        return await self.bus.request(rerouted, OpenOrAttachReply, timeout=self.incidents_timeout)

    # -- integrations --------------------------------------------------------------------------

    async def create_integration(self, cmd: CreateIntegration) -> IntegrationReply:
        """Create an integration with a fresh secret, shown in this reply only."""
        if not cmd.name.strip():
            raise Invalid.field("name", "must not be empty")
        if cmd.kind not in SOURCES:
            raise Invalid.field("type", f"must be one of {', '.join(SOURCES)}")
        limit = domain.rate_limit_values(cmd.rate_limit, cmd.rate_burst)
        secret = credentials.new_secret()
        async with self.engine.begin() as conn:
            row = await store.insert_integration(
                conn,
                {
                    "id": uuid.uuid4(),
                    "name": cmd.name.strip(),
                    "type": cmd.kind,
                    "service": cmd.service.strip(),
                    "secret_hash": credentials.lookup_hash(secret),
                    "secret_encrypted": credentials.encrypt(self.box, secret),
                    **limit,
                },
            )
        return IntegrationReply(integration=integration_of(row, secret))

    async def list_integrations(self, _: ListIntegrations) -> IntegrationList:
        async with self.engine.connect() as conn:
            rows = await store.list_integrations(conn)
        return IntegrationList(integrations=[integration_of(r) for r in rows])

    async def update_integration(self, cmd: UpdateIntegration) -> IntegrationReply:
        """Rename, move to another service, or change the rate limit (see the message)."""
        values: dict[str, Any] = {}
        if cmd.name is not None:
            if not cmd.name.strip():
                raise Invalid.field("name", "must not be empty")
            values["name"] = cmd.name.strip()
        if cmd.service is not None:
            values["service"] = cmd.service.strip()
        if cmd.set_rate_limit:
            values.update(domain.rate_limit_values(cmd.rate_limit, cmd.rate_burst))
        ref = _uuid(cmd.id, "integration")
        async with self.engine.begin() as conn:
            if values:
                row = await store.update_integration(conn, ref, values)
            else:
                row = await store.find_integration(conn, id=ref)
        if row is None:
            raise NotFound(f"no integration {cmd.id}")
        return IntegrationReply(integration=integration_of(row))

    async def delete_integration(self, cmd: DeleteIntegration) -> IntegrationReply:
        """Delete (disable) an integration. Safe to run twice: the second answers not_found."""
        async with self.engine.begin() as conn:
            row = await store.delete_integration(conn, _uuid(cmd.id, "integration"))
        if row is None:
            raise NotFound(f"no integration {cmd.id}")
        return IntegrationReply(integration=integration_of(row))

    async def authenticate(self, cmd: AuthenticateWebhook) -> IntegrationReply:
        """The integration that sent a webhook, or ``unauthorized``. Read-only."""
        async with self.engine.connect() as conn:
            if cmd.token:
                row = await store.find_integration(
                    conn, secret_hash=credentials.lookup_hash(cmd.token)
                )
            elif cmd.integration_id and cmd.signature:
                try:
                    ref = uuid.UUID(cmd.integration_id)
                except ValueError:
                    raise Unauthorized.field("integration", "unknown integration") from None
                row = await store.find_integration(conn, id=ref)
            else:
                raise Unauthorized.field(
                    "token", "send ?token=<integration key> or a signed request"
                )
        if row is None:
            raise Unauthorized.field("token", "unknown or deleted integration key")
        if row.type != cmd.source:
            raise Unauthorized.field("token", f"this key belongs to a {row.type} integration")
        if not cmd.token:
            key = credentials.decrypt(self.box, row.secret_encrypted)
            try:
                if cmd.source == "sentry":
                    credentials.verify_sentry(
                        key, cmd.body, cmd.signature, cmd.timestamp, time.time()
                    )
                else:
                    credentials.verify_custom(key, cmd.body, cmd.signature, time.time())
            except credentials.BadCredentials as exc:
                raise Unauthorized.field("signature", str(exc)) from None
        return IntegrationReply(integration=integration_of(row))

    # -- alert rules ---------------------------------------------------------------------------

    async def save_rule(self, cmd: SaveAlertRule) -> AlertRuleReply:
        """Create or replace a rule (by ``id``). Safe to run twice with the same id."""
        rule = cmd.rule
        if not rule.name.strip():
            raise Invalid.field("name", "must not be empty")
        if rule.alert_name:
            domain.check_regex(rule.alert_name, "alert_name")
        for m in rule.matchers:
            if m.op in ("=~", "!~"):
                domain.check_regex(m.value, "matchers")
        for value in rule.severity_map.values():
            if domain.severity_of(value) is None and value not in domain.SEVERITY_NAMES.values():
                raise Invalid.field("severity_map", f"'{value}' is not SEV1..SEV4")
        rule_id = _uuid(rule.id, "rule") if rule.id else uuid.uuid4()
        rule = msgspec.structs.replace(rule, id=str(rule_id))
        async with self.engine.begin() as conn:
            await store.save_rule(
                conn, rule_id, rule.position, rule.name, msgspec.to_builtins(rule)
            )
        self._rules = (0.0, [])
        return AlertRuleReply(rule=rule)

    async def list_rules(self, _: ListAlertRules | None = None) -> AlertRuleList:
        async with self.engine.connect() as conn:
            rows = await store.list_rules(conn)
        return AlertRuleList(rules=[msgspec.convert(r.spec, AlertRule) for r in rows])

    async def delete_rule(self, cmd: DeleteAlertRule) -> AlertRuleReply:
        async with self.engine.begin() as conn:
            row = await store.delete_rule(conn, _uuid(cmd.id, "rule"))
        if row is None:
            raise NotFound(f"no alert rule {cmd.id}")
        self._rules = (0.0, [])
        return AlertRuleReply(rule=msgspec.convert(row.spec, AlertRule))

    async def rules(self) -> list[AlertRule]:
        if self._rules[0] < time.monotonic():
            self._rules = (time.monotonic() + self.cache_seconds, (await self.list_rules()).rules)
        return self._rules[1]

    # -- silences ------------------------------------------------------------------------------

    async def create_silence(self, cmd: CreateSilence) -> SilenceReply:
        """Create a silence. Each call creates a new one."""
        silence = cmd.silence
        if not silence.matchers:
            raise Invalid.field("matchers", "at least one matcher is required")
        if silence.ends_at <= silence.starts_at:
            raise Invalid.field("ends_at", "must be after starts_at")
        for m in silence.matchers:
            if m.op in ("=~", "!~"):
                domain.check_regex(m.value, "matchers")
        silence_id = uuid.uuid4()
        silence = msgspec.structs.replace(silence, id=str(silence_id))
        async with self.engine.begin() as conn:
            await store.insert_silence(
                conn,
                silence_id,
                msgspec.to_builtins(silence),
                silence.starts_at,
                silence.ends_at,
            )
        self._silences = (0.0, [])
        return SilenceReply(silence=silence)

    async def list_silences(self, query: ListSilences) -> SilenceList:
        async with self.engine.connect() as conn:
            rows = await store.list_silences(
                conn, ending_after=None if query.include_expired else datetime.now(UTC)
            )
        return SilenceList(silences=[msgspec.convert(r.spec, Silence) for r in rows])

    async def delete_silence(self, cmd: DeleteSilence) -> SilenceReply:
        """End a silence now (kept for the record). Safe to run twice."""
        async with self.engine.begin() as conn:
            row = await store.end_silence(conn, _uuid(cmd.id, "silence"), datetime.now(UTC))
        if row is None:
            raise NotFound(f"no silence {cmd.id}")
        self._silences = (0.0, [])
        return SilenceReply(silence=msgspec.convert(row.spec, Silence))

    async def silences(self) -> list[Silence]:
        if self._silences[0] < time.monotonic():
            found = (await self.list_silences(ListSilences())).silences
            self._silences = (time.monotonic() + self.cache_seconds, found)
        return self._silences[1]

    # -- alert outcomes ------------------------------------------------------------------------

    async def list_alerts(self, query: ListAlerts) -> AlertPage:
        """Alerts newest first; ``status`` filters by outcome."""
        if query.status and query.status not in OUTCOMES:
            raise Invalid.field("status", f"must be one of {', '.join(OUTCOMES)}")
        integration = None
        if query.integration:
            try:
                integration = uuid.UUID(query.integration)
            except ValueError:
                raise Invalid.field("integration", "must be an integration id") from None
        async with self.engine.connect() as conn:
            count, rows = await store.list_alerts(
                conn,
                integration=integration,
                outcome=query.status,
                fingerprint=query.fingerprint,
                limit=max(1, min(query.limit, 500)),
                offset=max(0, query.offset),
            )
        return AlertPage(
            count=count,
            results=[
                AlertRecord(
                    id=str(r.id),
                    integration_id=str(r.integration_id) if r.integration_id else None,
                    source=r.source,
                    name=r.name,
                    status=r.status,
                    outcome=r.outcome,
                    service_name=r.service_name,
                    severity=r.severity,
                    fingerprint=r.fingerprint,
                    dedup_key=r.dedup_key,
                    summary=r.title,
                    labels=r.labels,
                    incident_id=str(r.incident_id) if r.incident_id else None,
                    detected_at=r.detected_at,
                    received_at=r.received_at,
                )
                for r in rows
            ],
        )
