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
from imas_contracts.incidents import GetIncident, IncidentResolved, IncidentUpdated, IncidentView
from imas_contracts.warroom import ChatReply, DiscordRequest, DocumentView, GetDocument
from imas_runtime.rpc import Endpoint, RpcServer
from imas_testing import eventually
from imas_testing.fake_chat import Channel, FakeDiscord

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
    # The lead (the on-call has no Discord id) can see the room from its creation, and the
    # header's mention notified her.
    assert channel.members == ["111"] and channel.overwrites["111"]["type"] == 1
    assert channel.notified == ["111"]
    assert discord.calls("PUT /channels/*/permissions/*") == []
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


async def test_a_lead_named_after_the_room_opened_can_see_it_and_is_mentioned(
    warroom: Warroom, discord: FakeDiscord
) -> None:
    snapshot = incident("SEV2_HIGH", lead=None)
    await warroom.publish(triggered(snapshot))
    name = f"inc-{snapshot.short_id.lower()}-redis-prod"

    def opened() -> Channel:
        channel = discord.by_name(name)
        assert channel is not None and channel.pins
        return channel

    channel = await eventually(opened, timeout=10)
    assert channel.members == [] and channel.notified == []
    led = msgspec.structs.replace(snapshot, lead="Alice Martin")
    await warroom.publish(
        IncidentUpdated(
            event_id=new_event_id(), occurred_at=datetime.now(UTC), incident=led, changed=["lead"]
        )
    )

    def invited() -> None:
        assert channel.members == ["111"] and channel.notified == ["111"]

    await eventually(invited, timeout=10)


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


async def test_a_role_given_from_discord_lets_its_holder_into_the_room_and_the_lid(
    warroom: Warroom, discord: FakeDiscord
) -> None:
    snapshot = incident("SEV2_HIGH", lead=None)

    async def get_incident(query: GetIncident) -> IncidentView:
        return IncidentView(incident=snapshot)

    server = RpcServer(warroom.bus, [Endpoint(GetIncident, get_incident)])
    await server.start("test-incidents")
    try:
        await warroom.publish(triggered(snapshot))
        name = f"inc-{snapshot.short_id.lower()}-redis-prod"

        def opened() -> Channel:
            channel = discord.by_name(name)
            assert channel is not None and channel.pins
            return channel

        channel = await eventually(opened, timeout=10)
        assert "333" not in channel.members
        command = {
            "name": "incident",
            "options": [
                {"name": "command", "value": "role"},
                {"name": "text", "value": "scribe <@333>"},
            ],
        }
        body = json.dumps(
            {
                "type": 2,
                "channel_id": channel.id,
                "member": {"user": {"id": "111", "username": "alice"}},
                "data": command,
            }
        )
        asked = msgspec.structs.replace(sign(body), caller_role="responder")
        reply = json.loads((await warroom.ask(asked, ChatReply)).body)["data"]["content"]
        assert reply == f"INC-{snapshot.short_id}: Carol Diaz is scribe (by Alice Martin)."

        def invited() -> None:
            assert "333" in channel.members and "333" in channel.notified

        await eventually(invited, timeout=10)
        document = await warroom.ask(GetDocument(incident=snapshot.id), DocumentView)
        assert "| **Scribe** | Carol Diaz |" in document.markdown
    finally:
        await server.stop()
