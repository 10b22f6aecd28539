"""A lean HTTP/1.1 keep-alive client for load generation (the benchmarks, and tests that
overload a gateway).

The benchmarks share two cores with the services they measure: a general-purpose client spends
more CPU per request than the gateway spends answering it, and then the generator, not IMAS, is
what saturates (and what is timed). This one does only what a load generator needs: POST (or
GET) a body on a pooled keep-alive connection, read a Content-Length or chunked answer, hand
back the status, the body and, when asked, the headers.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec

_encode = msgspec.json.Encoder().encode
MAX_IDLE_SECONDS = 3.0


class HttpError(Exception):
    """The connection failed or the answer could not be read."""


@dataclass(frozen=True)
class Reply:
    """An answer: its status, its headers (names in lower case) and its body."""

    status: int
    headers: dict[str, str]
    body: bytes


def _headers(head: bytes) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        found.setdefault(name.strip().lower(), value.strip())
    return found


Answer = tuple[int, bytes, bool, bytes]  # status, body, keep-alive, head


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Answer] | None = None
        self.closed = False
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HttpError(f"connection closed: {exc}"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        try:
            answer = self._parse()
        except (ValueError, IndexError) as exc:
            self.waiter.set_exception(HttpError(f"unreadable answer: {exc}"))
            return
        if answer is not None:
            self.waiter.set_result(answer)

    def _parse(self) -> Answer | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        raw_head = bytes(self.buffer[:end])
        head = raw_head.lower()
        status = int(head[9:12])
        keep_alive = b"connection: close" not in head
        start = end + 4
        if b"transfer-encoding: chunked" in head:
            return self._parse_chunked(status, start, keep_alive, raw_head)
        length = 0
        marker = head.find(b"content-length:")
        if marker >= 0:
            line_end = head.find(b"\r\n", marker)
            length = int(head[marker + 15 : line_end if line_end >= 0 else None])
        if len(self.buffer) < start + length:
            return None
        body = bytes(self.buffer[start : start + length])
        del self.buffer[: start + length]
        return status, body, keep_alive, raw_head

    def _parse_chunked(
        self, status: int, start: int, keep_alive: bool, head: bytes
    ) -> Answer | None:
        body = bytearray()
        position = start
        while True:
            size_end = self.buffer.find(b"\r\n", position)
            if size_end < 0:
                return None
            size = int(bytes(self.buffer[position:size_end]).split(b";")[0], 16)
            chunk_start = size_end + 2
            if len(self.buffer) < chunk_start + size + 2:
                return None
            if size == 0:
                del self.buffer[: chunk_start + 2]
                return status, bytes(body), keep_alive, head
            body += self.buffer[chunk_start : chunk_start + size]
            position = chunk_start + size + 2

    async def exchange(self, request: bytes) -> Answer:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Client:
    """Requests to one origin over a pool of at most ``max_connections`` keep-alive connections."""

    def __init__(
        self, url: str, headers: dict[str, str] | None = None, max_connections: int = 100
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = parts.path + (f"?{parts.query}" if parts.query else "") or "/"
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {self.host}:{self.port}\r\n{extra}"
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def _connection(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.closed:
                continue
            # Servers close idle keep-alive connections (uvicorn after 5 s): a request written
            # as the close arrives is lost, so connections idle that long are not reused.
            if now - connection.idle_since > MAX_IDLE_SECONDS:
                connection.close()
                continue
            return connection
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await loop.create_connection(_Connection, self.host, self.port)
        except OSError as exc:
            raise HttpError(f"cannot connect: {exc}") from exc
        return protocol

    async def request(
        self, method: str, body: object = None, path: str | None = None
    ) -> tuple[int, bytes]:
        """One request; (status, body). Raises HttpError when no answer could be read."""
        reply = await self.call(method, body, path, headers=False)
        return reply.status, reply.body

    async def call(
        self, method: str, body: object = None, path: str | None = None, *, headers: bool = True
    ) -> Reply:
        """One request; its whole answer (the headers only when ``headers``). Raises HttpError
        when no answer could be read."""
        payload = b"" if body is None else _encode(body)
        request = (
            f"{method} {path or self.path} HTTP/1.1\r\n{self._head}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        async with self._slots:
            connection = await self._connection()
            try:
                status, answer, keep_alive, head = await connection.exchange(request)
            except BaseException:
                connection.close()
                raise
            if keep_alive:
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
            else:
                connection.close()
            return Reply(status, _headers(head) if headers else {}, answer)

    async def post(self, body: object) -> tuple[int, bytes]:
        return await self.request("POST", body)

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
