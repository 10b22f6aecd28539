"""Kept-alive HTTP connections to providers, at a constant cost per request.

httpx's own pool looks at every connection it holds on each request and each response (and
asks the OS whether each idle one was closed), which costs more than the request itself once
dozens of senders keep connections to one provider. Here each connection is a lane of its
own (an httpx transport holding one connection), and lanes are kept per origin in a stack: a
request takes the lane used last, or opens a new one, and gives it back when its response is
closed. A lane idle longer than the keep-alive expiry is closed (the oldest is looked at on
each return, so the cost stays constant). Each lane connects through the outbound guard
(``imas_runtime.outbound``); TLS and errors are httpx's.

A request that fails or is cut closes its lane instead of giving it back. A send is cut by the
sender's deadline and by the call's own total time, 10 s both by default: the two cancellations
land together and interrupt httpcore's cleanup, which leaves the connection "active" with no
request. Given back, such a lane made every later request that took it wait until it was cut:
after a vendor answering in 20 s, about one page in five to that vendor then failed twice
without ever leaving, and was given up.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Callable

import httpx

from imas_runtime import outbound

Origin = tuple[bytes, bytes, int | None]


class LanePool(httpx.AsyncBaseTransport):
    """Lanes by origin (scheme, host, port); at most ``idle_per_origin`` kept when idle."""

    def __init__(
        self, guard: outbound.Guard, *, idle_per_origin: int = 64, keepalive_expiry: float = 5.0
    ) -> None:
        self.guard = guard
        self.idle_per_origin = max(1, idle_per_origin)
        self.keepalive_expiry = keepalive_expiry
        self._ssl_context: ssl.SSLContext = httpx.create_ssl_context()
        # Per origin, idle lanes with the time each was given back, the latest on the right.
        self._idle: dict[Origin, deque[tuple[httpx.AsyncHTTPTransport, float]]] = {}
        self._all: set[httpx.AsyncHTTPTransport] = set()
        self._closing: set[asyncio.Task[None]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.raw_scheme, request.url.raw_host, request.url.port)
        idle = self._idle.get(origin)
        lane = idle.pop()[0] if idle else self._open()
        try:
            response = await lane.handle_async_request(request)
        except BaseException:
            self._close(lane)  # its connection's state is unknown (module docstring)
            raise

        def release(clean: bool) -> None:
            if clean:
                self._give_back(origin, lane)
            else:
                self._close(lane)

        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Releasing(response.stream, release),
            extensions=response.extensions,
        )

    def _open(self) -> httpx.AsyncHTTPTransport:
        lane = outbound.transport(
            self.guard,
            verify=self._ssl_context,
            limits=httpx.Limits(
                max_connections=1,
                max_keepalive_connections=1,
                keepalive_expiry=self.keepalive_expiry,
            ),
        )
        self._all.add(lane)
        return lane

    def _give_back(self, origin: Origin, lane: httpx.AsyncHTTPTransport) -> None:
        idle = self._idle.setdefault(origin, deque())
        now = time.monotonic()
        if idle and (len(idle) >= self.idle_per_origin or now - idle[0][1] > self.keepalive_expiry):
            self._close(idle.popleft()[0])
        idle.append((lane, now))

    def _close(self, lane: httpx.AsyncHTTPTransport) -> None:
        """Forget the lane and close it beside the caller: nothing here awaits, so a
        cancellation arriving meanwhile cannot leave a lane half given back."""
        self._all.discard(lane)
        task = asyncio.get_running_loop().create_task(lane.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        lanes, self._all, self._idle = self._all, set(), {}
        for lane in lanes:
            await lane.aclose()
        if self._closing:
            await asyncio.wait(self._closing)


class _Releasing(httpx.AsyncByteStream):
    """A response body that gives its lane back once closed."""

    def __init__(
        self,
        stream: httpx.SyncByteStream | httpx.AsyncByteStream,
        release: Callable[[bool], None],
    ) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)
        self._stream = stream
        self._release = release
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        """Give the lane back once the answer is closed cleanly; close it otherwise."""
        clean = False
        try:
            await self._stream.aclose()
            clean = True
        finally:
            if not self._released:
                self._released = True
                self._release(clean)
