"""Service assembly: the parts every IMAS service runs, started and stopped in order.

An app factory builds a :class:`ServiceRuntime` with its streams, consumers and endpoints and
hands ``runtime.lifespan`` to Litestar. Start-up: connect NATS, provision streams, create and
migrate the service's database, connect Redis, start the outbox relay, the request/reply
endpoints and the consumers. Shutdown (SIGTERM / SIGINT through the server) runs it backwards
and drains the NATS connection, which is what a Kubernetes pod needs, within
``shutdown_timeout`` whatever is away.

Every background task (the relay, each consumer, each loop given to :meth:`ServiceRuntime.every`)
runs under a :class:`~imas_runtime.supervision.Supervisor`: restarted when it stops or raises,
shown down in ``/readyz`` meanwhile. ``/readyz`` also fails when the event loop was blocked or
pending work is older than its limit (see :mod:`imas_runtime.backlog`).
"""

from __future__ import annotations

import asyncio
import platform
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import redis.asyncio as aioredis
from litestar import Litestar
from litestar.plugins import PluginProtocol
from litestar.plugins.core import MsgspecDIPlugin
from sqlalchemy import Column, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import STREAMS, StreamSpec
from imas_runtime.backlog import CONSUMER_AGE, CONSUMER_PENDING, OUTBOX_LAG, Backlog, consumer_lag
from imas_runtime.bus import Bus, NatsAuth
from imas_runtime.consumer import Consumer, ConsumerSpec
from imas_runtime.db import Timeouts, ensure_database, make_engine, with_database
from imas_runtime.health import Check, health_routes, internal_routes
from imas_runtime.http_telemetry import observe_http
from imas_runtime.logs import configure_logging, get_logger
from imas_runtime.metrics import BUILD_INFO
from imas_runtime.migrations import upgrade_async
from imas_runtime.outbound import Guard
from imas_runtime.outbox import OutboxRelay
from imas_runtime.rpc import Endpoint, RpcServer
from imas_runtime.secrets_box import SecretBox, key_list, reseal_column
from imas_runtime.settings import RuntimeSettings, UnsafeSettings, refuse_unsafe
from imas_runtime.streams import sized
from imas_runtime.supervision import Health, Loop, LoopWatch, Supervisor
from imas_runtime.telemetry import configure_tracing, imas_version

log = get_logger(__name__)


