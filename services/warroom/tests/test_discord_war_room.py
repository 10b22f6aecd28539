"""War rooms on Discord (a local server implementing the API parts used) and its signed
interactions endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from imas_contracts import new_event_id
from imas_contracts.incidents import IncidentResolved
from imas_contracts.warroom import ChatReply, DiscordRequest
from imas_runtime.fake_chat import Channel, FakeDiscord
from imas_runtime.testing import eventually

from .conftest import Warroom, WarroomFactory, incident, triggered

pytestmark = pytest.mark.integration

KEY = Ed25519PrivateKey.generate()
PUBLIC_KEY = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


@pytest.fixture(scope="module")
async def discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token="bot-token", guild_id="900") as server:
        yield server  # type: ignore[misc]


@pytest.fixture(scope="module")
async def warroom(discord: FakeDiscord, warroom_factory: WarroomFactory) -> Warroom:
    return await warroom_factory(
        chat="discord",
        discord_api_url=discord.url,
        discord_bot_token="bot-token",
        discord_guild_id="900",
        discord_public_key=PUBLIC_KEY,
        discord_archive_category="777",
        archive_after=60.0,
    )


async def test_sev2_opens_a_discord_channel_with_header_buttons_and_archives_later(
    warroom: Warroom, discord: FakeDiscord
) -> None:
    snapshot = incident("SEV2_HIGH")
    await warroom.publish(triggered(snapshot))
    name = f"inc-{snapshot.short_id.lower()}-redis-prod"

    def opened() -> Channel:
        channel = discord.by_name(name)
        assert channel is not None and channel.pins
        return channel

    channel = await eventually(opened, timeout=10)
    assert channel.members == ["111"]  # the lead; the on-call has no Discord id
    assert "SEV2 high" in channel.topic
    header = channel.messages[channel.pins[0]]
    assert f"INC-{snapshot.short_id}" in header["content"]
    labels = [c["label"] for row in header["components"] for c in row["components"]]
    assert labels == ["Acknowledge", "Resolve"]
    assert header["components"][0]["components"][0]["custom_id"] == f"incident_ack:{snapshot.id}"

    now = datetime.now(UTC)
    resolved = msgspec.structs.replace(snapshot, status="RESOLVED", resolved_at=now)
    await warroom.publish(
        IncidentResolved(event_id=new_event_id(), occurred_at=now, incident=resolved)
    )
    await eventually(lambda: _no_buttons(channel))
    assert not channel.archived
    warroom.clock.advance(61)
    await eventually(lambda: _archived(channel))
    warroom.clock.advance(-61)
    assert channel.name == f"archived-{name}" and channel.parent_id == "777"


def sign(body: str, key: Ed25519PrivateKey = KEY) -> DiscordRequest:
    ts = str(int(time.time()))
    return DiscordRequest(body=body, timestamp=ts, signature=key.sign((ts + body).encode()).hex())


async def test_discord_interactions_are_verified_with_ed25519(warroom: Warroom) -> None:
    ping = json.dumps({"type": 1})
    reply = await warroom.ask(sign(ping), ChatReply)
    assert (reply.status, json.loads(reply.body)) == (200, {"type": 1})
    forged = await warroom.ask(sign(ping, Ed25519PrivateKey.generate()), ChatReply)
    assert forged.status == 401
    command = json.dumps(
        {
            "type": 2,
            "channel_id": "1",
            "member": {"user": {"id": "111", "username": "alice"}},
            "data": {"name": "incident", "options": [{"name": "command", "value": "help"}]},
        }
    )
    helped = json.loads((await warroom.ask(sign(command), ChatReply)).body)
    assert helped["type"] == 4 and "/incident ack" in helped["data"]["content"]


def _no_buttons(channel: Channel) -> None:
    header = channel.messages[channel.pins[0]]
    assert "Status: RESOLVED" in header["content"] and header["components"] == []


def _archived(channel: Channel) -> None:
    assert channel.archived


async def test_discord_actions_are_refused_with_what_to_do_when_the_role_does_not_allow_them(
    warroom: Warroom,
) -> None:
    def interaction(user_id: str, kind: int, data: dict[str, object]) -> str:
        return json.dumps(
            {
                "type": kind,
                "channel_id": "1",
                "member": {"user": {"id": user_id, "username": "someone"}},
                "data": data,
            }
        )

    ack = {"custom_id": f"incident_ack:{incident().id}", "component_type": 2}
    viewer = msgspec.structs.replace(sign(interaction("111", 3, ack)), caller_role="viewer")
    reply = json.loads((await warroom.ask(viewer, ChatReply)).body)["data"]["content"]
    assert reply.startswith("Your IMAS role (viewer) does not allow `ack`: it needs operator")
    escalate = {"name": "incident", "options": [{"name": "command", "value": "escalate"}]}
    no_user = sign(interaction("111", 2, escalate))  # Alice, but no IMAS user has her e-mail
    reply = json.loads((await warroom.ask(no_user, ChatReply)).body)["data"]["content"]
    assert "alice@example.com" in reply and "has no IMAS user account" in reply
    stranger = msgspec.structs.replace(sign(interaction("999", 2, escalate)), caller_role="admin")
    reply = json.loads((await warroom.ask(stranger, ChatReply)).body)["data"]["content"]
    assert "Your Discord user id (999) is not linked to an IMAS person" in reply
