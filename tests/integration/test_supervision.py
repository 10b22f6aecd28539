"""Nothing dies silently: faults that used to stop a service's work while ``/readyz`` answered
200, on real NATS, PostgreSQL and Redis.

- The DEADLETTER stream is lost, then an undecodable event arrives on incidents.triggered.v1:
  paging, escalation and the war room go on, readiness names the problem meanwhile, the
  stream comes back, and the dead letters raise an internal incident.
- A background task that crashes is restarted, shown down meanwhile.
- A handler that blocks the event loop is noticed, with where it stood.
- Work waiting past its limit fails readiness, naming what is behind: a consumer's oldest
  message, an event the outbox cannot publish, an escalation step due and not fired.
- The ALERTS consumer, or the stream itself, deleted under a running ingest: intake resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest
from nats.js.errors import NotFoundError

from imas_contracts import new_event_id, utcnow
from imas_contracts.deadletter import DEADLETTER_STREAM, DeadLettered
from imas_contracts.escalation import ESCALATION_STREAM, EscalationStopped
from imas_contracts.incidents import IncidentTriggered
from imas_contracts.ingest import ALERTS_STREAM
from imas_escalation.app import create_runtime as create_escalation
from imas_escalation.settings import EscalationSettings
from imas_incidents.app import create_runtime as create_incidents
from imas_incidents.settings import IncidentsSettings
from imas_runtime.consumer import ConsumerSpec, Delivery
from imas_runtime.service import ServiceRuntime, service_app
from imas_testing import eventually
from imas_testing.fake_providers import WebhookReceiver
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


async def readiness(runtime: ServiceRuntime) -> tuple[int, dict[str, str]]:
    """``/readyz`` of the public port (its status) and of the internal one (what it says)."""
    public = httpx.ASGITransport(app=service_app(runtime))  # lifespan not run: started already
    async with httpx.AsyncClient(transport=public, base_url="http://service") as client:
        status = (await client.get("/readyz")).status_code
    internal = httpx.ASGITransport(app=runtime.internal_app())
    async with httpx.AsyncClient(transport=internal, base_url="http://service") as client:
        answer = await client.get("/readyz")
    assert answer.status_code == status or status == 503  # a check may change in between
    return status, answer.json()["checks"]


async def metrics(runtime: ServiceRuntime) -> str:
    transport = httpx.ASGITransport(app=runtime.internal_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return (await client.get("/metrics")).text


async def _api(mesh: Mesh, method: str, url: str, **kwargs: Any) -> Any:
    answer = await mesh.client.request(method, url, headers=mesh.auth, **kwargs)
    assert answer.status_code < 400, answer.text
    return answer.json() if answer.content else None


async def test_paging_goes_on_when_the_deadletter_stream_is_lost_and_a_poison_event_arrives(
    mesh: Mesh, escalation: ServiceRuntime, warroom: ServiceRuntime
) -> None:
    await _api(mesh, "POST", "/api/v1/services/", json={"name": "imas", "team": "Platform"})
    async with WebhookReceiver() as receiver:
        await _api(
            mesh,
            "POST",
            "/api/v1/notification-providers/",
            json={"name": "tickets", "kind": "webhook",
                  "config": {"url": f"{receiver.url}/in", "allow_loopback": True}},
        )  # fmt: skip
        js = mesh.notifier.bus.js
        # An operator loses the stream (deleted, or a NATS cluster rebuilt without it)...
        await js.delete_stream(DEADLETTER_STREAM.name)
        # ...then one event nobody can decode arrives where every INCIDENTS consumer reads.
        await js.publish(IncidentTriggered.type_name(), b"\x00 this is not an event")

        consumers = {"notifier": mesh.notifier, "escalation": escalation, "warroom": warroom}

        async def readiness_names_the_problem() -> None:
            named = []
            for service, runtime in consumers.items():
                status, checks = await readiness(runtime)
                check = checks.get(f"consumer {service}--INCIDENTS", "")
                if status == 503 and "dead letters cannot be published" in check:
                    named.append(service)
            assert named

        await eventually(readiness_names_the_problem, timeout=20, interval=0.02)

        # New incidents are paged, escalated and documented all the same.
        titles = [f"Disk full {uuid.uuid4().hex[:6]}" for _ in range(3)]
        created = [
            await _api(
                mesh,
                "POST",
                "/api/v1/incidents/",
                json={
                    "title": t,
                    "service_name": "redis-prod",
                    "severity": "SEV4_LOW",
                    "dedup_key": t,
                },
            )
            for t in titles
        ]

        async def paged_and_documented() -> None:
            bodies = [str(r.body) for r in receiver.requests]
            assert all(any(t in b for b in bodies) for t in titles)
            for incident in created:
                found = await _api(mesh, "GET", f"/api/v1/incidents/{incident['id']}/")
                assert found["lid_link"], "warroom wrote no LID"

        await eventually(paged_and_documented, timeout=30)
        runs = await escalation.engine.connect()
        try:
            started = (await runs.exec_driver_sql("SELECT count(*) FROM runs")).scalar()
        finally:
            await runs.close()
        assert started and started >= len(titles)

        # The stream is back, holds each consumer's dead letter, and readiness is clean again.
        async def dead_lettered_by_all() -> None:
            sub = await js.subscribe("deadletter.>", ordered_consumer=True)
            letters: list[DeadLettered] = []
            with contextlib.suppress(Exception):
                while True:
                    msg = await sub.next_msg(timeout=0.5)
                    letters.append(msgspec.json.decode(msg.data, type=DeadLettered))
            await sub.unsubscribe()
            poison = {x.consumer for x in letters if x.payload == b"\x00 this is not an event"}
            assert poison == {f"{s}--INCIDENTS" for s in consumers}

        await eventually(dead_lettered_by_all, timeout=30)
        for runtime in consumers.values():
            await eventually(lambda r=runtime: _ready(r), timeout=30)

        # Someone is told: one internal incident per consumer, counting its dead letters.
        async def internal_incidents() -> None:
            found = await _api(mesh, "GET", "/api/v1/incidents/?service=imas&page_size=100")
            titles = {i["title"]: i for i in found["results"]}
            for service in consumers:
                incident = titles[f"Messages dead-lettered by {service}--INCIDENTS"]
                assert incident["alert_count"] == 1

        await eventually(internal_incidents, timeout=30)


async def _ready(runtime: ServiceRuntime) -> None:
    status, checks = await readiness(runtime)
    assert status == 200, checks


Setup = Callable[[ServiceRuntime], None]


@pytest.fixture
def incidents_service(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> Callable[..., contextlib.AbstractAsyncContextManager[ServiceRuntime]]:
    """``async with incidents_service(setup, **settings)``: the incidents service, ``setup``
    applied to it before it starts."""

    @contextlib.asynccontextmanager
    async def started(setup: Setup, **settings: Any) -> AsyncIterator[ServiceRuntime]:
        runtime = create_incidents(
            IncidentsSettings(
                service="incidents",
                nats_url=nats_url,
                database_url=postgres_url,
                redis_url=redis_url,
                database=await fresh_database("inc"),
                **settings,
            )
        )
        setup(runtime)
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()

    return started


def _stopped(run_id: str) -> EscalationStopped:
    return EscalationStopped(
        event_id=new_event_id(),
        occurred_at=utcnow(),
        incident_id=str(uuid.uuid4()),
        run_id=run_id,
        reason="acknowledged",
    )


def _spec(handler: Callable[[EscalationStopped, Delivery], Awaitable[None]]) -> ConsumerSpec:
    return ConsumerSpec(
        service=f"t{uuid.uuid4().hex[:8]}",
        stream=ESCALATION_STREAM.name,
        event_types=(EscalationStopped,),
        handler=handler,  # type: ignore[arg-type]
    )


async def test_a_task_that_crashes_is_restarted_and_shown_down_meanwhile(
    incidents_service: Callable[..., contextlib.AbstractAsyncContextManager[ServiceRuntime]],
) -> None:
    runs: list[float] = []
    release = asyncio.Event()

    async def flaky(stopping: asyncio.Event) -> None:
        runs.append(time.monotonic())
        if len(runs) == 1:
            await release.wait()
            raise RuntimeError("lost its connection in a way nobody expected")
        await stopping.wait()

    async with incidents_service(lambda r: r.every("flaky sweeper", flaky)) as runtime:
        _, checks = await readiness(runtime)
        assert checks["flaky sweeper"] == "ok"
        release.set()

        async def shown_down() -> None:
            status, checks = await readiness(runtime)
            assert status == 503
            assert checks["flaky sweeper"].startswith("down: RuntimeError('lost its connection")

        await eventually(shown_down, interval=0.02)
        await eventually(lambda: _ready(runtime), timeout=15)
        assert len(runs) == 2
        assert 'imas_task_restarts_total{task="flaky sweeper"} 1.0' in await metrics(runtime)


async def test_a_handler_that_blocks_the_event_loop_is_noticed_with_where_it_stood(
    incidents_service: Callable[..., contextlib.AbstractAsyncContextManager[ServiceRuntime]],
) -> None:
    marker = uuid.uuid4().hex

    async def handler_that_blocks(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id == marker:
            time.sleep(3)  # noqa: ASYNC251  (a synchronous call where an await belonged)

    spec = _spec(handler_that_blocks)
    async with incidents_service(lambda r: r.consume(spec)) as runtime:
        await _ready(runtime)
        await runtime.bus.publish(_stopped(marker))

        async def noticed() -> None:
            status, checks = await readiness(runtime)
            assert status == 503
            assert checks["event loop"].startswith("blocked for ")
            assert "in handler_that_blocks" in checks["event loop"]

        await eventually(noticed, timeout=20)
        stall = runtime.loop_watch.last_stall
        assert stall is not None and stall[0] > 2
        assert "handler_that_blocks" in stall[1]  # the stack logged, from the watching thread


async def test_work_waiting_past_its_limit_fails_readiness_naming_what_is_behind(
    incidents_service: Callable[..., contextlib.AbstractAsyncContextManager[ServiceRuntime]],
) -> None:
    marker = uuid.uuid4().hex

    async def never_done(event: EscalationStopped, delivery: Delivery) -> None:
        if event.run_id == marker:  # retried for as long as the dependency is away
            raise ConnectionError("the chat API does not answer")

    spec = _spec(never_done)
    async with incidents_service(lambda r: r.consume(spec), backlog_limit=1.0) as runtime:
        runtime.backlog.interval = 0.2
        await runtime.bus.publish(_stopped(marker))
        name = f"consumer {spec.durable}"

        async def behind() -> None:
            status, checks = await readiness(runtime)
            assert status == 503
            assert checks[name].startswith("behind: oldest unacknowledged message")
            assert "(limit 1s)" in checks[name]

        await eventually(behind, timeout=20)
        exported = await metrics(runtime)
        line = next(
            x
            for x in exported.splitlines()
            if x.startswith(f'imas_consumer_oldest_unacked_seconds{{consumer="{spec.durable}"}}')
        )
        assert float(line.split()[-1]) > 1.0


async def test_an_event_the_outbox_cannot_publish_fails_readiness_until_it_goes(
    incidents_service: Callable[..., contextlib.AbstractAsyncContextManager[ServiceRuntime]],
) -> None:
    """An event whose subject no stream takes (a stream an operator replaced without it)
    stays in the outbox: readiness names the relay as behind, with the event's age."""
    async with incidents_service(lambda r: None, backlog_limit=1.0) as runtime:
        runtime.backlog.interval = 0.2
        async with runtime.engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3)",
                (new_event_id(), "nowhere.test.v1", b"{}"),
            )

        async def behind() -> None:
            status, checks = await readiness(runtime)
            assert status == 503
            assert checks["outbox relay"].startswith("behind: oldest unpublished event")

        await eventually(behind, timeout=20)
        assert _gauge(await metrics(runtime), "imas_outbox_lag_seconds") > 1.0
        async with runtime.engine.begin() as conn:
            await conn.exec_driver_sql("DELETE FROM outbox WHERE subject = 'nowhere.test.v1'")
        await eventually(lambda: _check_ok(runtime, "outbox relay"), timeout=20)