class ServiceRuntime:
    """Everything one service process connects to and runs in the background."""

    def __init__(
        self,
        settings: RuntimeSettings,
        *,
        migrations_dir: Path,
        outbox: Table | None = None,
        streams: Sequence[StreamSpec] = STREAMS,
    ) -> None:
        refuse_unsafe(settings)
        self.settings = settings
        self.service = settings.service
        BUILD_INFO.labels(self.service, imas_version(), platform.python_version()).set(1)
        # Where this service's outbound calls may go (imas_runtime.outbound).
        self.guard = Guard.from_setting(settings.outbound_allow)
        self.migrations_dir = migrations_dir
        self.streams = streams
        self.database = settings.database_name
        self.database_url = with_database(settings.database_url, self.database)
        self.bus = Bus(settings.service, settings.nats_url, NatsAuth.from_settings(settings))
        self.engine: AsyncEngine = make_engine(
            self.database_url, pool_size=settings.db_pool_size, timeouts=db_timeouts(settings)
        )
        # A blocking pool: above its size a request waits for a connection instead of failing
        # ("Too many connections" turned bursts of webhooks into 500s).
        self.redis: aioredis.Redis = aioredis.Redis(
            connection_pool=aioredis.BlockingConnectionPool.from_url(
                settings.redis_url,
                max_connections=64,
                timeout=10,
                **redis_timeouts(settings),
                **redis_options(settings),
            )
        )
        self.relay = (
            OutboxRelay(self.engine, outbox, self.bus, restore_streams=self.restore_streams)
            if outbox is not None
            else None
        )
        self.endpoints: list[Endpoint] = []
        self.consumer_specs: list[ConsumerSpec] = []
        self._rpc: RpcServer | None = None
        self._loops: list[tuple[str, Loop]] = []
        self._on_start: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._on_stop: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._checks: dict[str, Check] = {}
        # What is wrong right now (shown by /readyz), and the background tasks that report
        # there when they stop: consumers and loops stop first, the relay last (it publishes
        # what they committed while stopping).
        self.health = Health()
        self.stopping = asyncio.Event()
        self._relay_stopping = asyncio.Event()
        self.supervisor = Supervisor(self.health, self.stopping)
        self.backlog = Backlog(self.health)
        self.loop_watch = LoopWatch(self.health, limit=settings.loop_lag_limit)
        if self.relay is not None:
            age, limit = self.relay.oldest_pending_age, settings.backlog_limit
            self.backlog.watch(RELAY, "oldest unpublished event", age, OUTBOX_LAG, limit)
        self._restore_lock = asyncio.Lock()
        self._restored_at = float("-inf")
        self.started = False

    def serve(self, *endpoints: Endpoint) -> None:
        """Register request/reply endpoints (before start)."""
        self.endpoints.extend(endpoints)

    def consume(self, *specs: ConsumerSpec) -> None:
        """Register JetStream consumers (before start)."""
        self.consumer_specs.extend(specs)
        for spec in specs:
            self.watch_consumer(spec)

    def on_start(self, hook: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``hook`` once the database is migrated and the bus connected, before serving."""
        self._on_start.append(hook)

    def on_stop(self, hook: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``hook`` once the background tasks have stopped (close a client they used)."""
        self._on_stop.append(hook)

    def every(self, name: str, loop: Loop) -> None:
        """Run ``loop(stopping)`` in the background once started; it returns when ``stopping``.
        It is supervised: restarted if it returns early or raises, shown down meanwhile."""
        self._loops.append((name, loop))

    def watch_consumer(self, spec: ConsumerSpec) -> None:
        """Export the backlog of ``spec``'s durable consumer, and fail readiness past
        ``backlog_limit`` (done for :meth:`consume`; for a consumer a loop of its own runs)."""

        async def age() -> float:
            pending, seconds = await consumer_lag(
                self.bus.js, spec.stream, spec.durable, spec.subjects
            )
            CONSUMER_PENDING.labels(spec.durable).set(pending)
            return seconds

        name, what = f"consumer {spec.durable}", "oldest unacknowledged message"
        gauge = CONSUMER_AGE.labels(spec.durable)
        self.backlog.watch(name, what, age, gauge, self.settings.backlog_limit)

    def add_check(self, name: str, check: Check) -> None:
        """One more readiness check (it raises to say what is wrong)."""
        self._checks[name] = check

    def secret_box(self, owner: str) -> SecretBox:
        """The service's keys: seals with ``IMAS_SECRET_KEY``, opens with it or any of the
        previous keys of a rotation."""
        settings = self.settings
        return SecretBox(settings.secret_key, key_list(settings.previous_secret_keys), owner=owner)

    def keep_sealed(self, column: Column[Any], box: SecretBox) -> None:
        """At start, seal again under the current key each value of ``column`` that it does
        not open yet: the step of a key rotation that lets the old key go."""

        async def reseal() -> None:
            await reseal_column(self.engine, column, box)

        self.on_start(reseal)

    def wake_relay(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def migrate(self) -> None:
        """Create the service's database if needed and bring it to the newest revision."""
        await ensure_database(self.settings.database_url, self.database)
        await upgrade_async(self.migrations_dir, self.database_url)
        await self.engine.dispose()

    async def start(self) -> None:
        await self.migrate()
        await self.bus.connect()
        streams = sized(self.streams, alerts_max_bytes=self.settings.alerts_max_bytes)
        await self.bus.provision(streams, replicas=self.settings.stream_replicas)
        for hook in self._on_start:
            await hook()
        self.stopping.clear()
        self._relay_stopping.clear()
        self.loop_watch.start()
        if self.relay is not None:
            self.supervisor.start(RELAY, self.relay.run, stopping=self._relay_stopping)
        self._rpc = RpcServer(self.bus, self.endpoints)
        await self._rpc.start(self.service)
        for spec in self.consumer_specs:
            consumer = Consumer(
                self.bus, spec, health=self.health, restore_streams=self.restore_streams
            )
            await consumer.provision()
            self.supervisor.start(consumer.name, consumer.run)
        for name, loop in self._loops:
            self.supervisor.start(name, loop)
        self.supervisor.start("backlog", self.backlog.run)
        self.started = True
        log.info("service started", database=self.database)

    async def stop(self) -> None:
        """Stop within ``shutdown_timeout`` whatever is away: take no new work, let work in
        hand finish, publish what it committed, then close the connections. A step that
        overruns its share is cut short (what it did not acknowledge is redelivered)."""
        deadline = asyncio.get_running_loop().time() + self.settings.shutdown_timeout
        self.started = False
        self.stopping.set()
        work = [n for n in self.supervisor.names() if n != RELAY]
        rpc_stop = self._rpc.stop() if self._rpc is not None else asyncio.sleep(0)
        # The relay and the connections get the last third of the time.
        until = deadline - self.settings.shutdown_timeout / 3
        await _bounded("stopping work", until, rpc_stop, self.supervisor.wait(work, _left(until)))
        self._relay_stopping.set()
        relay_until = deadline - self.settings.shutdown_timeout / 6
        await _bounded(
            "stopping the relay", relay_until, self.supervisor.wait([RELAY], _left(relay_until))
        )
        for hook in self._on_stop:
            await _bounded("stop hook", deadline, hook())
        await _bounded(
            "closing connections",
            deadline,
            self.bus.close(),
            self.redis.aclose(),
            self.engine.dispose(),
        )
        self.loop_watch.stop()
        log.info("service stopped")

    async def restore_streams(self) -> None:
        """Provision the streams again: one is missing (an operator deleted it, a NATS cluster
        was rebuilt without it). At most once every few seconds, however many ask."""
        async with self._restore_lock:
            now = asyncio.get_running_loop().time()
            if now - self._restored_at < RESTORE_EVERY_SECONDS:
                return
            self._restored_at = now
            log.warning("a stream is missing, provisioning the streams again")
            await self.bus.provision(self.streams, replicas=self.settings.stream_replicas)

    @asynccontextmanager
    async def lifespan(self, _: Litestar) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    # -- readiness -------------------------------------------------------------------------

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_nats(self) -> None:
        if not self.bus.is_connected:
            raise ConnectionError("nats not connected")

    async def check_redis(self) -> None:
        await self.redis.ping()

    def checks(self) -> dict[str, Check]:
        return {
            "database": self.check_database,
            "nats": self.check_nats,
            "redis": self.check_redis,
            **self._checks,
        }

    def health_routes(self) -> list[Any]:
        """The public port's: ``/healthz``, and ``/readyz`` saying only ok or unavailable."""
        return health_routes(self.checks(), status=self.health.status)

    def internal_app(self) -> Litestar:
        """The internal port's app: ``/readyz`` with what each check answered and what is
        down or behind, ``/metrics``. Not started with the runtime: it only reads it."""
        return App(
            route_handlers=internal_routes(self.checks(), status=self.health.status),
            logging_config=None,
        )


class App(Litestar):
    """Litestar with only the plugins IMAS uses: every body, answer and dependency is msgspec.

    Litestar adds its pydantic and attrs plugins whenever those libraries are installed, and
    a development tool brings pydantic along: importing it for the plugins cost each service
    about 8 MB of resident memory for nothing (DESIGN §7, 120 MB per idle service).
    """

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        return [*plugins, MsgspecDIPlugin()]


RELAY = "outbox relay"
RESTORE_EVERY_SECONDS = 2.0


def _left(deadline: float) -> float:
    return max(deadline - asyncio.get_running_loop().time(), 0.0)


async def _bounded(what: str, deadline: float, *steps: Coroutine[Any, Any, Any]) -> None:
    """Run ``steps`` together until ``deadline``; log (never raise) what failed or overran."""
    tasks = [asyncio.ensure_future(step) for step in steps]
    done, pending = await asyncio.wait(tasks, timeout=max(_left(deadline), 0.05))
    for task in pending:
        task.cancel()
    if pending:
        log.warning("shutdown step overran its time, cut short", step=what)
        await asyncio.wait(pending, timeout=0.5)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.warning("shutdown step failed", step=what, error=repr(task.exception()))


def db_timeouts(settings: RuntimeSettings) -> Timeouts:
    return Timeouts(
        statement=settings.db_statement_timeout,
        lock=settings.db_lock_timeout,
        idle_in_transaction=settings.db_idle_in_transaction_timeout,
    )


def redis_timeouts(settings: RuntimeSettings) -> dict[str, Any]:
    """A dead or unreachable Redis fails a command instead of hanging it forever; over TCP,
    keepalives find a peer that vanished while the connection was idle."""
    options: dict[str, Any] = {
        "socket_connect_timeout": 5,
        "socket_timeout": settings.redis_timeout,
        "health_check_interval": 30,
    }
    if not settings.redis_url.startswith("unix:"):
        options["socket_keepalive"] = True
    return options


def redis_options(settings: RuntimeSettings) -> dict[str, Any]:
    """Redis AUTH (a password not given in the URL) and the CA of a ``rediss://`` server."""
    options: dict[str, Any] = {}
    if settings.redis_password:
        options["password"] = settings.redis_password
    if settings.redis_tls_ca and settings.redis_url.startswith("rediss://"):
        options["ssl_ca_certs"] = settings.redis_tls_ca
    return options


def service_app(runtime: ServiceRuntime, *route_handlers: Any, **options: Any) -> Litestar:
    """A Litestar app with the runtime's health routes, started and stopped with the runtime.

    Every HTTP request is counted and timed (``imas_http_request_duration_seconds``) and, when
    traced, is a server span that continues the caller's trace (W3C headers).
    """
    middleware = [observe_http(runtime.service), *options.pop("middleware", [])]
    app = App(
        route_handlers=[*runtime.health_routes(), *route_handlers],
        # Litestar's default would configure the root logger again, with a text format of its
        # own, over imas_runtime.logs: uvicorn's records would no longer be JSON.
        logging_config=None,
        lifespan=[runtime.lifespan],
        middleware=middleware,
        **options,
    )
    app.state.runtime = runtime
    return app


S = TypeVar("S", bound=RuntimeSettings)


def main(create_app: Callable[[S], Litestar], load: Callable[[], S]) -> None:
    """The body of every ``python -m imas_<service> [serve|migrate]``.

    ``serve`` (the default) reads settings, sets up logs and traces and serves until SIGTERM.
    ``migrate`` creates and migrates the service's database, then exits (a deploy's migration
    job); serving migrates too, so it is never required.
    """
    import sys

    command = sys.argv[1] if len(sys.argv) > 1 else "serve"
    settings = load()
    prepare_process(settings)
    try:
        app = create_app(settings)
    except UnsafeSettings as exc:
        raise SystemExit(str(exc)) from None
    if command == "migrate":
        runtime: ServiceRuntime = app.state.runtime
        asyncio.run(runtime.migrate())
    elif command == "serve":
        run(app, settings)
    else:
        raise SystemExit(f"usage: python -m imas_{settings.service} [serve|migrate]")


def run(app: Litestar, settings: RuntimeSettings) -> None:
    """Serve ``app`` on the public port and the runtime's internal app (metrics, readiness
    detail) on the internal port until SIGTERM / SIGINT, then shut down gracefully."""
    import uvicorn

    common: dict[str, Any] = {"host": settings.host, "log_config": None, "access_log": False}
    public_options: dict[str, Any] = {**common, **settings.server_tls()}
    public = uvicorn.Server(
        # Open HTTP requests get http_drain_timeout after SIGTERM, then the runtime stops
        # within shutdown_timeout: both within a pod's 30 s grace period.
        uvicorn.Config(
            app,
            port=settings.port,
            timeout_graceful_shutdown=settings.http_drain_timeout,
            **public_options,
        )
    )
    runtime: ServiceRuntime = app.state.runtime
    internal = uvicorn.Server(
        uvicorn.Config(
            runtime.internal_app(), port=settings.internal_port_number, lifespan="off", **common
        )
    )

    async def serve() -> None:
        # The public server handles the signals (serve); the internal one, started without
        # its own handlers (_serve), stops once the public one has.
        beside = asyncio.create_task(internal._serve())
        try:
            await public.serve()
        finally:
            internal.should_exit = True
            await beside

    with asyncio.Runner(loop_factory=public.config.get_loop_factory()) as runner:
        runner.run(serve())


def prepare_process(settings: RuntimeSettings) -> None:
    """Logging and tracing for a service process, configured once from its settings."""
    configure_logging(settings.service, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(settings.service)
