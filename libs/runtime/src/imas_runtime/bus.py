"""The bus: one NATS connection per process, JetStream publishing, request/reply, provisioning."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
import nats
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

from imas_contracts import ErrorReply, Event, Message, Request, StreamSpec
from imas_runtime.errors import RequestFailed, Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.telemetry import inject_headers, span

R = TypeVar("R", bound=Message)

log = get_logger(__name__)
encoder = msgspec.json.Encoder()
MSG_ID_HEADER = "Nats-Msg-Id"
ERROR_CODE_HEADER = "Nats-Service-Error-Code"


def encode(message: msgspec.Struct) -> bytes:
    return encoder.encode(message)


class Bus:
    """A NATS connection that reconnects forever and drains on shutdown."""

    def __init__(self, service: str, url: str) -> None:
        self.service = service
        self.url = url
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._decoders: dict[type[Message], msgspec.json.Decoder[Any]] = {}

    @property
    def nc(self) -> Client:
        assert self._nc is not None, "bus not connected"
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        assert self._js is not None, "bus not connected"
        return self._js

    @property
    def is_connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def connect(self, *, connect_timeout: float = 30.0) -> None:
        """Connect, retrying until ``connect_timeout``; afterwards reconnect forever."""

        async def on_disconnect() -> None:
            if self._nc is not None and not (self._nc.is_closed or self._nc.is_draining):
                log.warning("nats disconnected")

        async def on_reconnect() -> None:
            log.info("nats reconnected")

        async def on_error(exc: Exception) -> None:
            log.warning("nats error", error=str(exc))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + connect_timeout
        while True:
            try:
                # Without a bound, an unreachable first server would be retried forever.
                self._nc = await asyncio.wait_for(
                    nats.connect(
                        self.url,
                        name=f"imas-{self.service}",
                        max_reconnect_attempts=-1,
                        reconnect_time_wait=0.5,
                        connect_timeout=2,
                        disconnected_cb=on_disconnect,
                        reconnected_cb=on_reconnect,
                        error_cb=on_error,
                    ),
                    timeout=max(deadline - loop.time(), 0.1),
                )
                break
            except Exception as exc:
                if loop.time() > deadline:
                    raise ConnectionError(f"no NATS server answers at {self.url}") from exc
                log.info("waiting for nats", url=self.url, error=str(exc))
                await asyncio.sleep(0.5)
        self._js = self._nc.jetstream(timeout=10)

    async def close(self) -> None:
        """Drain: finish in-flight subscriptions and flush pending publishes, then close."""
        if self._nc is not None and not self._nc.is_closed:
            try:
                await asyncio.wait_for(self._nc.drain(), timeout=10)
            except Exception:
                await self._nc.close()
        self._nc = None
        self._js = None

    async def provision(self, streams: Iterable[StreamSpec], *, replicas: int = 1) -> None:
        """Create or update each stream to match its declaration (idempotent)."""
        for spec in streams:
            config = StreamConfig(
                name=spec.name,
                subjects=list(spec.subjects),
                description=spec.description or None,
                max_age=spec.max_age_seconds,
                duplicate_window=spec.duplicate_window_seconds,
                num_replicas=replicas,
            )
            try:
                await self.js.stream_info(spec.name)
            except NotFoundError:
                await self.js.add_stream(config)
            else:
                await self.js.update_stream(config)

    def headers_for(self, event: Event, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = inject_headers(extra)
        headers[MSG_ID_HEADER] = event.event_id
        return headers

    async def publish(self, event: Event, *, subject: str | None = None) -> None:
        """Publish one event and wait for JetStream's acknowledgement (durable once it returns)."""
        await self.js.publish(
            subject or event.type_name(), encode(event), headers=self.headers_for(event)
        )

    async def request(self, request: Request, reply_type: type[R], *, timeout: float = 10.0) -> R:
        """Send a request and decode its reply; an ``ErrorReply`` is raised as ``RequestFailed``."""
        subject = request.type_name()
        with span(self.service, f"request {subject}"):
            try:
                msg = await self.nc.request(
                    subject, encode(request), timeout=timeout, headers=inject_headers()
                )
            except NoRespondersError as exc:
                raise Unavailable(f"no service answers {subject}") from exc
            except NatsTimeoutError as exc:
                raise Unavailable(f"{subject} did not answer within {timeout}s") from exc
        if msg.headers and ERROR_CODE_HEADER in msg.headers:
            raise RequestFailed(
                ErrorReply(code="internal", message=msg.headers.get("Nats-Service-Error", ""))
            )
        reply = self._decoder(reply_type).decode(msg.data)
        if isinstance(reply, ErrorReply):
            raise RequestFailed(reply)
        assert isinstance(reply, reply_type)
        return reply

    def _decoder(self, reply_type: type[Message]) -> msgspec.json.Decoder[Any]:
        decoder = self._decoders.get(reply_type)
        if decoder is None:
            decoder = msgspec.json.Decoder(reply_type | ErrorReply)
            self._decoders[reply_type] = decoder
        return decoder
