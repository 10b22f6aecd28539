"""Rotating ``IMAS_SECRET_KEY`` in each service that stores secrets: ingest (integration keys),
notifier (provider secrets), warroom (exporter secrets).

The rotation as docs/security.md tells it: start with the new key and the old one listed as
previous (the service seals every stored secret again under the new key), then start with the
new key alone: everything stored before still works.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from imas_contracts.ingest import AuthenticateWebhook, CreateIntegration, IntegrationReply
from imas_contracts.notifier import ProviderView, PutProvider
from imas_contracts.warroom import ExporterView, PutExporter
from imas_ingest import credentials
from imas_ingest.app import create_runtime as create_ingest
from imas_ingest.models import integrations
from imas_ingest.settings import IngestSettings
from imas_notifier.app import create_runtime as create_notifier
from imas_notifier.models import providers
from imas_notifier.settings import NotifierSettings
from imas_runtime.secrets_box import DEFAULT_SECRET_KEY, SecretBox
from imas_runtime.service import ServiceRuntime
from imas_warroom.app import create_runtime as create_warroom
from imas_warroom.models import exporters
from imas_warroom.settings import WarroomSettings

pytestmark = pytest.mark.integration

NEW_KEY = Fernet.generate_key().decode()


async def _run(runtime: ServiceRuntime, step: Callable[[ServiceRuntime], Awaitable[Any]]) -> Any:
    await runtime.start()
    try:
        return await step(runtime)
    finally:
        await runtime.stop()


Make = Callable[..., ServiceRuntime]


async def _rotate(
    make: Make,
    *,
    old_key: str,
    column: Any,
    create: Callable[[ServiceRuntime], Awaitable[Any]],
    still_works: Callable[[ServiceRuntime, Any], Awaitable[None]],
) -> bytes:
    """Store a secret under ``old_key``, start with the new key and the old one as previous,
    then with the new key alone; answer the value stored after the rotating start."""
    created = await _run(make(secret_key=old_key), create)

    async def stored(runtime: ServiceRuntime) -> list[bytes]:
        async with runtime.engine.connect() as conn:
            return [bytes(v) for v in (await conn.execute(select(column))).scalars()]

    (sealed,) = await _run(make(secret_key=NEW_KEY, previous_secret_keys=old_key), stored)

    async def check(runtime: ServiceRuntime) -> None:
        await still_works(runtime, created)

    await _run(make(secret_key=NEW_KEY), check)
    return sealed


@pytest.fixture
def place(
    nats_url: str, postgres_url: str, redis_url: str, fresh_database: Any
) -> Callable[[str], Awaitable[dict[str, Any]]]:
    async def make(label: str) -> dict[str, Any]:
        return {
            "nats_url": nats_url,
            "database_url": postgres_url,
            "redis_url": redis_url,
            "database": await fresh_database(label),
        }

    return make


async def test_ingest_integration_keys_survive_a_key_rotation(place: Any) -> None:
    base = await place("rot_ing")

    async def create(runtime: ServiceRuntime) -> tuple[str, str]:
        reply = await runtime.bus.request(
            CreateIntegration(name="sentry", kind="custom"), IntegrationReply
        )
        assert reply.integration.secret
        return reply.integration.id, reply.integration.secret

    async def signed_webhook_is_accepted(runtime: ServiceRuntime, created: Any) -> None:
        integration_id, secret = created
        body = b'{"title": "disk full"}'
        signature = credentials.sign_custom(secret, body, int(time.time()))
        reply = await runtime.bus.request(
            AuthenticateWebhook(
                source="custom", integration_id=integration_id, signature=signature, body=body
            ),
            IntegrationReply,
        )
        assert reply.integration.id == integration_id

    sealed = await _rotate(
        lambda **keys: create_ingest(IngestSettings(service="ingest", **base, **keys)),
        old_key=DEFAULT_SECRET_KEY,
        column=integrations.c.secret_encrypted,
        create=create,
        still_works=signed_webhook_is_accepted,
    )
    assert SecretBox(NEW_KEY).decrypt(sealed)


async def test_notifier_provider_secrets_survive_a_key_rotation(place: Any) -> None:
    base = await place("rot_ntf")

    async def create(runtime: ServiceRuntime) -> str:
        put = PutProvider(name="slack", kind="slack", secrets={"bot_token": "xoxb-before"})
        return (await runtime.bus.request(put, ProviderView)).provider.id

    async def edit_keeps_the_secret(runtime: ServiceRuntime, provider_id: Any) -> None:
        # Changing a setting keeps the stored token: only possible if it can be opened.
        put = PutProvider(id=provider_id, name="slack", kind="slack", config={"channel": "#ops"})
        view = await runtime.bus.request(put, ProviderView)
        assert view.provider.secrets == ["bot_token"]

    sealed = await _rotate(
        lambda **keys: create_notifier(NotifierSettings(service="notifier", **base, **keys)),
        old_key=DEFAULT_SECRET_KEY,
        column=providers.c.secrets,
        create=create,
        still_works=edit_keeps_the_secret,
    )
    assert SecretBox(NEW_KEY).open(sealed) == {"bot_token": "xoxb-before"}


async def test_warroom_exporter_secrets_survive_a_key_rotation(place: Any) -> None:
    base = await place("rot_war")
    config = {"base_url": "https://wiki.example.com", "space_key": "OPS", "email": "a@b.c"}

    async def create(runtime: ServiceRuntime) -> str:
        put = PutExporter(
            name="wiki", kind="confluence", config=config, secrets={"api_token": "atl-1"}
        )
        return (await runtime.bus.request(put, ExporterView)).exporter.id

    async def edit_keeps_the_secret(runtime: ServiceRuntime, exporter_id: Any) -> None:
        put = PutExporter(
            id=exporter_id, name="wiki", kind="confluence", config={**config, "space_key": "SRE"}
        )
        view = await runtime.bus.request(put, ExporterView)
        assert view.exporter.secrets == ["api_token"]

    sealed = await _rotate(
        lambda **keys: create_warroom(WarroomSettings(service="warroom", **base, **keys)),
        old_key="an old passphrase that was long enough for production",
        column=exporters.c.sealed_secrets,
        create=create,
        still_works=edit_keeps_the_secret,
    )
    assert SecretBox(NEW_KEY).open(sealed) == {"api_token": "atl-1"}
