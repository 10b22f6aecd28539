"""The bus: one NATS connection per process, JetStream publishing, request/reply, provisioning.

The connection authenticates as the service (user and password, or an NKey) and speaks TLS
when the URL says ``tls://`` or a CA is given: on a NATS server that requires both, a pod that
is not one of the services can neither listen to the bus nor send it commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import ObjectMeta, ObjectMetaOptions, ObjectStoreConfig
from nats.js.errors import APIError, NotFoundError
from nats.js.object_store import ObjectStore

from imas_contracts import ErrorReply, Event, Message, Request, StreamSpec
from imas_runtime import streams as streams_
from imas_runtime.errors import RequestFailed, Unavailable
from imas_runtime.logs import get_logger
from imas_runtime.settings import RuntimeSettings, load_settings
from imas_runtime.streams import Drift
from imas_runtime.telemetry import inject_headers, span

R = TypeVar("R", bound=Message)

log = get_logger(__name__)
encoder = msgspec.json.Encoder()
MSG_ID_HEADER = "Nats-Msg-Id"
ERROR_CODE_HEADER = "Nats-Service-Error-Code"
# A reply larger than the server's max_payload (1 MB by default) cannot travel as a message:
# it is parked in an object store (which chunks it) and the reply names it in this header.
LARGE_REPLY_HEADER = "Imas-Reply-Object"
LARGE_REPLIES_BUCKET = "imas-large-replies"
LARGE_REPLY_TTL_SECONDS = 120.0
# Room left under max_payload for the headers (trace context) of a reply.
REPLY_HEADROOM = 8 * 1024


# JetStream's error codes for a store that is full: the stream's max_bytes (with discard
# new), the server's or account's store, and no room to reserve a new stream's max_bytes.
STREAM_FULL = 10077
STORE_FULL = 10023
INSUFFICIENT_STORAGE = 10047


def encode(message: msgspec.Struct) -> bytes:
    return encoder.encode(message)


@dataclass(frozen=True)
class NatsAuth:
    """How a process proves itself to NATS: ``user`` and ``password``, or ``nkey_seed`` (the
    ``SU…`` seed of an NKey user); ``tls_ca`` (a PEM file) checks the server's certificate,
    ``tls_cert`` and ``tls_key`` are the client's own when the server asks for one."""

    user: str = ""
    password: str = ""
    nkey_seed: str = ""
    tls_ca: str = ""
    tls_cert: str = ""
    tls_key: str = ""

    @classmethod
    def from_settings(cls, settings: RuntimeSettings) -> NatsAuth:
        """The process's credentials: ``IMAS_NATS_USER`` / ``_PASSWORD`` / ``_NKEY_SEED``
        and ``IMAS_NATS_TLS_*`` (or the ``<SERVICE>_`` ones)."""
        return cls(
            user=settings.nats_user,
            password=settings.nats_password,
            nkey_seed=settings.nats_nkey_seed,
            tls_ca=settings.nats_tls_ca,
            tls_cert=settings.nats_tls_cert,
            tls_key=settings.nats_tls_key,
        )

    @classmethod
    def from_env(cls) -> NatsAuth:
        """The credentials of a command-line tool, from the same ``IMAS_NATS_*`` variables."""
        return cls.from_settings(load_settings(RuntimeSettings, service="cli"))

    def options(self, url: str) -> dict[str, Any]:
        """Keyword arguments of ``nats.connect`` for these credentials."""
        options: dict[str, Any] = {}
        if self.nkey_seed:
            options["nkeys_seed_str"] = self.nkey_seed
        elif self.user:
            options.update(user=self.user, password=self.password)
        if self.tls_ca or self.tls_cert or url.startswith("tls://"):
            context = ssl.create_default_context(cafile=self.tls_ca or None)
            if self.tls_cert:
                context.load_cert_chain(self.tls_cert, self.tls_key or None)
            options["tls"] = context
        return options


class NotStored(Unavailable):
    """JetStream did not acknowledge a publish: the caller must not report it as accepted.
    ``retry_after`` says when trying again may succeed (longer when the store is full)."""

    @classmethod
    def of(cls, subject: str, exc: Exception) -> NotStored:
        if isinstance(exc, APIError) and exc.err_code in (STREAM_FULL, STORE_FULL):
            refused = cls(f"JetStream is full and stored nothing for {subject}: {exc.description}")
            refused.retry_after = 5
            return refused
        if isinstance(exc, NoRespondersError):
            return cls(f"no JetStream stream takes {subject}")
        return cls(f"JetStream did not acknowledge {subject}: {exc!r}")


