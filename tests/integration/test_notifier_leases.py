"""Slow vendors, racing replicas and SMS due times, counted at the receiver: a vendor that
answers in 20 s gets a bounded number of copies and the ledger says what happened; a lease
taken over from a stalled sender makes one more send and only its holder's result counts;
bundling SMS never holds a page back nor sends one early."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from imas_contracts import new_event_id
from imas_contracts.incidents import CatalogChanged, IncidentTriggered, Ref
from imas_contracts.notifier import (
    NotificationRequested,
    NotificationRule,
    PersonNotificationRules,
    ProviderView,
    PutPersonRules,
    PutProvider,
    PutRoutingRule,
    RoutingRuleView,
)
from imas_notifier.app import NotifierRuntime, create_runtime
from imas_notifier.settings import NotifierSettings
from imas_notifier.usecases import NotifierUseCases
from imas_testing import LOOPBACK, eventually, factories
from imas_testing.factories import lifecycle
from imas_testing.fake_providers import FakeOvh, WebhookReceiver

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
HOOK = "POST /hook"
PHONE = "+33600000042"


class Notifier:
    """One notifier process (its runtime and use cases) and a webhook receiver it pages."""

    def __init__(self, runtime: NotifierRuntime, receiver: WebhookReceiver) -> None:
        self.runtime = runtime
        self.usecases: NotifierUseCases = runtime.usecases
        self.receiver = receiver

    async def request(self, *, channel: str = "webhook", person: str = "") -> str:
        """Page the team (or ``person``) of a new incident over ``channel``, as escalation
        asks; answers the incident id."""
        incident_id = str(uuid.uuid4())
        await self.usecases.on_requested(
            NotificationRequested(
                event_id=new_event_id(),
                occurred_at=NOW,
                incident_id=incident_id,
                idempotency_key=f"esc:{incident_id}:step1:0:{channel}",
                person_ids=[person] if person else [],
                team_ids=[] if person else ["team"],
                channels=[channel],
                message=f"[SEV1] page for {incident_id}",
            )
        )
        return incident_id

    async def row(self, incident_id: str) -> Any:
        [row] = await self.rows(incident_id)
        return row

    async def rows(self, incident_id: str) -> list[Any]:
        async with self.runtime.engine.connect() as conn:
            result = await conn.execute(
                text(
                    "SELECT * FROM deliveries WHERE incident_id = CAST(:i AS uuid) "
                    "ORDER BY created_at"
                ),
                {"i": incident_id},
            )
            return list(result)

    def copies(self, delivery_id: Any) -> int:
        """Requests of one page that reached the receiver (same ``X-Webhook-Id``)."""
        return self.receiver.ids().count(str(delivery_id))

    async def catalog(self, kind: str, id_: str, name: str, **data: Any) -> None:
        event = CatalogChanged(event_id=new_event_id(), occurred_at=NOW, kind=kind,  # type: ignore[arg-type]
                               action="upserted", id=id_, name=name, data=data)  # fmt: skip
        await self.runtime.config.on_catalog_changed(event)


Start = Callable[..., Any]


@pytest.fixture
def start_notifier(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> Start:
    """``async with start_notifier(**settings) as notifier``: a notifier on a fresh database,
    its ``tickets`` webhook provider pointing at a receiver of its own."""

    @asynccontextmanager
    async def start(**tuning: Any) -> AsyncIterator[Notifier]:
        settings = NotifierSettings(
            service="notifier", nats_url=nats_url, database_url=postgres_url,
            redis_url=redis_url, database=await fresh_database("ntflease"), retry_interval=0.1,
            retry_base=0.05, secret_key="test-key", outbound_allow=LOOPBACK, **tuning,
        )  # fmt: skip
        runtime = create_runtime(settings)
        async with WebhookReceiver() as receiver:
            await runtime.start()
            try:
                notifier = Notifier(runtime, receiver)
                await runtime.bus.request(
                    PutProvider(
                        name="tickets",
                        kind="webhook",
                        config={"url": f"{receiver.url}/hook"},
                    ),
                    ProviderView,
                )
                await notifier.catalog("team", "team", "SRE Core")
                yield notifier
            finally:
                await runtime.stop()

    return start


async def test_a_vendor_answering_in_20_s_gets_two_copies_and_the_page_is_given_up(
    start_notifier: Start,
) -> None:
    """Each send is cut at the deadline (1 s here, 10 s by default) and counts as unanswered;
    after the second the page is not sent again: it ends ``dead``, saying why."""
    async with start_notifier(send_timeout=1.0, lease_seconds=3.0) as notifier:
        notifier.receiver.slow(HOOK, seconds=20, times=100)
        incident_id = await notifier.request()

        async def given_up() -> None:
            row = await notifier.row(incident_id)
            assert row.status == "dead", (row.status, row.attempts, row.last_error)

        await eventually(given_up, timeout=60)
        row = await notifier.row(incident_id)
        assert notifier.copies(row.id) == 2
        assert (row.attempts, row.unanswered) == (2, 2)
        assert "no answer within 1 s" in row.last_error
        assert "may have delivered it" in row.last_error


async def test_a_vendor_that_answered_too_late_once_gets_a_second_copy_then_it_is_sent(
    start_notifier: Start,
) -> None:
    async with start_notifier(send_timeout=1.0, lease_seconds=3.0) as notifier:
        notifier.receiver.slow(HOOK, seconds=20, times=1)
        incident_id = await notifier.request()

        async def sent() -> None:
            assert (await notifier.row(incident_id)).status == "sent"

        await eventually(sent, timeout=60)
        row = await notifier.row(incident_id)
        assert notifier.copies(row.id) == 2
        assert (row.attempts, row.unanswered) == (2, 1)


async def test_replicas_racing_on_a_lapsed_lease_send_once_and_the_stale_result_is_dropped(
    start_notifier: Start,
) -> None:
    """A sender stalls past its lease (here: its lease is made to lapse while its request is
    held by the receiver). Replicas race to take the page over: one sends it again. The
    stalled sender's late failure must not put the page back in the queue while the new send
    is in flight (that made a third copy): only the current lease holder's result counts."""
    async with start_notifier(send_timeout=30.0, lease_seconds=40.0, http_timeout=30.0) as notifier:
        receiver = notifier.receiver
        receiver.slow(HOOK, seconds=60, times=2)
        receiver.fail(HOOK, status=503, times=1)  # for the first request, once released
        incident_id = await notifier.request()

        async def first_copy_held() -> None:
            assert len(receiver.requests) == 1

        await eventually(first_copy_held, timeout=15)
        row = await notifier.row(incident_id)
        async with notifier.runtime.engine.begin() as conn:
            await conn.execute(
                text("UPDATE deliveries SET lease_until = now() - interval '1 second'")
            )
        replicas = [
            NotifierUseCases(
                notifier.runtime.engine,
                notifier.usecases.providers,
                public_url="http://imas.test",
                tuning=notifier.usecases.tuning,
            )
            for _ in range(2)
        ]
        # Two more replicas race the first one's own dispatcher for the lapsed lease.
        taken = await asyncio.gather(*(r.dispatch_once() for r in replicas))
        assert sum(taken) <= 1

        async def second_copy_held() -> None:
            assert len(receiver.requests) == 2
            assert (await notifier.row(incident_id)).lease_token == row.lease_token + 1

        await eventually(second_copy_held, timeout=15)
        dropped = _stale_results("retry")
        assert receiver.release(1) == 1  # the stalled sender hears 503 now

        async def stale_result_dropped() -> None:
            assert _stale_results("retry") == dropped + 1

        await eventually(stale_result_dropped, timeout=15)
        assert (await notifier.row(incident_id)).status == "sending"
        receiver.release()  # the current holder hears 200

        async def sent() -> None:
            assert (await notifier.row(incident_id)).status == "sent"

        await eventually(sent, timeout=15)
        final = await notifier.row(incident_id)
        assert notifier.copies(final.id) == 2
        assert (final.attempts, final.unanswered) == (2, 1)
        assert final.lease_token == row.lease_token + 1


