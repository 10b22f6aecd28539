"""The one place the notifier service is wired."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
from litestar import Litestar

from imas_notifier.handlers import consumers, endpoints
from imas_notifier.http_pool import LanePool
from imas_notifier.models import outbox
from imas_notifier.provider_cache import ProviderCache
from imas_notifier.providers import Provider
from imas_notifier.settings import NotifierSettings
from imas_notifier.usecases import NotifierUseCases, Tuning
from imas_notifier.usecases_config import ConfigUseCases
from imas_notifier.usecases_rules import RulesUseCases
from imas_runtime.secrets_box import SecretBox, key_list
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(
    settings: NotifierSettings, providers: list[Provider] | None = None
) -> ServiceRuntime:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    # httpx logs each request's URL at INFO: a line per page, and a provider's URL may hold
    # its secret (Teams and Discord webhook URLs). Failures are logged by the notifier itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    client = httpx.AsyncClient(
        timeout=settings.http_timeout,
        follow_redirects=False,
        # Every sender keeps its connection to a provider open between pages.
        transport=LanePool(idle_per_origin=settings.send_concurrency),
    )
    cache = ProviderCache(
        SecretBox(
            settings.secret_key, key_list(settings.previous_secret_keys), owner="the provider's"
        ),
        client,
        {p.name: p for p in providers or []},
    )
    usecases = NotifierUseCases(
        runtime.engine,
        cache,
        public_url=settings.public_url,
        internal_alert_service=settings.internal_alert_service,
        tuning=Tuning(
            max_attempts=settings.max_attempts,
            retry_base=settings.retry_base,
            lease_seconds=settings.lease_seconds,
            send_concurrency=settings.send_concurrency,
            sms_interval=settings.sms_interval,
            oncall_timeout=settings.oncall_timeout,
        ),
        bus=runtime.bus,
        on_commit=runtime.wake_relay,
    )
    config = ConfigUseCases(runtime.engine, cache)
    runtime.consume(*consumers(usecases, config))
    runtime.serve(*endpoints(config, RulesUseCases(runtime.engine)))

    async def dispatch(stopping: asyncio.Event) -> None:
        try:
            await usecases.dispatch(stopping, settings.retry_interval)
        finally:
            await client.aclose()

    runtime.every("send due pages", dispatch)
    runtime.usecases = usecases  # type: ignore[attr-defined]
    usecases.config = config  # type: ignore[attr-defined]
    return runtime


def create_app(settings: NotifierSettings) -> Litestar:
    return service_app(create_runtime(settings))
