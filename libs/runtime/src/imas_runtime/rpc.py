"""Request/reply endpoints served through ``nats.micro`` (discoverable with ``$SRV.PING``).

Each request is handled in its own task so that one slow call never holds up the others; a
semaphore bounds how many run at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from nats.micro import add_service
from nats.micro.request import Request as MicroRequest
from nats.micro.service import Service
from opentelemetry.trace import SpanKind

from imas_contracts import ErrorReply, FieldError, Message, Request
from imas_runtime.bus import LARGE_REPLY_HEADER, Bus, encode
from imas_runtime.errors import ServiceError, is_transient
from imas_runtime.logs import get_logger
from imas_runtime.metrics import REQUESTS
from imas_runtime.telemetry import span_from_headers

log = get_logger(__name__)

Handler = Callable[[Any], Awaitable[Message]]


@dataclass(frozen=True)
class Endpoint:
    """Serve ``request_type`` (on the subject of its tag) with ``handler``."""

    request_type: type[Request]
    handler: Handler

    @property
    def subject(self) -> str:
        return self.request_type.type_name()


def _validation_reply(exc: msgspec.ValidationError) -> ErrorReply:
    text = str(exc)
    field = text.rsplit("`$.", 1)[-1].rstrip("`") if "`$." in text else ""
    return ErrorReply(
        code="invalid",
        message=text,
        errors=[FieldError(field=field.split(".")[0].split("[")[0], message=text)],
    )


class RpcServer:
    """The micro service of one IMAS service, with its endpoints."""

    def __init__(self, bus: Bus, endpoints: Sequence[Endpoint], *, concurrency: int = 64) -> None:
        self.bus = bus
        self.endpoints = list(endpoints)
        self._limit = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._service: Service | None = None

    async def start(self, name: str, version: str = "0.1.0") -> None:
        if not self.endpoints:
            return
        self._service = await add_service(self.bus.nc, name=f"imas-{name}", version=version)
        for endpoint in self.endpoints:
            await self._service.add_endpoint(
                name=endpoint.subject.replace(".", "_"),
                subject=endpoint.subject,
                handler=self._spawner(endpoint),
            )
        # Serving once this returns: the subscriptions have reached the server.
        await self.bus.nc.flush()

    async def stop(self) -> None:
        if self._service is not None:
            await self._service.stop()
            self._service = None
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    def _spawner(self, endpoint: Endpoint) -> Callable[[MicroRequest], Awaitable[None]]:
        decoder = msgspec.json.Decoder(endpoint.request_type)

        async def spawn(request: MicroRequest) -> None:
            task = asyncio.create_task(self._serve(endpoint, decoder, request))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return spawn

    async def _serve(
        self, endpoint: Endpoint, decoder: msgspec.json.Decoder[Any], request: MicroRequest
    ) -> None:
        async with self._limit:
            with span_from_headers(
                self.bus.service, f"serve {endpoint.subject}", request.headers, SpanKind.SERVER
            ):
                reply = await self._call(endpoint, decoder, request.data)
                REQUESTS.labels(
                    endpoint.subject, reply.code if isinstance(reply, ErrorReply) else "ok"
                ).inc()
                try:
                    await self._respond(request, encode(reply))
                except Exception as exc:  # the caller went away; nothing else to do
                    log.warning("reply not sent", subject=endpoint.subject, error=str(exc))

    async def _respond(self, request: MicroRequest, data: bytes) -> None:
        if self.bus.fits_in_a_message(data):
            await request.respond(data)
        else:
            name = await self.bus.park_large_reply(data)
            await request.respond(b"", headers={LARGE_REPLY_HEADER: name})

    async def _call(
        self, endpoint: Endpoint, decoder: msgspec.json.Decoder[Any], data: bytes
    ) -> Message:
        try:
            return await endpoint.handler(decoder.decode(data))
        except msgspec.ValidationError as exc:
            return _validation_reply(exc)
        except msgspec.DecodeError as exc:
            return ErrorReply(code="invalid", message=f"malformed request: {exc}")
        except ServiceError as exc:
            return exc.to_reply()
        except Exception as exc:
            if is_transient(exc):
                # A dependency (the database, another service) is away: the caller may retry,
                # and must not take this for a refusal of its request.
                log.warning(
                    "request failed, dependency away", subject=endpoint.subject, error=repr(exc)
                )
                return ErrorReply(code="unavailable", message="a dependency is unavailable")
            log.exception("request failed", subject=endpoint.subject)
            return ErrorReply(code="internal", message="internal error")
