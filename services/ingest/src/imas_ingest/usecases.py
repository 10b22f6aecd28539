"""Use cases of the ingest service: API alerts, integrations, alert rules, silences, queries."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import FieldError, utcnow
from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.incidents import (
    CountsSettled,
    IncidentView,
    OpenOrAttach,
    OpenOrAttachReply,
    SettleCounts,
    TransitionOpenIncident,
)
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
    Heartbeat,
    Integration,
    IntegrationList,
    IntegrationReply,
    ListAlertRules,
    ListAlerts,
    ListIntegrations,
    ListSilences,
    PingHeartbeat,
    RuleTrial,
    SaveAlertRule,
    Silence,
    SilenceList,
    SilenceReply,
    SubmitAlert,
    SubmitAlertReply,
    TryAlertRule,
    UpdateIntegration,
)
from imas_ingest import credentials, domain, heartbeats, store
from imas_runtime.bus import Bus
from imas_runtime.errors import Invalid, NotFound, RequestFailed, ServiceError
from imas_runtime.logs import get_logger
from imas_runtime.patterns import ANCHORED, StoredPatterns
from imas_runtime.secrets_box import SecretBox

log = get_logger(__name__)


@contextlib.contextmanager
def _secret_taken() -> Iterator[None]:
    """A given secret that another integration already has is refused by name."""
    try:
        yield
    except IntegrityError as exc:
        if "secret_hash" not in str(exc.orig):
            raise
        raise Invalid.field("secret", "is already the secret of another integration") from None


class Unauthorized(ServiceError):
    code = "unauthorized"


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no {field} {value}") from None


def heartbeat_of(row: Any) -> Heartbeat | None:
    """The heartbeat columns of an integration's row, when it is one."""
    if row.interval_seconds is None:
        return None
    return Heartbeat(
        interval=row.interval_seconds,
        grace=row.grace_seconds,
        status=row.heartbeat_status,
        last_ping_at=row.last_ping_at,
        due_at=row.due_at,
    )


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
        heartbeat=heartbeat_of(row),
    )


