"""Calls to the outside world: one guard and one HTTP client for every URL that an operator, an
admin or a manager can configure (notification providers, SMTP servers, LID exporters, chat
platforms).

- **Only global addresses.** A host may be called when every address it resolves to is global
  (``ipaddress.is_global``: not loopback, private, link-local, carrier-grade NAT, metadata,
  reserved...), or lies in the operator's allow-list (``IMAS_OUTBOUND_ALLOW``: CIDRs, e.g.
  ``10.20.0.0/16,127.0.0.1/32``). IPv4 addresses embedded in IPv6 (mapped, 6to4, NAT64) are
  judged as the IPv4 address they carry.
- **Pinned.** The name is resolved once, by the guard, and the connection goes to an address
  that was checked: a DNS answer that changes between the check and the connection (DNS
  rebinding) changes nothing. TLS still verifies the certificate for the name.
- **No redirects, no proxies** from the environment.
- **Bounded in total time.** httpx's timeouts are per phase (connect, each read...): a server
  answering one byte a second never trips them. Here the whole call, from waiting for a
  connection to the last byte of the answer, ends at ``total`` seconds
  (:class:`TotalTimeout`), and an answer larger than ``max_answer`` bytes is refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

Resolver = Callable[[str, int], Awaitable[list[str]]]

NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_ANSWER = 4 * 1024 * 1024


class Refused(httpx.TransportError):
    """The guard refused the destination; trying again cannot help."""


class TotalTimeout(httpx.TimeoutException):
    """The call did not complete (answer read to its last byte) within its total time."""


class AnswerTooLarge(httpx.TransportError):
    """The answer was larger than the client accepts."""


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class Guard:
    """Which addresses outbound calls may reach: global ones, and those in ``allow``.
    ``resolver`` replaces the system's name resolution (tests of DNS answers)."""

    allow: tuple[Network, ...] = ()
    resolver: Resolver | None = field(default=None, compare=False)

    @classmethod
    def from_setting(cls, value: str) -> Guard:
        """``IMAS_OUTBOUND_ALLOW``: comma-separated networks or addresses."""
        networks = []
        for entry in (e.strip() for e in value.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(
                    f"IMAS_OUTBOUND_ALLOW: {entry!r} is not a network (e.g. 10.0.0.0/8)"
                ) from None
        return cls(tuple(networks))

    def refusal(self, ip: Address) -> str | None:
        """Why ``ip`` may not be called (None when it may)."""
        if any(ip in network for network in self.allow if network.version == ip.version):
            return None
        inner = _embedded_ipv4(ip)
        if inner is not None:
            why = self.refusal(inner)
            return f"{ip} carries {why}" if why else None
        if not ip.is_global or ip.is_multicast:
            return f"{ip} is not a global address (allow it in IMAS_OUTBOUND_ALLOW)"
        return None

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` resolves to, all checked; :class:`Refused` if any is not
        allowed (a name that answers one good and one bad address is refused)."""
        host = host.strip("[]")
        try:
            literal: Address | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            found = [str(literal)]
        else:
            found = await (self.resolver or _resolve)(host, port)
        for address in found:
            why = self.refusal(ipaddress.ip_address(address))
            if why:
                raise Refused(f"refused by the outbound guard: {host} resolves to {why}")
        if not found:
            raise httpx.ConnectError(f"{host} resolves to no address")
        return found

    async def connect(self, host: str, port: int, timeout: float) -> socket.socket:
        """A connected, non-blocking socket to a checked address of ``host`` (for protocols
        that are not HTTP: SMTP)."""
        loop = asyncio.get_running_loop()
        failure: OSError | None = None
        for address in await self.addresses(host, port):
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                async with asyncio.timeout(timeout):
                    await loop.sock_connect(sock, (address, port))
            except (OSError, TimeoutError) as exc:
                sock.close()
                failure = exc if isinstance(exc, OSError) else OSError(f"{address}: timeout")
                continue
            return sock
        raise failure or OSError(f"cannot connect to {host}")


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard checked."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in await self.guard.addresses(host, port):
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise Refused("refused by the outbound guard: no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def transport(
    guard: Guard,
    *,
    verify: ssl.SSLContext | bool = True,
    limits: httpx.Limits = httpx.Limits(),
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go only where ``guard`` allows."""
    context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
    pinned = httpx.AsyncHTTPTransport(verify=context, limits=limits, trust_env=False)
    # httpx takes no network backend: its pool is built again with the guarded one.
    pinned._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(guard),
    )
    return pinned


class Bounded(httpx.AsyncBaseTransport):
    """Each call through ``inner`` ends within ``total`` seconds, its answer read whole (at
    most ``max_answer`` bytes)."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, *, total: float, max_answer: int = MAX_ANSWER
    ) -> None:
        self.inner = inner
        self.total = total
        self.max_answer = max_answer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            async with asyncio.timeout(self.total):
                response = await self.inner.handle_async_request(request)
                try:
                    body = await self._read(response, request)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise TotalTimeout(
                f"no complete answer from {request.url.host} within {self.total:g}s",
                request=request,
            ) from None
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(body),
            extensions=response.extensions,
        )

    async def _read(self, response: httpx.Response, request: httpx.Request) -> bytes:
        chunks, size = [], 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > self.max_answer:
                raise AnswerTooLarge(
                    f"the answer of {request.url.host} is larger than {self.max_answer} bytes",
                    request=request,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        await self.inner.aclose()


def client(
    guard: Guard | None,
    *,
    total: float,
    transport_: httpx.AsyncBaseTransport | None = None,
    max_answer: int = MAX_ANSWER,
    **options: Any,
) -> httpx.AsyncClient:
    """The HTTP client of every outbound call: guarded, pinned, never redirected, never
    proxied, each call bounded by ``total`` seconds. ``transport_`` (built with
    :func:`transport`) replaces the default guarded one, e.g. a pool of kept-alive lanes.

    ``guard`` None is for the endpoints only the operator sets, in the environment, that may
    well be internal (the single sign-on provider): bounded in time, but not guarded."""
    if transport_ is not None:
        inner = transport_
    elif guard is not None:
        inner = transport(guard)
    else:
        inner = httpx.AsyncHTTPTransport(trust_env=False)
    return httpx.AsyncClient(
        transport=Bounded(inner, total=total, max_answer=max_answer),
        timeout=total,
        follow_redirects=False,
        trust_env=False,
        **options,
    )
