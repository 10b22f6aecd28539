"""A lean HTTP/1.1 keep-alive client for load generation.

The benchmarks share two cores with the services they measure: a general-purpose client spends
more CPU per request than the gateway spends answering it, and then the generator, not IMAS, is
what saturates. This one does only what a load generator needs: POST (or GET) a body on a pooled
keep-alive connection, read a Content-Length or chunked answer, hand back the status and body.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import msgspec

_encode = msgspec.json.Encoder().encode
MAX_IDLE_SECONDS = 3.0


class HttpError(Exception):
    """The connection failed or the answer could not be read."""


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
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

    def _parse(self) -> tuple[int, bytes, bool] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).lower()
        status = int(head[9:12])
        keep_alive = b"connection: close" not in head
        start = end + 4
        if b"transfer-encoding: chunked" in head:
            return self._parse_chunked(status, start, keep_alive)
        length = 0
        marker = head.find(b"content-length:")
        if marker >= 0:
            line_end = head.find(b"\r\n", marker)
            length = int(head[marker + 15 : line_end if line_end >= 0 else None])
        if len(self.buffer) < start + length:
            return None
        body = bytes(self.buffer[start : start + length])
        del self.buffer[: start + length]
        return status, body, keep_alive

    def _parse_chunked(
        self, status: int, start: int, keep_alive: bool
    ) -> tuple[int, bytes, bool] | None:
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
                return status, bytes(body), keep_alive
            body += self.buffer[chunk_start : chunk_start + size]
            position = chunk_start + size + 2

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
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
        payload = b"" if body is None else _encode(body)
        request = (
            f"{method} {path or self.path} HTTP/1.1\r\n{self._head}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
        async with self._slots:
            connection = await self._connection()
            try:
                status, answer, keep_alive = await connection.exchange(request)
            except BaseException:
                connection.close()
                raise
            if keep_alive:
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
            else:
                connection.close()
            return status, answer

    async def post(self, body: object) -> tuple[int, bytes]:
        return await self.request("POST", body)

    def close(self) -> None:
        for connection in self._idle:
            connection.close()
        self._idle.clear()
