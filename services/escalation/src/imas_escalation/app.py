"""The one place the escalation service is wired."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar

from imas_escalation.config import ConfigUseCases
from imas_escalation.firing import Firer
from imas_escalation.handlers import consumers, endpoints
from imas_escalation.models import outbox
from imas_escalation.scheduler import Clock, Scheduler, SystemClock, Watchdog
from imas_escalation.settings import EscalationSettings
from imas_escalation.usecases import RunUseCases
from imas_runtime.health import health_routes
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


class EscalationRuntime(ServiceRuntime):
    """The service runtime plus the scheduler, whose silence makes ``/readyz`` fail."""

    scheduler: Scheduler
    watchdog: Watchdog
    runs: RunUseCases
    config: ConfigUseCases
    stall_after: float

    async def check_scheduler(self) -> None:
        if self.started and self.scheduler.stalled(self.stall_after):
            raise RuntimeError(f"scheduler has not ticked for over {self.stall_after}s")

    def health_routes(self) -> list[Any]:
        return health_routes(
            {
                "database": self.check_database,
                "nats": self.check_nats,
                "redis": self.check_redis,
                "scheduler": self.check_scheduler,
            }
        )


def create_runtime(settings: EscalationSettings, clock: Clock | None = None) -> EscalationRuntime:
    clock = clock or SystemClock()
    runtime = EscalationRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)
    firer = Firer(runtime.engine, public_url=settings.public_url, on_commit=runtime.wake_relay)
    scheduler = Scheduler(
        runtime.engine, firer, clock=clock, poll=settings.poll_interval, batch=settings.batch
    )
    runs = RunUseCases(
        runtime.engine,
        clock=clock,
        on_commit=runtime.wake_relay,
        on_timer=scheduler.timer_committed,
    )
    config = ConfigUseCases(runtime.engine, clock=clock, on_timer=scheduler.timer_committed)
    watchdog = Watchdog(
        runtime.engine,
        clock=clock,
        stall_after=settings.stall_after,
        replica=scheduler.replica,
        on_commit=runtime.wake_relay,
    )
    runtime.scheduler, runtime.watchdog = scheduler, watchdog
    runtime.runs, runtime.config, runtime.stall_after = runs, config, settings.stall_after
    runtime.consume(*consumers(runs, config))
    runtime.serve(*endpoints(runs, config))
    runtime.every("escalation scheduler", scheduler.run)
    runtime.every("escalation watchdog", watchdog.run)
    return runtime


def create_app(settings: EscalationSettings) -> Litestar:
    return service_app(create_runtime(settings))
