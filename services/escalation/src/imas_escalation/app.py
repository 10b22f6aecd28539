"""The one place the escalation service is wired."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from litestar import Litestar

from imas_contracts.incidents import GetIncidentStates, IncidentStates
from imas_contracts.notifier import CheckDelivery, DeliveryCheck
from imas_escalation.config.usecases import ConfigUseCases
from imas_escalation.domain import service_windows
from imas_escalation.handlers import consumers, endpoints
from imas_escalation.metrics import OLDEST_DUE
from imas_escalation.models import outbox
from imas_escalation.settings import EscalationSettings
from imas_escalation.timers.firing import Firer, States
from imas_escalation.timers.scheduler import Clock, Scheduler, SystemClock, Watchdog
from imas_escalation.usecases import RunUseCases
from imas_runtime.logs import get_logger
from imas_runtime.service import ServiceRuntime, service_app
from imas_runtime.silences import SilenceCache

log = get_logger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


class EscalationRuntime(ServiceRuntime):
    """The service runtime plus the scheduler, whose silence makes ``/readyz`` fail."""

    settings: EscalationSettings
    scheduler: Scheduler
    watchdog: Watchdog
    runs: RunUseCases
    config: ConfigUseCases
    stall_after: float

    async def check_scheduler(self) -> None:
        if self.started and self.scheduler.stalled(self.stall_after):
            raise RuntimeError(f"scheduler has not ticked for over {self.stall_after}s")


def create_runtime(settings: EscalationSettings, clock: Clock | None = None) -> EscalationRuntime:
    clock = clock or SystemClock()
    try:
        default_minutes = settings.default_minutes
    except ValueError as exc:
        raise ValueError(f"ESCALATION_DEFAULT_STEP_MINUTES={exc}") from None
    runtime = EscalationRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)

    silences = SilenceCache(runtime.bus, timeout=settings.state_check_timeout)

    async def incident_states(ids: Sequence[str]) -> States:
        reply = await runtime.bus.request(
            GetIncidentStates(ids=list(ids)), IncidentStates, timeout=settings.state_check_timeout
        )
        return States(
            statuses=reply.statuses,
            maintenance_until=reply.maintenance_until,
            service_windows=service_windows(await silences.current(), clock.now()),
        )

    async def check_delivery(request: CheckDelivery) -> DeliveryCheck:
        return await runtime.bus.request(request, DeliveryCheck, timeout=settings.check_timeout)

    firer = Firer(
        runtime.engine,
        public_url=settings.public_url,
        on_commit=runtime.wake_relay,
        incident_states=incident_states,
        patience=timedelta(seconds=settings.state_check_patience),
    )
    scheduler = Scheduler(
        runtime.engine, firer, clock=clock, poll=settings.poll_interval, batch=settings.batch
    )
    runs = RunUseCases(
        runtime.engine,
        clock=clock,
        on_commit=runtime.wake_relay,
        on_timer=scheduler.timer_committed,
        default_minutes=default_minutes,
    )
    config = ConfigUseCases(
        runtime.engine,
        clock=clock,
        on_timer=scheduler.timer_committed,
        default_minutes=default_minutes,
        check_delivery=check_delivery,
    )
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
    runtime.add_check("scheduler", runtime.check_scheduler)
    runtime.backlog.watch(
        "escalation scheduler",
        "oldest timer due and not fired",
        scheduler.oldest_due_age,
        OLDEST_DUE,
        settings.late_timer_limit,
    )
    return runtime


def create_app(settings: EscalationSettings) -> Litestar:
    return service_app(create_runtime(settings))
