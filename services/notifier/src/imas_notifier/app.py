"""The one place the notifier service is wired."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar import Litestar

from imas_notifier.handlers import consumers
from imas_notifier.models import outbox
from imas_notifier.providers import LogProvider, Provider
from imas_notifier.settings import NotifierSettings
from imas_notifier.usecases import NotifierUseCases
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(
    settings: NotifierSettings, providers: list[Provider] | None = None
) -> ServiceRuntime:
    runtime = ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    usecases = NotifierUseCases(
        runtime.engine,
        {p.name: p for p in (providers or [LogProvider()])},
        public_url=settings.public_url,
        max_attempts=settings.max_attempts,
        on_commit=runtime.wake_relay,
    )
    runtime.consume(*consumers(usecases))

    async def retry_due(stopping: asyncio.Event) -> None:
        await usecases.retry_due(stopping, settings.retry_interval)

    runtime.every("retry due pages", retry_due)
    return runtime


def create_app(settings: NotifierSettings) -> Litestar:
    return service_app(create_runtime(settings))
