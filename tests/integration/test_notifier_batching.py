"""Paging many incidents at once: events waiting together are routed in one transaction, each
incident is paged once, and the configuration the notifier keeps in memory follows a change
written by anyone (another replica, SQL by hand) from the next incident on."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts.incidents import IncidentTriggered, Ref
from imas_notifier.app import NotifierRuntime, create_runtime
from imas_notifier.config.cache import ConfigCache
from imas_notifier.routing.domain import RoutingRule
from imas_notifier.settings import NotifierSettings
from imas_notifier.store import add_rule
from imas_notifier.usecases import NotifierUseCases
from imas_runtime.db import Timeouts, make_engine, with_database
from imas_testing import LOOPBACK, eventually, factories
from imas_testing.fake_providers import WebhookReceiver
from tests.e2e.notifier_pages import page_tickets_to, sev4_triggered
from tests.integration.locks import waits_for_lock

pytestmark = pytest.mark.integration


@dataclass
class Notifier:
    runtime: NotifierRuntime
    usecases: NotifierUseCases
    receiver: WebhookReceiver
    # A connection pool of its own: writes through it are another process's, as far as the
    # notifier can tell.
    elsewhere: AsyncEngine

    async def statuses(self, events: list[IncidentTriggered]) -> list[str]:
        ids = [uuid.UUID(e.incident.id) for e in events]
        async with self.elsewhere.connect() as conn:
            rows = await conn.execute(
                text("SELECT status FROM deliveries WHERE incident_id = ANY(:ids)"), {"ids": ids}
            )
            return sorted(r.status for r in rows)

    def paged(self) -> list[str]:
        return [r.body["incident"]["incident_id"] for r in self.receiver.requests]


@pytest.fixture
async def notifier(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Notifier]:
    database = await fresh_database("ntfbatch")
    settings = NotifierSettings(
        service="notifier", nats_url=fresh_nats_url, database_url=postgres_url,
        redis_url=redis_url, database=database, secret_key="test-key", retry_interval=0.2,
        outbound_allow=LOOPBACK,
    )  # fmt: skip
    runtime = create_runtime(settings)
    elsewhere = make_engine(with_database(postgres_url, database))
    async with WebhookReceiver() as receiver:
        await runtime.start()
        try:
            # One ticket per SEV4 incident (the rule silencing its log line is written to the
            # database directly, not through this process).
            await page_tickets_to(
                runtime.bus, with_database(postgres_url, database), f"{receiver.url}/hook"
            )
            yield Notifier(runtime, runtime.usecases, receiver, elsewhere)
        finally:
            await runtime.stop()
            await elsewhere.dispose()


async def test_incidents_published_together_are_each_paged_once(notifier: Notifier) -> None:
    events = [sev4_triggered("together", i) for i in range(60)]
    await asyncio.gather(*(notifier.runtime.bus.publish(e) for e in events))

    async def every_incident_paged() -> None:
        assert sorted(notifier.paged()) == sorted(e.incident.id for e in events)
        assert await notifier.statuses(events) == ["sent"] * 60

    await eventually(every_incident_paged, timeout=30)

    # The same events again, some twice in one batch: nothing new is recorded, so nothing is
    # sent again (sending only ever starts from a recorded row).
    await notifier.usecases.on_triggered_batch(events[:10] + events[:10] + events[50:])
    assert await notifier.statuses(events) == ["sent"] * 60
    assert len(notifier.receiver.requests) == 60


async def test_a_rule_written_elsewhere_applies_to_the_next_incident(notifier: Notifier) -> None:
    before = sev4_triggered("before", 0)
    await notifier.usecases.on_triggered(before)
    assert await notifier.statuses([before]) in (["pending"], ["sending"], ["sent"])

    # Another replica (here: another connection pool) silences SEV4 tickets.
    async with notifier.elsewhere.begin() as conn:
        await add_rule(conn, RoutingRule("ticket", (), severity="SEV4_LOW"))
    silenced = sev4_triggered("silenced", 1)
    await notifier.usecases.on_triggered(silenced)
    assert await notifier.statuses([silenced]) == []

    async with notifier.elsewhere.begin() as conn:
        await conn.execute(text("DELETE FROM routing_rules WHERE target = 'ticket'"))
    after = sev4_triggered("after", 2)
    await notifier.usecases.on_triggered(after)

    async def paged_again() -> None:
        assert sorted(notifier.paged()) == sorted([before.incident.id, after.incident.id])

    await eventually(paged_again, timeout=15)


def sev3_triggered(label: str) -> IncidentTriggered:
    """A new SEV3 incident with no team: the defaults open no ticket for it."""
    incident = factories.incident(
        title=f"Checkout slow {label}",
        service=Ref(id="svc-checkout", name="checkout"),
        team=None,
        severity="SEV3_MEDIUM",
    )
    return factories.lifecycle(IncidentTriggered, incident)


async def test_incidents_routed_together_by_a_restarted_notifier_follow_the_stored_rules(
    notifier: Notifier, postgres_url: str
) -> None:
    """A notifier just restarted routes the backlog of two consumers at once (new incidents
    and escalation's requests): each reads the configuration into the same empty cache. The
    one that began first and finished last used to keep the rules of the empty cache and
    route every later incident without the stored rules, losing the pages they add."""
    # A stored rule pages a ticket for SEV3 incidents (the defaults open none).
    async with notifier.elsewhere.begin() as conn:
        await add_rule(conn, RoutingRule("ticket", ("webhook",), severity="SEV3_MEDIUM"))
    database = notifier.runtime.settings.database
    # The restarted process: its own pool (waiting for locks as long as the test needs) and an
    # empty configuration cache.
    engine = make_engine(
        with_database(postgres_url, database), timeouts=Timeouts(lock=120, statement=120)
    )
    restarted = NotifierUseCases(
        engine,
        notifier.usecases.providers,
        public_url="http://imas.test",
        routing_config=ConfigCache(notifier.usecases.providers),
    )
    first, second, later = (
        sev3_triggered("first"),
        sev3_triggered("second"),
        sev3_triggered("later"),
    )
    rules_lock = await notifier.elsewhere.connect()
    catalog_lock = await notifier.elsewhere.connect()
    try:
        # The first routing stops before the rules, the catalog read already...
        await rules_lock.execute(text("LOCK TABLE routing_rules IN ACCESS EXCLUSIVE MODE"))
        routing_first = asyncio.create_task(restarted.on_triggered(first))
        await eventually(lambda: waits_for_lock(notifier.elsewhere, "FROM routing_rules"))
        # ...the second one begins, and stops at the catalog...
        locking_catalog = asyncio.create_task(
            catalog_lock.execute(text("LOCK TABLE catalog IN ACCESS EXCLUSIVE MODE"))
        )
        await eventually(lambda: waits_for_lock(notifier.elsewhere, "LOCK TABLE catalog"))
        routing_second = asyncio.create_task(restarted.on_triggered(second))
        await eventually(lambda: waits_for_lock(notifier.elsewhere, "FROM catalog"))
        # ...while the first one finishes.
        await rules_lock.commit()
        await routing_first
        await locking_catalog
        await catalog_lock.commit()
        await routing_second
        await restarted.on_triggered(later)

        async def each_ticketed() -> None:
            ids = {e.incident.id for e in (first, second, later)}
            assert ids <= set(notifier.paged())

        await eventually(each_ticketed, timeout=15)
    finally:
        await rules_lock.close()
        await catalog_lock.close()
        await engine.dispose()
