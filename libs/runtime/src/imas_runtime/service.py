"""Service assembly: the parts every IMAS service runs, started and stopped in order.

An app factory builds a :class:`ServiceRuntime` with its streams, consumers and endpoints and
hands ``runtime.lifespan`` to Litestar. Start-up: connect NATS, provision streams, create and
migrate the service's database, connect Redis, start the outbox relay, the request/reply
endpoints and the consumers. Shutdown (SIGTERM / SIGINT through the server) runs it backwards
and drains the NATS connection, which is what a Kubernetes pod needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import redis.asyncio as aioredis
from litestar import Litestar
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_contracts import STREAMS, StreamSpec
from imas_runtime.bus import Bus
from imas_runtime.consumer import Consumer, ConsumerSpec
from imas_runtime.db import ensure_database, make_engine, with_database
from imas_runtime.health import health_routes
from imas_runtime.logs import configure_logging, get_logger
from imas_runtime.migrations import upgrade_async
from imas_runtime.outbox import OutboxRelay
from imas_runtime.rpc import Endpoint, RpcServer
from imas_runtime.settings import RuntimeSettings
from imas_runtime.telemetry import configure_tracing, tracing_middleware

log = get_logger(__name__)

Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


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
        self.settings = settings
        self.service = settings.service
        self.migrations_dir = migrations_dir
        self.streams = streams
        self.database = settings.database_name
        self.database_url = with_database(settings.database_url, self.database)
        self.bus = Bus(settings.service, settings.nats_url)
        self.engine: AsyncEngine = make_engine(self.database_url, pool_size=settings.db_pool_size)
        # A blocking pool: above its size a request waits for a connection instead of failing
        # ("Too many connections" turned bursts of webhooks into 500s).
        self.redis: aioredis.Redis = aioredis.Redis(
            connection_pool=aioredis.BlockingConnectionPool.from_url(
                settings.redis_url, max_connections=64, timeout=10
            )
        )
        self.relay = OutboxRelay(self.engine, outbox, self.bus) if outbox is not None else None
        self.endpoints: list[Endpoint] = []
        self.consumer_specs: list[ConsumerSpec] = []
        self._consumers: list[Consumer] = []
        self._rpc: RpcServer | None = None
        self._loops: list[tuple[str, Loop]] = []
        self._on_start: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._loop_tasks: list[asyncio.Task[None]] = []
        self.stopping = asyncio.Event()
        self.started = False

    def serve(self, *endpoints: Endpoint) -> None:
        """Register request/reply endpoints (before start)."""
        self.endpoints.extend(endpoints)

    def consume(self, *specs: ConsumerSpec) -> None:
        """Register JetStream consumers (before start)."""
        self.consumer_specs.extend(specs)

    def on_start(self, hook: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``hook`` once the database is migrated and the bus connected, before serving."""
        self._on_start.append(hook)

    def every(self, name: str, loop: Loop) -> None:
        """Run ``loop(stopping)`` in the background once started; it returns when ``stopping``."""
        self._loops.append((name, loop))

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
        await self.bus.provision(self.streams, replicas=self.settings.stream_replicas)
        for hook in self._on_start:
            await hook()
        if self.relay is not None:
            self.relay.start()
        self._rpc = RpcServer(self.bus, self.endpoints)
        await self._rpc.start(self.service)
        for spec in self.consumer_specs:
            consumer = Consumer(self.bus, spec)
            await consumer.provision()
            consumer.start()
            self._consumers.append(consumer)
        self.stopping.clear()
        for name, loop in self._loops:
            self._loop_tasks.append(asyncio.create_task(loop(self.stopping), name=name))
        self.started = True
        log.info("service started", database=self.database)

    async def stop(self) -> None:
        self.started = False
        self.stopping.set()
        if self._loop_tasks:
            _, pending = await asyncio.wait(self._loop_tasks, timeout=10)
            for task in pending:
                task.cancel()
            self._loop_tasks.clear()
        await asyncio.gather(*(consumer.stop() for consumer in self._consumers))
        self._consumers.clear()
        if self._rpc is not None:
            await self._rpc.stop()
        if self.relay is not None:
            await self.relay.stop()
        await self.bus.close()
        await self.redis.aclose()
        await self.engine.dispose()
        log.info("service stopped")

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

    def health_routes(self) -> list[Any]:
        return health_routes(
            {"database": self.check_database, "nats": self.check_nats, "redis": self.check_redis}
        )


def service_app(runtime: ServiceRuntime, *route_handlers: Any, **options: Any) -> Litestar:
    """A Litestar app with the runtime's health routes, started and stopped with the runtime.

    Every HTTP request gets a server span that continues the caller's trace (W3C headers).
    """
    middleware = [tracing_middleware(runtime.service), *options.pop("middleware", [])]
    app = Litestar(
        route_handlers=[*runtime.health_routes(), *route_handlers],
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
    app = create_app(settings)
    if command == "migrate":
        runtime: ServiceRuntime = app.state.runtime
        asyncio.run(runtime.migrate())
    elif command == "serve":
        run(app, settings)
    else:
        raise SystemExit(f"usage: python -m imas_{settings.service} [serve|migrate]")


def run(app: Litestar, settings: RuntimeSettings) -> None:
    """Serve ``app`` until SIGTERM / SIGINT, then shut down gracefully."""
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,
    )


def prepare_process(settings: RuntimeSettings) -> None:
    """Logging and tracing for a service process, configured once from its settings."""
    configure_logging(settings.service, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(settings.service)
