"""The one place the escalation service is wired."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from imas_escalation.models import outbox
from imas_escalation.settings import EscalationSettings
from imas_runtime.service import ServiceRuntime, service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: EscalationSettings) -> ServiceRuntime:
    return ServiceRuntime(settings, migrations_dir=MIGRATIONS, outbox=outbox)


def create_app(settings: EscalationSettings) -> Litestar:
    return service_app(create_runtime(settings))
