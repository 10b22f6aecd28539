"""Use cases of the notifier's configuration: the catalog projection, providers (secrets
write-only, encrypted at rest), "send test", and reading the delivery ledger."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import CatalogChanged
from imas_contracts.notifier import (
    CheckDelivery,
    DeleteProvider,
    DeliveryCheck,
    DeliveryList,
    DeliveryView,
    ListDeliveries,
    ListProviders,
    ProviderList,
    ProviderSpec,
    ProviderTestResult,
    ProviderView,
    PutProvider,
    SendProviderTest,
)
from imas_notifier import store
from imas_notifier.config import checks
from imas_notifier.providers import registry
from imas_notifier.providers.base import Outgoing, ProviderError
from imas_notifier.providers.cache import ProviderCache
from imas_runtime.consumer import Delivery
from imas_runtime.errors import Conflict, Invalid, NotFound


def _spec(row: Any) -> ProviderSpec:
    return ProviderSpec(
        id=str(row.id),
        name=row.name,
        kind=row.kind,
        config=dict(row.config),
        secrets=sorted(row.secret_names),
        enabled=row.enabled,
        updated_at=row.updated_at,
    )


def _check_builds(cmd: PutProvider, secrets: dict[str, str], providers: ProviderCache) -> None:
    """Refuse a configuration the provider cannot be built from (a port that is not a
    number, an unreadable CA certificate, …)."""
    try:
        provider = registry.build(
            cmd.kind, cmd.name, cmd.config, secrets, providers.client, providers.guard
        )
    except (ValueError, TypeError, OSError) as exc:
        raise Invalid.field("config", f"cannot be used: {exc}") from None
    problem = getattr(provider, "config_error", "")
    if problem:
        raise Invalid.field("config", problem)


def _secrets_out_of_config(
    cmd: PutProvider, allowed: tuple[str, ...]
) -> tuple[PutProvider, dict[str, str]]:
    """The command without secrets in its ``config``, and every secret it gives. A secret
    written in ``config`` (the brief's examples keep a Slack ``bot_token`` or an SMTP
    ``password`` beside the other settings) is sealed like one given in ``secrets``, and
    never stored or answered as configuration."""
    given = dict(cmd.secrets)
    for key in allowed:
        if key not in cmd.config:
            continue
        value = cmd.config[key]
        if not isinstance(value, str):
            raise Invalid.field(f"config.{key}", "must be a string")
        if key in given and given[key] != value:
            raise Invalid.field(f"config.{key}", "differs from the same secret in secrets")
        given[key] = value
    config = {k: v for k, v in cmd.config.items() if k not in allowed}
    return msgspec.structs.replace(cmd, config=config), given


class ConfigUseCases:
    def __init__(self, engine: AsyncEngine, providers: ProviderCache) -> None:
        self.engine = engine
        self.providers = providers

    async def on_catalog_changed(self, event: CatalogChanged, _: Delivery | None = None) -> None:
        """Keep the local copy of teams, services, scopes and people. Safe to run twice
        (inbox; upserts). Acks once stored."""
        async with self.engine.begin() as conn:
            await store.catalog_projection.apply(conn, event)

    async def put_provider(self, cmd: PutProvider) -> ProviderView:
        """Create or replace a provider; secrets are merged (absent: kept; '' removes) and
        sealed with the current key. Answers it without secret values."""
        if not cmd.name.strip():
            raise Invalid.field("name", "must not be empty")
        allowed = registry.SECRET_FIELDS[cmd.kind]
        unknown = sorted(set(cmd.secrets) - set(allowed))
        if unknown:
            raise Invalid.field(
                "secrets",
                f"unknown for {cmd.kind}: {', '.join(unknown)}; "
                f"known: {', '.join(allowed) or 'none'}",
            )
        cmd, given = _secrets_out_of_config(cmd, allowed)
        async with self.engine.begin() as conn:
            current = await store.get_provider(conn, cmd.id) if cmd.id else None
            if cmd.id and current is None:
                raise NotFound(f"no provider {cmd.id}")
            same_name = await store.get_provider(conn, cmd.name)
            if same_name is not None and (current is None or same_name.id != current.id):
                raise Conflict(f"a provider named {cmd.name!r} exists")
            secrets = self.providers.box.open(current.secrets) if current is not None else {}
            for key, value in given.items():
                if value:
                    secrets[key] = value
                else:
                    secrets.pop(key, None)
            _check_builds(cmd, secrets, self.providers)
            row = await store.save_provider(
                conn,
                {
                    "id": current.id if current is not None else uuid.uuid4(),
                    "name": cmd.name.strip(),
                    "kind": cmd.kind,
                    "config": dict(cmd.config),
                    "secrets": self.providers.box.seal(secrets),
                    "secret_names": sorted(secrets),
                    "enabled": cmd.enabled,
                },
            )
        return ProviderView(provider=_spec(row))

    async def list_providers(self, query: ListProviders) -> ProviderList:
        async with self.engine.connect() as conn:
            if query.id:
                row = await store.get_provider(conn, query.id)
                if row is None:
                    raise NotFound(f"no provider {query.id}")
                return ProviderList(providers=[_spec(row)])
            return ProviderList(providers=[_spec(r) for r in await store.list_providers(conn)])

    async def delete_provider(self, cmd: DeleteProvider) -> ProviderView:
        async with self.engine.begin() as conn:
            row = await store.get_provider(conn, cmd.id)
            if row is None:
                raise NotFound(f"no provider {cmd.id}")
            await store.delete_provider(conn, row.id)
        return ProviderView(provider=_spec(row))

    async def send_test(self, cmd: SendProviderTest) -> ProviderTestResult:
        """Send a test message now through one provider (not recorded in the ledger)."""
        async with self.engine.connect() as conn:
            row = await store.get_provider(conn, cmd.id)
            if row is None:
                raise NotFound(f"no provider {cmd.id}")
            provider = await self.providers.get(conn, row.name) if row.enabled else None
        if provider is None:
            raise Conflict(f"provider {row.name!r} is disabled")
        content = {
            "text": "IMAS test message: this provider works.",
            "title": "[TEST] IMAS",
            "fields": {"Provider": row.name},
            "links": {},
        }
        page = Outgoing(
            delivery_id=str(uuid.uuid4()),
            idempotency_key=f"test:{uuid.uuid4()}",
            channel="test",
            recipient=cmd.recipient or row.name,
            address=cmd.recipient,
            message="[TEST] IMAS: this provider works.",
            content=content,
            kind="test",
        )
        try:
            return ProviderTestResult(ok=True, detail=await provider.send(page))
        except ProviderError as exc:
            return ProviderTestResult(ok=False, detail=str(exc))

    async def check_delivery(self, query: CheckDelivery) -> DeliveryCheck:
        """Which planned pages, and which pages of the teams' routing, could not be delivered
        with the providers, rules and catalog as they are now. Read only."""
        async with self.engine.connect() as conn:
            directory = await store.load_directory(conn)
            rules = await store.load_rules(conn)
            configured = await self.providers.configured(conn)
        problems = checks.check_delivery(
            query.pages, query.team_ids, query.on_call, directory, rules, configured
        )
        return DeliveryCheck(problems=problems)

    async def list_deliveries(self, query: ListDeliveries) -> DeliveryList:
        incident_id = None
        if query.incident_id:
            incident_id = store.parse_uuid(query.incident_id)
            if incident_id is None:
                raise Invalid.field("incident_id", "must be a UUID")
        if not 1 <= query.limit <= 500:
            raise Invalid.field("limit", "must be between 1 and 500")
        async with self.engine.connect() as conn:
            count, rows = await store.list_deliveries(
                conn, incident_id, query.status, query.limit, max(query.offset, 0)
            )
        views = [
            DeliveryView(
                id=str(r.id),
                incident_id=str(r.incident_id),
                idempotency_key=r.idempotency_key,
                channel=r.channel,
                provider=r.provider,
                recipient=r.recipient,
                address=r.address,
                status=r.status,
                attempts=r.attempts,
                last_error=r.last_error,
                provider_response=r.provider_response,
                created_at=r.created_at,
                next_attempt_at=r.next_attempt_at,
                sent_at=r.sent_at,
            )
            for r in rows
        ]
        return DeliveryList(count=count, results=views)