class Bus:
    """A NATS connection that reconnects forever and drains on shutdown."""

    def __init__(self, service: str, url: str, auth: NatsAuth | None = None) -> None:
        self.service = service
        self.url = url
        self.auth = auth or NatsAuth()
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._decoders: dict[type[Message], msgspec.json.Decoder[Any]] = {}
        self._large_replies: ObjectStore | None = None
        self.replicas = 1

    @property
    def nc(self) -> Client:
        assert self._nc is not None, "bus not connected"
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        assert self._js is not None, "bus not connected"
        return self._js

    @property
    def servers(self) -> list[str]:
        """The servers of ``url``: one, or a cluster's nodes comma-separated (any that answers
        will do; the others are tried on reconnect)."""
        return [server.strip() for server in self.url.split(",") if server.strip()]

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
                        self.servers,
                        name=f"imas-{self.service}",
                        max_reconnect_attempts=-1,
                        reconnect_time_wait=0.5,
                        connect_timeout=2,
                        # NATS's keepalive: a server that stopped answering is given up (and
                        # reconnected to) after 3 pings 10 s apart, not the default 4 minutes.
                        ping_interval=10,
                        max_outstanding_pings=3,
                        disconnected_cb=on_disconnect,
                        reconnected_cb=on_reconnect,
                        error_cb=on_error,
                        **self.auth.options(self.url),
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

    async def provision(self, streams: Iterable[StreamSpec], *, replicas: int = 1) -> list[Drift]:
        """Create each stream as declared, or bring it up to its declaration without reverting
        what an operator changed (see :mod:`imas_runtime.streams`). Answers the differences
        kept, each also logged as a warning. Safe to run twice, and from every service."""
        self.replicas = replicas
        kept: list[Drift] = []
        for spec in streams:
            settings = streams_.declared(spec, replicas=replicas)
            try:
                info = await self.js.stream_info(spec.name)
            except NotFoundError:
                await self._create(spec, settings)
                continue
            update, drifts = streams_.reconcile(info.config, spec, settings)
            for drift in drifts:
                log.warning("stream setting kept", detail=str(drift))
            if update is not None:
                await self.js.update_stream(update)
            kept += drifts
        return kept

    async def _create(self, spec: StreamSpec, settings: dict[str, Any]) -> None:
        try:
            await self.js.add_stream(streams_.new_config(spec, settings))
        except APIError as exc:
            if exc.err_code != INSUFFICIENT_STORAGE:
                raise
            raise RuntimeError(
                f"JetStream cannot reserve {spec.max_bytes} bytes for stream {spec.name}: its "
                "store is smaller. Give JetStream a larger max_file_store, or lower the stream's "
                "size (IMAS_ALERTS_MAX_BYTES for ALERTS, the same on every service)"
            ) from exc

    def headers_for(self, event: Event, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = inject_headers(extra)
        headers[MSG_ID_HEADER] = event.event_id
        return headers

    async def publish(self, event: Event, *, subject: str | None = None) -> None:
        """Publish one event and wait for JetStream's acknowledgement (durable once it returns).

        Raises :class:`NotStored` when JetStream did not acknowledge it: its stream is full
        (or the server's store), no stream takes the subject, or no answer came in time (it
        may then have been stored all the same)."""
        subject = subject or event.type_name()
        try:
            await self.js.publish(subject, encode(event), headers=self.headers_for(event))
        except NatsError as exc:
            raise NotStored.of(subject, exc) from exc

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
        data = msg.data
        if msg.headers and LARGE_REPLY_HEADER in msg.headers:
            data = await self._take_large_reply(msg.headers[LARGE_REPLY_HEADER])
        reply = self._decoder(reply_type).decode(data)
        if isinstance(reply, ErrorReply):
            raise RequestFailed(reply)
        assert isinstance(reply, reply_type)
        return reply

    def fits_in_a_message(self, data: bytes) -> bool:
        return len(data) <= self.nc.max_payload - REPLY_HEADROOM

    async def park_large_reply(self, data: bytes) -> str:
        """Keep a reply too large for one message in the object store; answer its name, which
        the reply carries in its ``Imas-Reply-Object`` header instead of the data."""
        name = uuid.uuid4().hex
        # Chunks must fit in a message too (the store's default, 128 KiB, may not).
        chunk = min(128 * 1024, self.nc.max_payload - REPLY_HEADROOM)
        meta = ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk))
        await (await self._large_reply_store()).put(name, data, meta=meta)
        return name

    async def _take_large_reply(self, name: str) -> bytes:
        store = await self._large_reply_store()
        found = await store.get(name)
        # Read once: delete now rather than hold it until the bucket's TTL.
        with contextlib.suppress(NatsError):
            await store.delete(name)
        return found.data or b""

    async def _large_reply_store(self) -> ObjectStore:
        if self._large_replies is None:
            config = ObjectStoreConfig(
                description="Request/reply answers larger than a NATS message, read once",
                ttl=LARGE_REPLY_TTL_SECONDS,
                replicas=self.replicas,
            )
            try:
                self._large_replies = await self.js.create_object_store(
                    LARGE_REPLIES_BUCKET, config=config
                )
            except APIError:  # made by another process meanwhile, or with other settings
                self._large_replies = await self.js.object_store(LARGE_REPLIES_BUCKET)
        return self._large_replies

    def _decoder(self, reply_type: type[Message]) -> msgspec.json.Decoder[Any]:
        decoder = self._decoders.get(reply_type)
        if decoder is None:
            decoder = msgspec.json.Decoder(reply_type | ErrorReply)
            self._decoders[reply_type] = decoder
        return decoder
