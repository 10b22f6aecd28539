"""Kept-alive HTTP connections to providers, at a constant cost per request.

httpx's own pool looks at every connection it holds on each request and each response (and
asks the OS whether each idle one was closed), which costs more than the request itself once
dozens of senders keep connections to one provider. Here each connection is a lane of its
own (an httpx transport holding one connection), and lanes are kept per origin in a stack: a
request takes the lane used last, or opens a new one, and gives it back when its response is
closed. A lane idle longer than the keep-alive expiry is closed (the oldest is looked at on
each return, so the cost stays constant). Nothing else changes: timeouts, TLS (the SNI
extension of a pinned address), errors and the refusal to follow redirects are httpx's.
"""

from __future__ import annotations

import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

Origin = tuple[bytes, bytes, int | None]


class LanePool(httpx.AsyncBaseTransport):
    """Lanes by origin (scheme, host, port); at most ``idle_per_origin`` kept when idle."""

    def __init__(self, *, idle_per_origin: int = 64, keepalive_expiry: float = 5.0) -> None:
        self.idle_per_origin = max(1, idle_per_origin)
        self.keepalive_expiry = keepalive_expiry
        self._ssl_context: ssl.SSLContext = httpx.create_ssl_context()
        # Per origin, idle lanes with the time each was given back, the latest on the right.
        self._idle: dict[Origin, deque[tuple[httpx.AsyncHTTPTransport, float]]] = {}
        self._all: set[httpx.AsyncHTTPTransport] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        idle = self._idle.get(origin)
        lane = idle.pop()[0] if idle else self._open()
        try:
            response = await lane.handle_async_request(request)
        except BaseException:
            await self._give_back(origin, lane)
            raise

        async def release() -> None:
            await self._give_back(origin, lane)

        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Releasing(response.stream, release),
            extensions=response.extensions,
        )

    def _open(self) -> httpx.AsyncHTTPTransport:
        lane = httpx.AsyncHTTPTransport(
            verify=self._ssl_context,
            limits=httpx.Limits(
                max_connections=1,
                max_keepalive_connections=1,
                keepalive_expiry=self.keepalive_expiry,
            ),
        )
        self._all.add(lane)
        return lane

    async def _give_back(self, origin: Origin, lane: httpx.AsyncHTTPTransport) -> None:
        idle = self._idle.setdefault(origin, deque())
        now = time.monotonic()
        if idle and (len(idle) >= self.idle_per_origin or now - idle[0][1] > self.keepalive_expiry):
            await self._close(idle.popleft()[0])
        idle.append((lane, now))

    async def _close(self, lane: httpx.AsyncHTTPTransport) -> None:
        self._all.discard(lane)
        await lane.aclose()

    async def aclose(self) -> None:
        lanes, self._all, self._idle = self._all, set(), {}
        for lane in lanes:
            await lane.aclose()


class _Releasing(httpx.AsyncByteStream):
    """A response body that gives its lane back once closed."""

    def __init__(
        self,
        stream: httpx.SyncByteStream | httpx.AsyncByteStream,
        release: Callable[[], Awaitable[None]],
    ) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)
        self._stream = stream
        self._release = release
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if not self._released:
                self._released = True
                await self._release()