def _stale_results(outcome: str) -> float:
    value = REGISTRY.get_sample_value("imas_notifier_stale_results_total", {"outcome": outcome})
    return value or 0.0


@asynccontextmanager
async def _with_ovh(notifier: Notifier) -> AsyncIterator[FakeOvh]:
    async with FakeOvh("ak", "as", "ck") as ovh:
        await notifier.runtime.bus.request(
            PutProvider(
                name="ovh",
                kind="ovh",
                secrets={"application_secret": "as", "consumer_key": "ck"},
                config={
                    "endpoint": f"{ovh.url}/1.0",
                    "application_key": "ak",
                    "service_name": "sms-x",
                    "sender": "IMAS",
                },
            ),
            ProviderView,
        )
        await notifier.catalog("person", "p9", "Zoe", phone=PHONE)
        yield ovh


def _texts(ovh: FakeOvh) -> list[str]:
    return [b["message"] for b in ovh.sent() if b["receivers"] == [PHONE]]


async def test_an_sms_right_after_another_to_the_same_phone_is_not_held_back(
    start_notifier: Start,
) -> None:
    async with start_notifier() as notifier, _with_ovh(notifier) as ovh:
        first = await notifier.request(channel="sms", person="p9")

        async def first_sent() -> None:
            assert (await notifier.row(first)).status == "sent"

        await eventually(first_sent, timeout=15)
        second = await notifier.request(channel="sms", person="p9")

        async def second_sent() -> None:
            assert (await notifier.row(second)).status == "sent"

        # The default rate window was a minute: the second page waited it out.
        await eventually(second_sent, timeout=15)
        assert [t.splitlines()[0] for t in _texts(ovh)] == [
            f"[SEV1] page for {first}",
            f"[SEV1] page for {second}",
        ]


async def test_a_delayed_sms_is_neither_sent_early_in_a_bundle_nor_delays_one_due_now(
    start_notifier: Start,
) -> None:
    """Zoe is on call and wants her SMS ten minutes after an incident opens; a page due now
    to her phone goes now and alone, and the delayed one stays for its own time."""
    async with start_notifier() as notifier, _with_ovh(notifier) as ovh:
        bus = notifier.runtime.bus
        await bus.request(
            PutRoutingRule(
                target="oncall", severity="SEV1_CRITICAL", channels=["sms"], responder="p9"
            ),
            RoutingRuleView,
        )
        await bus.request(
            PutPersonRules(
                person_id="p9", rules=[NotificationRule(channel="sms", delay_minutes=10)]
            ),
            PersonNotificationRules,
        )
        opened = factories.incident(
            at=NOW, short_id="DELAYED1", title="Disk full", team=Ref(id="team", name="SRE Core")
        )
        await notifier.usecases.on_triggered(lifecycle(IncidentTriggered, opened, at=NOW))
        [delayed] = [r for r in await notifier.rows(opened.id) if r.channel == "sms"]
        assert delayed.status == "pending"

        now = await notifier.request(channel="sms", person="p9")

        async def sent() -> None:
            assert (await notifier.row(now)).status == "sent"

        await eventually(sent, timeout=15)
        assert [t.splitlines()[0] for t in _texts(ovh)] == [f"[SEV1] page for {now}"]
        [still] = [r for r in await notifier.rows(opened.id) if r.channel == "sms"]
        assert (still.status, still.attempts) == ("pending", 0)
        assert still.next_attempt_at == delayed.next_attempt_at