async def test_an_escalation_step_due_and_not_fired_fails_readiness(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> None:
    """A timer another replica holds locked (stuck mid-firing) is due and not fired:
    readiness names the scheduler as behind; once the lock goes, the timer is handled."""
    runtime = create_escalation(
        EscalationSettings(
            service="escalation",
            nats_url=fresh_nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            database=await fresh_database("esc"),
            late_timer_limit=1.0,
        )
    )
    await runtime.start()
    try:
        runtime.backlog.interval = 0.2
        async with runtime.engine.connect() as stuck:
            async with stuck.begin():
                timer = await stuck.exec_driver_sql(
                    "INSERT INTO timers (kind, schedule_id, due_at)"
                    " VALUES ('handoff', $1, now() - interval '5 seconds') RETURNING id",
                    (uuid.uuid4(),),
                )
            await stuck.begin()
            await stuck.exec_driver_sql(
                "SELECT 1 FROM timers WHERE id = $1 FOR UPDATE", (timer.scalar(),)
            )

            async def behind() -> None:
                status, checks = await readiness(runtime)
                assert status == 503
                assert checks["escalation scheduler"].startswith(
                    "behind: oldest timer due and not fired"
                )

            await eventually(behind, timeout=20)
            exported = await metrics(runtime)
            assert _gauge(exported, "imas_escalation_oldest_due_timer_seconds") > 1.0
            await stuck.rollback()
        await eventually(lambda: _check_ok(runtime, "escalation scheduler"), timeout=20)
    finally:
        await runtime.stop()


async def test_the_alerts_consumer_or_stream_deleted_under_ingest_is_recreated(mesh: Mesh) -> None:
    """An operator deletes ingest's durable consumer of ALERTS, later the ALERTS stream
    itself: each time ingest creates them again (its task shown restarted) and a webhook
    alert sent afterwards becomes an incident. Before, ingest fetched from the missing
    consumer forever, took no alert, and readiness said ok."""
    answer = await mesh.client.post(
        "/api/v1/integrations/",
        json={"name": f"custom-{uuid.uuid4().hex[:6]}", "type": "custom", "service": "redis-prod"},
        headers=mesh.auth,
    )
    assert answer.status_code == 201, answer.text
    url = f"/api/v1/webhooks/custom/?token={answer.json()['webhook_url'].split('token=')[1]}"
    js = mesh.ingest.bus.js
    durable = "ingest--ALERTS"
    await js.delete_consumer(ALERTS_STREAM.name, durable)
    await _intake_resumes(mesh, url, restarts=1)
    await js.delete_stream(ALERTS_STREAM.name)
    await _intake_resumes(mesh, url, restarts=2)


async def _intake_resumes(mesh: Mesh, url: str, *, restarts: int) -> None:
    """Ingest's ALERTS task was restarted ``restarts`` times in all, its consumer is back,
    readiness says it is fine, and a webhook alert sent now becomes an incident."""
    js = mesh.ingest.bus.js
    durable = "ingest--ALERTS"

    async def recreated() -> None:
        exported = await metrics(mesh.ingest)
        assert (
            _gauge(exported, f'imas_task_restarts_total{{task="consumer {durable}"}}') >= restarts
        )
        try:
            consumers = [c.name for c in await js.consumers_info(ALERTS_STREAM.name)]
        except NotFoundError as exc:  # the stream is not back yet
            raise AssertionError(exc) from exc
        assert durable in consumers

    await eventually(recreated, timeout=30)
    title = f"After deletion {restarts} {uuid.uuid4().hex[:6]}"

    async def accepted() -> None:
        sent = await mesh.client.post(url, json={"title": title, "dedup_key": title})
        assert sent.status_code == 202, sent.text

    await eventually(accepted, timeout=15)

    async def became_an_incident() -> None:
        found = await _api(mesh, "GET", "/api/v1/incidents/?page_size=500")
        assert title in {i["title"] for i in found["results"]}

    await eventually(became_an_incident, timeout=30)
    await eventually(lambda: _check_ok(mesh.ingest, f"consumer {durable}"), timeout=30)


async def _check_ok(runtime: ServiceRuntime, name: str) -> None:
    """Readiness says ``name`` is fine (other checks, e.g. a loop stalled by a busy machine,
    may still fail it)."""
    _, checks = await readiness(runtime)
    assert checks[name] == "ok", checks


def _gauge(exported: str, series: str) -> float:
    """The value of ``series`` (a name, with its labels if it has any) in a ``/metrics``
    text; 0 when absent."""
    for line in exported.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    return 0.0