class IngestUseCases:
    """Everything ingest answers over request/reply; rules and silences are cached briefly
    for the alert pipeline (a change applies within ``cache_seconds``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        bus: Bus,
        *,
        box: SecretBox,
        triage_service: str = "triage",
        incidents_timeout: float = 10.0,
        cache_seconds: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
        on_commit: Callable[[], None] = lambda: None,
        on_deadline: Callable[[datetime], None] = lambda _: None,
    ) -> None:
        self.engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.bus = bus
        self.box = box
        self.triage_service = triage_service
        self.incidents_timeout = incidents_timeout
        self.cache_seconds = cache_seconds
        self._rules: tuple[float, list[AlertRule]] = (0.0, [])
        self._silences: tuple[float, list[Silence]] = (0.0, [])
        self._maintenance: tuple[float, dict[str, domain.Maintenance]] = (0.0, {})
        self.refused_rules = StoredPatterns("alert_rule", ANCHORED, bus=bus)
        self.refused_silences = StoredPatterns("silence", ANCHORED, bus=bus)
        self.clock = clock
        # Told after a commit that wrote to the outbox (wakes the relay) and after a ping
        # moved a heartbeat's deadline (wakes the heartbeat watch).
        self._on_commit = on_commit
        self._on_deadline = on_deadline

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
            created=decided.created,
            alert_id=str(alert_id),
            incident=decided.incident,
            held_until=decided.held_until,
            held_by=decided.held_by,
        )

    async def open_or_attach(self, request: OpenOrAttach) -> OpenOrAttachReply:
        """Open-or-attach; an alert for a service the catalog does not know goes to the triage
        service instead (never dropped)."""
        try:
            return await self.bus.request(
                request, OpenOrAttachReply, timeout=self.incidents_timeout
            )
        except RequestFailed as exc:
            if not self._rerouted_to_triage(exc, request.service_name):
                raise
        note = f"Routed to triage: IMAS knows no service named '{request.service_name}'."
        rerouted = msgspec.structs.replace(
            request,
            service_name=self.triage_service,
            description=f"{note}\n\n{request.description}".strip(),
            tags=[*request.tags, f"unknown_service:{request.service_name}"][:21],
        )
        return await self.bus.request(rerouted, OpenOrAttachReply, timeout=self.incidents_timeout)

    async def settle_counts(self, keys: list[str]) -> CountsSettled:
        """Ask incidents what the storm counts under ``keys`` became, voiding those never
        counted (``incidents.counts.settle.v1``); see :mod:`imas_ingest.webhooks.storm`."""
        return await self.bus.request(
            SettleCounts(keys=keys), CountsSettled, timeout=self.incidents_timeout
        )

    async def transition_open(self, command: TransitionOpenIncident) -> IncidentView:
        """Transition the open incident of an alert's key; the alerts of a service the
        catalog does not know opened theirs on the triage service (see :meth:`open_or_attach`),
        so that is where their resolution goes."""
        try:
            return await self.bus.request(command, IncidentView, timeout=self.incidents_timeout)
        except RequestFailed as exc:
            if not self._rerouted_to_triage(exc, command.service_name):
                raise
        rerouted = msgspec.structs.replace(command, service_name=self.triage_service)
        return await self.bus.request(rerouted, IncidentView, timeout=self.incidents_timeout)

    def _rerouted_to_triage(self, exc: RequestFailed, service_name: str) -> bool:
        """Whether incidents refused ``service_name`` as unknown, so triage takes its alerts."""
        unknown = exc.code == "invalid" and any(e.field == "service_name" for e in exc.errors)
        return unknown and service_name != self.triage_service

    # -- integrations --------------------------------------------------------------------------

    async def create_integration(self, cmd: CreateIntegration) -> IntegrationReply:
        """Create an integration with a fresh secret, shown in this reply only."""
        if not cmd.name.strip():
            raise Invalid.field("name", "must not be empty")
        if cmd.kind not in SOURCES:
            raise Invalid.field("type", f"must be one of {', '.join(SOURCES)}")
        limit = domain.rate_limit_values(cmd.rate_limit, cmd.rate_burst)
        timing = (
            domain.heartbeat_timing(cmd.interval, cmd.grace) if cmd.kind == "heartbeat" else None
        )
        if cmd.secret:
            secret = credentials.given_secret(cmd.kind, cmd.secret)
        else:
            secret = credentials.new_secret()
        integration_id = uuid.uuid4()
        with _secret_taken():
            async with self.engine.begin() as conn:
                await store.insert_integration(
                    conn,
                    {
                        "id": integration_id,
                        "name": cmd.name.strip(),
                        "type": cmd.kind,
                        "service": cmd.service.strip(),
                        **self._secret_columns(secret),
                        **limit,
                    },
                )
                if timing is not None:
                    await store.add_heartbeat(conn, integration_id, *timing)
                row = await store.find_integration(conn, id=integration_id)
        return IntegrationReply(integration=integration_of(row, secret))

    def _secret_columns(self, secret: str) -> dict[str, Any]:
        return {
            "secret_hash": credentials.lookup_hash(secret),
            "secret_encrypted": credentials.encrypt(self.box, secret),
        }

    async def list_integrations(self, _: ListIntegrations) -> IntegrationList:
        async with self.engine.connect() as conn:
            rows = await store.list_integrations(conn)
        return IntegrationList(integrations=[integration_of(r) for r in rows])

    async def update_integration(self, cmd: UpdateIntegration) -> IntegrationReply:
        """Rename, move to another service, change the rate limit or (Sentry) the secret (see
        the message). The new secret is checked from the next webhook on."""
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
        with _secret_taken():
            async with self.engine.begin() as conn:
                current = await store.find_integration(conn, id=ref)
                if current is None:
                    raise NotFound(f"no integration {cmd.id}")
                if cmd.secret is not None:
                    secret = credentials.given_secret(current.type, cmd.secret)
                    values.update(self._secret_columns(secret))
                if cmd.interval is not None or cmd.grace is not None:
                    await self._retime(conn, current, cmd)
                if values:
                    row = await store.update_integration(conn, ref, values)
                else:
                    row = await store.find_integration(conn, id=ref)
        if row is None:
            raise NotFound(f"no integration {cmd.id}")
        return IntegrationReply(integration=integration_of(row))

    async def _retime(self, conn: Any, current: Any, cmd: UpdateIntegration) -> None:
        """A heartbeat's new interval or grace (the other stays); its deadline moves at once."""
        if current.interval_seconds is None:
            field = "interval" if cmd.interval is not None else "grace"
            raise Invalid.field(field, f"only a heartbeat has one (this is a {current.type})")
        interval, grace = domain.heartbeat_timing(
            current.interval_seconds if cmd.interval is None else cmd.interval,
            current.grace_seconds if cmd.grace is None else cmd.grace,
        )
        await store.time_heartbeat(conn, current.id, interval, grace)
        if current.last_ping_at is not None:
            self._on_deadline(current.last_ping_at + timedelta(seconds=interval + grace))

    async def ping(self, cmd: PingHeartbeat) -> IntegrationReply:
        """A heartbeat's job reported in: its deadline moves to now + interval + grace; one
        that was ``down`` is ``up`` again and its ``resolved`` alert goes to the outbox in the
        same transaction, closing the incident its miss opened. Answers once committed; safe
        to repeat (a second ping only moves the deadline again)."""
        ref = _uuid(cmd.integration_id, "heartbeat")
        now = self.clock()
        async with self.engine.begin() as conn:
            was = await store.ping_heartbeat(conn, ref, now)
            if was is None:
                raise NotFound(f"no heartbeat {cmd.integration_id}")
            row = await store.find_integration(conn, id=ref)
            if row is None:
                raise NotFound(f"no heartbeat {cmd.integration_id}")
            if was == "down":
                back = heartbeats.raw_alert(
                    cmd.integration_id, domain.heartbeat_back(row.name, ref), now
                )
                await heartbeats.emit_alerts(conn, [back])
        if was == "down":
            log.info("heartbeat back", integration_id=cmd.integration_id)
            self._on_commit()
        self._on_deadline(row.due_at)
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
        domain.check_rule(rule)
        rule_id = _uuid(rule.id, "rule") if rule.id else uuid.uuid4()
        rule = msgspec.structs.replace(rule, id=str(rule_id))
        async with self.engine.begin() as conn:
            await store.save_rule(
                conn, rule_id, rule.position, rule.name, msgspec.to_builtins(rule)
            )
        self._rules = (0.0, [])
        return AlertRuleReply(rule=rule)

    async def try_rule(self, cmd: TryAlertRule) -> RuleTrial:
        """What a rule (saved or not) does with a sample alert; reads and writes nothing."""
        try:
            domain.check_rule(cmd.rule)
        except Invalid as exc:
            renamed = [FieldError(field=f"rule.{e.field}", message=e.message) for e in exc.errors]
            raise Invalid(exc.message, renamed) from None
        return domain.try_rule(cmd.rule, cmd.alert, triage_service=self.triage_service)

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
        """Rules for the pipeline, reloaded every ``cache_seconds``; a reload reports stored
        patterns the engine refuses (matching skips their rules)."""
        if self._rules[0] < time.monotonic():
            found = (await self.list_rules()).rules
            self._rules = (time.monotonic() + self.cache_seconds, found)
            await self.refused_rules.review(
                p for r in found for p in domain.stored_patterns(r.id, r.matchers, r.alert_name)
            )
        return self._rules[1]

    # -- silences ------------------------------------------------------------------------------

    async def create_silence(self, cmd: CreateSilence) -> SilenceReply:
        """Create a silence. Each call creates a new one."""
        silence = domain.check_silence(cmd.silence)
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

    async def maintenance(self) -> dict[str, domain.Maintenance]:
        """The services in maintenance or with one planned, by name, with its start and end,
        asked of incidents (the catalog's owner) at most every ``cache_seconds``; when
        incidents does not answer, the last answer stands (alerts are never held up by it)."""
        if self._maintenance[0] < time.monotonic():
            found = self._maintenance[1]
            try:
                entries = await self.bus.request(
                    ListCatalog(kind="service"), CatalogEntries, timeout=self.incidents_timeout
                )
                found = {
                    s.name: (s.maintenance_since, s.maintenance_until)
                    for s in entries.services
                    if s.maintenance_until is not None
                }
            except Exception as exc:
                log.warning(
                    "services in maintenance unknown, the last answer stands", error=repr(exc)
                )
            self._maintenance = (time.monotonic() + self.cache_seconds, found)
        return self._maintenance[1]

    async def silences(self) -> list[Silence]:
        if self._silences[0] < time.monotonic():
            found = (await self.list_silences(ListSilences())).silences
            self._silences = (time.monotonic() + self.cache_seconds, found)
            await self.refused_silences.review(
                p for s in found for p in domain.stored_patterns(s.id, s.matchers)
            )
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
                    suppressed_by=r.suppressed_by or "",
                )
                for r in rows
            ],
        )
