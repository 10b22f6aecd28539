"""The outbound guard and client: global addresses only, pinned, no redirects, total time."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from imas_runtime import outbound
from imas_runtime.outbound import Guard, Refused, TotalTimeout
from imas_testing.fake_providers import WebhookReceiver

LOOPBACK = Guard.from_setting("127.0.0.0/8")


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1", "10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "100.127.255.254",  # carrier-grade NAT (a cluster's pod network)
        "198.18.0.1", "192.0.0.1", "240.0.0.1", "255.255.255.255", "224.0.0.1",
        "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "::",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
        "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1",  # NAT64 of the metadata and of 10.0.0.1
        "2002:a9fe:a9fe::1", "2002:7f00:1::",  # 6to4 of the metadata and of loopback
    ],
)  # fmt: skip
def test_the_guard_refuses_every_address_that_is_not_global(ip: str) -> None:
    assert Guard().refusal(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_the_guard_lets_global_addresses_through(ip: str) -> None:
    assert Guard().refusal(ipaddress.ip_address(ip)) is None


def test_the_allow_list_admits_private_networks_and_nothing_else() -> None:
    guard = Guard.from_setting("10.20.0.0/16, 127.0.0.1, fd00::/8")
    for allowed in ("10.20.3.4", "127.0.0.1", "::ffff:127.0.0.1", "fd00::5"):
        assert guard.refusal(ipaddress.ip_address(allowed)) is None
    for refused in ("10.21.0.1", "127.0.0.2", "169.254.169.254"):
        assert guard.refusal(ipaddress.ip_address(refused))
    with pytest.raises(ValueError, match="IMAS_OUTBOUND_ALLOW: 'intranet'"):
        Guard.from_setting("10.0.0.0/8,intranet")


@contextlib.asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    """A TCP server on loopback answering with ``handle``; yields its ``http://`` URL."""
    running: set[asyncio.Task[None]] = set()

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        running.add(asyncio.current_task())  # type: ignore[arg-type]
        with contextlib.suppress(ConnectionError):
            await handle(reader, writer)

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for task in running:
            task.cancel()


async def _read_request(reader: asyncio.StreamReader) -> None:
    while (await reader.readline()) not in (b"\r\n", b""):
        pass


async def test_a_loopback_receiver_is_never_reached_without_the_allow_list() -> None:
    async with WebhookReceiver() as receiver, outbound.client(Guard(), total=5) as client:
        with pytest.raises(Refused, match=r"127\.0\.0\.1 is not a global address"):
            await client.post(f"{receiver.url}/hook", json={})
        async with outbound.client(LOOPBACK, total=5) as allowed:
            assert (await allowed.post(f"{receiver.url}/hook", json={})).status_code == 200
    assert len(receiver.requests) == 1


async def test_the_connection_goes_to_the_address_checked_not_to_a_second_answer() -> None:
    answers = iter([["127.0.0.1"], ["203.0.113.9"]])

    async def rebinding(host: str, port: int) -> list[str]:
        # A DNS server that answers the check with one address and what follows with another.
        return next(answers)

    guard = Guard(LOOPBACK.allow, resolver=rebinding)
    async with WebhookReceiver() as receiver, outbound.client(guard, total=5) as client:
        port = receiver.url.rsplit(":", 1)[1]
        response = await client.post(f"http://hooks.rebind.test:{port}/in", json={"a": 1})
    assert response.status_code == 200
    # The name was kept (Host header, and TLS would check it), the address was the one checked.
    assert receiver.requests[0].headers["host"] == f"hooks.rebind.test:{port}"


async def test_a_name_with_one_good_and_one_internal_address_is_refused() -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "169.254.169.254"]

    async with outbound.client(Guard(resolver=mixed), total=5) as client:
        with pytest.raises(Refused, match=r"169\.254\.169\.254"):
            await client.get("http://metadata.example.com/latest/meta-data/")


async def test_redirects_are_never_followed() -> None:
    async with WebhookReceiver() as inside:

        async def redirect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await _read_request(reader)
            writer.write(
                f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {inside.url}/x\r\n"
                "Content-Length: 0\r\n\r\n".encode()
            )
            await writer.drain()
            writer.close()

        async with raw_server(redirect) as url, outbound.client(LOOPBACK, total=5) as client:
            response = await client.post(url, json={})
    assert response.status_code == 307
    assert inside.requests == []


async def test_a_server_dribbling_its_answer_is_cut_at_the_total_deadline() -> None:
    """httpx's read timeout restarts at each byte: one byte every 0.2 s never trips a 1 s read
    timeout, and this answer would take 10 minutes. The total bound ends it."""

    async def dribble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n")
        for _ in range(3000):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.2)

    async with raw_server(dribble) as url, outbound.client(LOOPBACK, total=1.5) as client:
        with pytest.raises(TotalTimeout, match=r"within 1\.5s"):
            await client.get(url)


async def test_a_server_dribbling_its_headers_is_cut_at_the_total_deadline() -> None:
    async def dribble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 3000:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)

    async with raw_server(dribble) as url, outbound.client(LOOPBACK, total=1.5) as client:
        with pytest.raises(TotalTimeout):
            await client.get(url)


async def test_an_answer_larger_than_the_limit_is_refused() -> None:
    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            for _ in range(50):
                writer.write(b"z" * 100_000)
                await writer.drain()

    async with (
        raw_server(flood) as url,
        outbound.client(LOOPBACK, total=10, max_answer=1_000_000) as client,
    ):
        with pytest.raises(outbound.AnswerTooLarge):
            await client.get(url)


async def test_the_smtp_guard_refuses_an_internal_server_before_connecting() -> None:
    with pytest.raises(Refused, match=r"10\.0\.0\.25"):
        await Guard().connect("10.0.0.25", 25, timeout=5)


async def test_a_compressed_answer_is_still_decoded() -> None:
    import gzip

    async def gzipped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        body = gzip.compress(b'{"ok": true}')
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    async with raw_server(gzipped) as url, outbound.client(LOOPBACK, total=5) as client:
        assert (await client.get(url)).json() == {"ok": True}


def test_the_client_ignores_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    client = outbound.client(Guard(), total=1)
    assert not client._mounts  # no proxy transport would bypass the guard
    assert isinstance(client, httpx.AsyncClient)
