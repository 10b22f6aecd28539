"""The one place the notifier service is wired."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from litestar import Litestar

from imas_notifier.config.cache import ConfigCache
from imas_notifier.config.usecases import ConfigUseCases
from imas_notifier.handlers import consumers, endpoints
from imas_notifier.models import outbox, signing_keys
from imas_notifier.models import providers as provider_table
from imas_notifier.page_actions.usecases import PageActions
from imas_notifier.providers.base import Provider
from imas_notifier.providers.cache import ProviderCache
from imas_notifier.providers.http_pool import LanePool
from imas_notifier.routing.usecases import RulesUseCases
from imas_notifier.settings import NotifierSettings
from imas_notifier.usecases import NotifierUseCases, Tuning
from imas_runtime import outbound
from imas_runtime.service import ServiceRuntime, service_app
from imas_runtime.silences import SilenceCache

MIGRATIONS = Path(__file__).parent / "migrations"


class NotifierRuntime(ServiceRuntime):
    """The service runtime and the use cases it runs, typed for the tests and tools that
    reach them."""

    settings: NotifierSettings
    usecases: NotifierUseCases
    config: ConfigUseCases
    rules: RulesUseCases
    actions: PageActions


def create_runtime(
    settings: NotifierSettings, providers: list[Provider] | None = None
) -> NotifierRuntime:
    runtime = NotifierRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    # httpx logs each request's URL at INFO: a line per page, and a provider's URL may hold
    # its secret (Teams and Discord webhook URLs). Failures are logged by the notifier itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    client = outbound.client(
        runtime.guard,
        total=settings.http_timeout,
        # Every sender keeps its connection to a provider open between pages.
        transport_=LanePool(runtime.guard, idle_per_origin=settings.send_concurrency),
    )
    box = runtime.secret_box("the provider's")
    runtime.keep_sealed(provider_table.c.secrets, box)
    cache = ProviderCache(
        box,
        client,
        {p.name: p for p in providers or []},
        guard=runtime.guard,
    )
    routing_config = ConfigCache(cache)
    actions = PageActions(
        runtime.engine,
        cache,
        routing_config,
        runtime.secret_box("the link key's"),
        public_url=settings.public_url,
        ttl_seconds=settings.page_action_hours * 3600,
        bus=runtime.bus,
    )
    runtime.on_start(actions.load_key)
    runtime.keep_sealed(signing_keys.c.sealed, actions.box)
    usecases = NotifierUseCases(
        runtime.engine,
        cache,
        public_url=settings.public_url,
        internal_alert_service=settings.internal_alert_service,
        tuning=Tuning(
            max_attempts=settings.max_attempts,
            retry_base=settings.retry_base,
            send_timeout=settings.send_timeout,
            lease_seconds=settings.lease_seconds,
            max_unanswered=settings.max_unanswered,
            send_concurrency=settings.send_concurrency,
            oncall_timeout=settings.oncall_timeout,
        ),
        bus=runtime.bus,
        silences=SilenceCache(runtime.bus, timeout=settings.oncall_timeout),
        on_commit=runtime.wake_relay,
        actions=actions,
        routing_config=routing_config,
    )
    config = ConfigUseCases(runtime.engine, cache)
    rules = RulesUseCases(runtime.engine)
    runtime.usecases, runtime.config, runtime.rules = usecases, config, rules
    runtime.actions = actions
    runtime.consume(*consumers(usecases, config))
    runtime.serve(*endpoints(config, rules, actions))

    async def dispatch(stopping: asyncio.Event) -> None:
        await usecases.dispatch(stopping, settings.retry_interval)

    runtime.every("send due pages", dispatch)

    async def forget_expired(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await actions.forget_expired()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=3600)

    runtime.every("forget expired page actions", forget_expired)
    runtime.on_stop(client.aclose)
    return runtime


def create_app(settings: NotifierSettings) -> Litestar:
    return service_app(create_runtime(settings))
