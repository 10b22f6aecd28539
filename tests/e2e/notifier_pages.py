"""Shared by the notifier crash test and bench/notifier_throughput: one webhook ticket per event."""

from __future__ import annotations

from datetime import UTC, datetime

from imas_contracts.incidents import IncidentTriggered, Ref
from imas_contracts.notifier import ProviderView, PutProvider
from imas_notifier.routing.domain import RoutingRule
from imas_notifier.store import add_rule
from imas_runtime.bus import Bus
from imas_runtime.db import make_engine
from imas_testing import factories


def sev4_triggered(label: str, i: int) -> IncidentTriggered:
    """A new SEV4 incident with no team, stamped now: the default routing opens one ticket."""
    now = datetime.now(UTC)
    incident = factories.incident(
        at=now,
        short_id=f"{i:08d}",
        title=f"Disk filling {label}-{i}",
        service=Ref(id="svc-storage", name="storage"),
        team=None,
        severity="SEV4_LOW",
    )
    return factories.lifecycle(IncidentTriggered, incident, at=now)


async def page_tickets_to(bus: Bus, database_url: str, url: str) -> None:
    """Send SEV4 tickets to the webhook at ``url`` (loopback allowed) and nothing else: a
    stored routing rule silences the team log line the defaults would add."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await add_rule(conn, RoutingRule("team", (), severity="SEV4_LOW"))
    finally:
        await engine.dispose()
    await bus.request(
        PutProvider(name="tickets", kind="webhook", config={"url": url}),
        ProviderView,
    )
