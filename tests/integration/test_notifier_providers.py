"""The notifier against local servers speaking the providers' documented APIs: Slack, OVH,
Twilio, Teams, a real SMTP server (aiosmtpd) and webhook receivers."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from typing import Any

import msgspec
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from imas_contracts import new_event_id
from imas_contracts.incidents import (
    CatalogChanged,
    IncidentAcknowledged,
    IncidentResolved,
    IncidentSnapshot,
    IncidentTriggered,
    Ref,
)
from imas_contracts.notifier import ListProviders, ProviderList, ProviderView, PutProvider
from imas_notifier import store
from imas_notifier.app import NotifierRuntime, create_runtime
from imas_notifier.settings import NotifierSettings
from imas_notifier.usecases import NotifierUseCases
from imas_runtime.db import Timeouts, make_engine, with_database
from imas_runtime.embedded import free_port
from imas_runtime.errors import RequestFailed
from imas_runtime.secrets_box import SecretBox
from imas_testing import LOOPBACK, eventually, factories
from imas_testing.factories import lifecycle
from imas_testing.fake_chat import Channel, FakeDiscord, FakeSlack
from imas_testing.fake_providers import FakeOvh, FakeTeams, FakeTwilio, WebhookReceiver
from tests.integration.locks import waits_for_lock

pytestmark = pytest.mark.integration
NOW = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@dataclass
class World:
    runtime: NotifierRuntime
    usecases: NotifierUseCases
    slack: FakeSlack
    ovh: FakeOvh
    mail: Inbox

    async def put(self, **fields: Any) -> ProviderView:
        return await self.runtime.bus.request(PutProvider(**fields), ProviderView)

    async def upsert(self, **fields: Any) -> ProviderView:
        """Create the provider, or replace the one of that name."""
        try:
            listed = await self.runtime.bus.request(ListProviders(id=fields["name"]), ProviderList)
        except RequestFailed:
            return await self.put(**fields)
        return await self.put(id=listed.providers[0].id, **fields)

    async def catalog(self, kind: str, id_: str, name: str, **data: Any) -> None:
        event = CatalogChanged(event_id=new_event_id(), occurred_at=NOW, kind=kind,  # type: ignore[arg-type]
                               action="upserted", id=id_, name=name, data=data)  # fmt: skip
        await self.runtime.config.on_catalog_changed(event)

    async def rows(self, incident_id: str) -> list[Any]:
        async with self.runtime.engine.connect() as conn:
            result = await conn.execute(
                text("SELECT * FROM deliveries WHERE incident_id = CAST(:i AS uuid)"),
                {"i": incident_id},
            )
            return list(result)


def incident(severity: str = "SEV1_CRITICAL", scopes: tuple[str, ...] = ()) -> IncidentSnapshot:
    return factories.incident(
        at=NOW,
        team=Ref(id="team", name="SRE Core"),
        severity=severity,
        impacted_scopes=[Ref(id=s, name=s) for s in scopes],
    )


def triggered(inc: IncidentSnapshot) -> IncidentTriggered:
    return lifecycle(IncidentTriggered, inc, at=NOW)


@pytest.fixture(scope="module")
async def world(
    nats_url: str, postgres_url: str, redis_url: str, test_run_id: str
) -> AsyncIterator[World]:
    from imas_runtime.db import ensure_database
    from imas_testing import discard_database

    database = f"t_{test_run_id}_ntfprov_{uuid.uuid4().hex[:6]}"
    await ensure_database(postgres_url, database)
    settings = NotifierSettings(
        service="notifier", nats_url=nats_url, database_url=postgres_url, redis_url=redis_url,
        database=database, retry_interval=0.1, retry_base=0.05, max_attempts=3,
        secret_key="test-key", outbound_allow=LOOPBACK,
    )  # fmt: skip
    runtime = create_runtime(settings)
    mail = Inbox()
    smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
    smtp.start()
    async with FakeSlack(token="xoxb-t") as slack, FakeOvh("ak", "as", "ck") as ovh:
        await runtime.start()
        world = World(runtime, runtime.usecases, slack, ovh, mail)
        slack.channels["C1"] = Channel(id="C1", name="sre-core")
        await world.put(
            name="slack",
            kind="slack",
            config={"base_url": slack.url},
            secrets={"bot_token": "xoxb-t"},
        )
        await world.put(
            name="ovh",
            kind="ovh",
            secrets={"application_secret": "as", "consumer_key": "ck"},
            config={
                "endpoint": f"{ovh.url}/1.0",
                "application_key": "ak",
                "service_name": "sms-x",
                "sender": "IMAS",
            },
        )
        await world.put(
            name="mail",
            kind="smtp",
            config={
                "host": "127.0.0.1",
                "port": smtp.port,
                "from": "imas@example.com",
                "start_tls": False,
            },
        )
        await world.catalog("team", "team", "SRE Core", chat_channel="C1", email="sre@x.io")
        await world.catalog("service", "svc", "redis-prod", runbook_url="https://rb/redis")
        await world.catalog("scope", "sec", "Security", mandatory_emails=["ciso@x.io"])
        await world.catalog("person", "p1", "Alice", email="alice@x.io", phone="+33600000001",
                            chat_user_ids={"slack": "C1"})  # fmt: skip
        try:
            yield world
        finally:
            await runtime.stop()
            smtp.stop()
            discard_database(postgres_url, database)


async def statuses(world: World, incident_id: str) -> dict[str, str]:
    return {r.channel: r.status for r in await world.rows(incident_id)}


async def test_sev1_pages_slack_with_ack_button_sms_to_responder_and_scope_email(
    world: World,
) -> None:
    inc = incident(scopes=("sec",))
    from imas_notifier.routing.domain import RoutingRule
    from imas_notifier.store import add_rule

    async with world.runtime.engine.begin() as conn:
        await add_rule(
            conn,
            RoutingRule(
                "oncall", ("sms",), team_id="team", severity="SEV1_CRITICAL", responder="p1"
            ),
        )
    await world.usecases.on_triggered(triggered(inc))

    async def all_sent() -> None:
        assert set((await statuses(world, inc.id)).values()) == {"sent"}
        assert len(await world.rows(inc.id)) == 3

    await eventually(all_sent, timeout=15)
    posted = [m for m in world.slack.channels["C1"].messages.values()
              if m["text"].startswith("[SEV1] Redis Cluster Down")]  # fmt: skip
    blocks = posted[-1]["blocks"]
    button = blocks[-1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("incident_ack", inc.id)
    assert "https://rb/redis|Runbook" in blocks[2]["elements"][0]["text"]
    sms = [b for b in world.ovh.sent() if inc.id in b["message"]]
    assert sms[0]["receivers"] == ["+33600000001"] and sms[0]["sender"] == "IMAS"
    mail = [m for m in world.mail.messages if m["To"] == "ciso@x.io"][-1]
    assert mail["Subject"] == "[SEV1] Redis Cluster Down"
    assert {p.get_content_type() for p in mail.walk()} >= {"text/plain", "text/html"}

    await world.usecases.on_acknowledged(lifecycle(IncidentAcknowledged, inc, at=NOW, actor="bob"))

    async def threaded() -> None:
        replies = [m for m in world.slack.channels["C1"].messages.values()
                   if "Acknowledged by bob" in m["text"]]  # fmt: skip
        page = next(r for r in await world.rows(inc.id) if r.channel == "slack")
        assert [m.get("thread_ts") for m in replies] == [page.provider_response]

    await eventually(threaded, timeout=15)


async def test_an_acknowledgement_and_a_resolution_before_their_trigger_are_followed_up(
    world: World,
) -> None:
    """A trigger held back by a retry (its transaction failed while PostgreSQL restarted)
    can come after the acknowledgement and the resolution: their follow-ups are kept, and go
    to the trigger's pages once they are recorded."""
    inc = factories.incident(
        at=NOW, team=Ref(id="team", name="SRE Core"), severity="SEV2_HIGH", title="Disk full"
    )
    await world.usecases.on_acknowledged(
        lifecycle(IncidentAcknowledged, inc, at=NOW, actor="carol")
    )
    await world.usecases.on_resolved(lifecycle(IncidentResolved, inc, at=NOW))
    await world.usecases.on_triggered(triggered(inc))

    async def followed_up() -> None:
        texts = [m["text"] for m in world.slack.channels["C1"].messages.values()
                 if m["text"].startswith("[SEV2] Disk full")]  # fmt: skip
        assert any("Acknowledged by carol" in t for t in texts), texts
        assert any(t.endswith(": Resolved") for t in texts), texts
        assert len(texts) == 3, texts  # the page and its two follow-ups
        assert set((await statuses(world, inc.id)).values()) == {"sent"}

    await eventually(followed_up, timeout=15)


async def test_an_acknowledgement_while_its_trigger_is_being_recorded_is_followed_up(
    world: World, postgres_url: str
) -> None:
    """The acknowledgement is handled while the trigger's transaction, its pages written, has
    not committed yet (another replica, or the other consumer of this one): it waits for that
    commit and follows the pages up, instead of finding none and sending nothing."""
    inc = factories.incident(
        at=NOW, team=Ref(id="team", name="SRE Core"), severity="SEV2_HIGH", title="Queue stuck"
    )
    # Use cases on a pool of their own, waiting for locks as long as the test needs.
    database = world.runtime.settings.database
    engine = make_engine(
        with_database(postgres_url, database), timeouts=Timeouts(lock=120, statement=120)
    )
    usecases = NotifierUseCases(
        engine,
        world.usecases.providers,
        public_url="http://imas.test",
        routing_config=world.usecases.routing_config,
    )
    outbox_lock = await engine.connect()
    try:
        # The trigger's transaction stops at its last write, the plan in the outbox.
        await outbox_lock.execute(text("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"))
        routing = asyncio.create_task(usecases.on_triggered(triggered(inc)))
        await eventually(lambda: waits_for_lock(engine, "INSERT INTO outbox"))
        ack = lifecycle(IncidentAcknowledged, inc, at=NOW, actor="dave")
        acknowledging = asyncio.create_task(usecases.on_acknowledged(ack))

        async def held_or_done() -> None:
            if not acknowledging.done():
                await waits_for_lock(engine, "incident_triggers")

        await eventually(held_or_done)
        await outbox_lock.commit()
        await routing
        await acknowledging
    finally:
        await outbox_lock.close()
        await engine.dispose()

    async def followed_up() -> None:
        texts = [m["text"] for m in world.slack.channels["C1"].messages.values()
                 if m["text"].startswith("[SEV2] Queue stuck")]  # fmt: skip
        assert any("Acknowledged by dave" in t for t in texts), texts
        assert len(texts) == 2, texts

    await eventually(followed_up, timeout=15)


async def test_a_follow_up_waits_for_the_page_it_threads_under(world: World) -> None:
    """The acknowledgement comes while the page is still on its way to Slack: its follow-up
    is not sent before the page is, and goes in the page's thread."""
    inc = factories.incident(
        at=NOW, team=Ref(id="team", name="SRE Core"), severity="SEV2_HIGH", title="Cache cold"
    )
    world.slack.slow("chat.postMessage", seconds=30)
    await world.usecases.on_triggered(triggered(inc))

    def page_held() -> None:
        posted = [c.body["text"] for c in world.slack.calls("chat.postMessage")]
        assert any(t.startswith("[SEV2] Cache cold") for t in posted), posted

    await eventually(page_held)
    await world.usecases.on_acknowledged(lifecycle(IncidentAcknowledged, inc, at=NOW, actor="eve"))
    # What a dispatcher would lease now: not the follow-up, which stays pending. (The table
    # lock waits for a lease in progress, and keeps the service's own dispatcher out.)
    async with world.runtime.engine.connect() as conn:
        await conn.execute(text("LOCK TABLE deliveries IN EXCLUSIVE MODE"))
        follow_up = (
            await conn.execute(
                text(
                    "SELECT id, status FROM deliveries"
                    " WHERE incident_id = CAST(:i AS uuid) AND kind = 'follow_up'"
                ),
                {"i": inc.id},
            )
        ).one()
        leased = await store.claim_due(conn, 100, 15.0, 2)
        await conn.rollback()
    assert follow_up.status == "pending"
    assert follow_up.id not in {r.id for r in leased}
    world.slack.release()

    async def threaded() -> None:
        replies = [m for m in world.slack.channels["C1"].messages.values()
                   if "Acknowledged by eve" in m["text"]]  # fmt: skip
        page = next(r for r in await world.rows(inc.id) if r.kind == "page")
        assert [m.get("thread_ts") for m in replies] == [page.provider_response]

    await eventually(threaded, timeout=15)


async def test_429_is_retried_after_its_retry_after(world: World) -> None:
    world.slack.fail("chat.postMessage", status=429, retry_after=1)
    inc = incident("SEV2_HIGH")
    await world.usecases.on_triggered(triggered(inc))

    async def sent_on_second_attempt() -> None:
        [row] = await world.rows(inc.id)
        assert (row.status, row.attempts) == ("sent", 2)

    await eventually(sent_on_second_attempt, timeout=15)
    calls = [r for r in world.slack.calls("chat.postMessage") if inc.title in r.body["text"]]
    assert len(calls) >= 2


async def test_5xx_is_retried_then_dead_lettered_with_a_failed_event(world: World) -> None:
    async with FakeTeams() as teams:
        await world.put(name="teams", kind="teams", secrets={"webhook_url": f"{teams.url}/hook"})
        teams.fail("POST /hook", status=503, times=10)
        inc = incident("SEV2_HIGH")
        await world.usecases.on_requested(_request(inc.id, "teams"))

        async def dead() -> None:
            [row] = await world.rows(inc.id)
            assert (row.status, row.attempts) == ("dead", 3)

        await eventually(dead, timeout=15)
        assert len(teams.requests) == 3
        async with world.runtime.engine.connect() as conn:
            query = text(
                "SELECT subject FROM outbox WHERE position(CAST(:i AS bytea) in payload) > 0"
            )
            kinds = (await conn.execute(query, {"i": inc.id.encode()})).scalars().all()
        assert "notifications.failed.v1" in kinds


async def test_other_4xx_is_not_retried(world: World) -> None:
    async with FakeTwilio("AC1", "right") as twilio:
        await world.put(name="ovh", kind="ovh", enabled=False, id=await _id(world, "ovh"),
                        config={}, secrets={})  # fmt: skip
        await world.put(
            name="twilio",
            kind="twilio",
            secrets={"auth_token": "wrong"},
            config={"base_url": twilio.url, "account_sid": "AC1", "from": "+331"},
        )
        inc = incident("SEV2_HIGH")
        await world.usecases.on_requested(_request(inc.id, "sms"))

        async def failed() -> None:
            [row] = await world.rows(inc.id)
            assert (row.status, row.attempts) == ("failed", 1)

        await eventually(failed, timeout=15)
        assert len(twilio.requests) == 1


async def test_webhook_is_signed_with_every_key_and_internal_addresses_are_refused(
    world: World,
) -> None:
    async with WebhookReceiver() as receiver:
        await world.put(
            name="hook",
            kind="webhook",
            secrets={"signing_secrets": "new,old"},
            config={"url": f"{receiver.url}/in"},
        )
        inc = incident("SEV2_HIGH")
        await world.usecases.on_requested(_request(inc.id, "webhook"))
        await eventually(lambda: _assert(len(receiver.requests) == 1), timeout=15)
        request = receiver.requests[0]
        signed = f"{request.headers['x-webhook-id']}.{request.headers['x-webhook-timestamp']}."
        raw = signed.encode() + request.headers["x-raw-body"].encode()
        expected = {"v1=" + hmac.new(k, raw, hashlib.sha256).hexdigest() for k in (b"new", b"old")}
        assert set(request.headers["x-webhook-signature"].split()) == expected
        [row] = await world.rows(inc.id)
        assert request.headers["x-webhook-id"] == str(row.id)

        # The cloud metadata address is not in the operator's allow-list (loopback is).
        await world.put(name="hook", kind="webhook", id=await _id(world, "hook"),
                        config={"url": "http://169.254.169.254/latest/meta-data/"})  # fmt: skip
        refused = incident("SEV2_HIGH")
        await world.usecases.on_requested(_request(refused.id, "webhook"))

        async def refused_for_good() -> None:
            [row] = await world.rows(refused.id)
            assert row.status == "failed" and "not a global address" in row.last_error

        await eventually(refused_for_good, timeout=15)
        assert len(receiver.requests) == 1


async def test_secrets_are_stored_encrypted_and_never_returned(world: World) -> None:
    listed = await world.runtime.bus.request(ListProviders(id="slack"), ProviderList)
    assert listed.providers[0].secrets == ["bot_token"]
    assert "xoxb-t" not in str(listed)
    async with world.runtime.engine.connect() as conn:
        stored = (
            await conn.execute(text("SELECT secrets FROM providers WHERE name='slack'"))
        ).scalar()
    assert b"xoxb-t" not in bytes(stored)
    assert SecretBox("test-key").open(bytes(stored))["bot_token"] == "xoxb-t"


async def test_sms_due_together_to_one_phone_leave_as_one_message(world: World) -> None:
    await world.put(name="ovh", kind="ovh", id=await _id(world, "ovh"), secrets={},
                    config={"endpoint": f"{world.ovh.url}/1.0", "application_key": "ak",
                            "service_name": "sms-x", "sender": "IMAS"})  # fmt: skip
    phone = "+33699999999"
    # Two people sharing the phone of the on-call desk, paged by one request.
    await world.catalog("person", "p9", "Zoe", email="z@x.io", phone=phone)
    await world.catalog("person", "p10", "Yan", email="y@x.io", phone=phone)
    inc = incident("SEV2_HIGH")
    request = _request(inc.id, "sms", person="p9")
    await world.usecases.on_requested(msgspec.structs.replace(request, person_ids=["p9", "p10"]))

    async def both_sent() -> None:
        assert [r.status for r in await world.rows(inc.id)] == ["sent", "sent"]

    await eventually(both_sent, timeout=15)
    texts = [b["message"] for b in world.ovh.sent() if b["receivers"] == [phone]]
    assert len(texts) == 1 and texts[0].startswith("2 pages:")


async def test_discord_team_channels_named_like_slack_ones_are_found_in_the_guild(
    world: World,
) -> None:
    async with FakeDiscord(token="bot", guild_id="900") as discord:
        discord.channels["4242"] = Channel(id="4242", name="payments")
        saved = await world.upsert(
            name="discord",
            kind="discord",
            secrets={"bot_token": "bot"},
            config={"base_url": discord.url, "guild_id": "900"},
        )
        await world.catalog("team", "pay", "Payments", chat_channel="#payments")
        await world.catalog("team", "ghost", "Ghosts", chat_channel="#nowhere")
        first, second, lost = incident("SEV2_HIGH"), incident("SEV2_HIGH"), incident("SEV2_HIGH")
        for inc, team in ((first, "pay"), (second, "pay"), (lost, "ghost")):
            request = _request(inc.id, "discord")
            await world.usecases.on_requested(msgspec.structs.replace(request, team_ids=[team]))

        async def delivered() -> None:
            assert [r.status for r in await world.rows(first.id)] == ["sent"]
            assert [r.status for r in await world.rows(second.id)] == ["sent"]
            [row] = await world.rows(lost.id)
            assert row.status == "failed" and "no channel named #nowhere" in row.last_error

        await eventually(delivered, timeout=15)
        posted = [m["content"] for m in discord.channels["4242"].messages.values()]
        assert len(posted) == 2 and first.id in posted[0] and second.id in posted[1]
        # The guild's channel list is read once for the two pages, once more for the unknown.
        assert len(discord.calls("GET /guilds/*/channels")) <= 2
        await world.put(name="discord", kind="discord", enabled=False, id=saved.provider.id)


async def test_teams_pages_are_adaptive_cards_for_a_workflows_webhook(world: World) -> None:
    async with FakeTeams() as teams:
        saved = await world.upsert(
            name="teams", kind="teams", secrets={"webhook_url": f"{teams.url}/wf"}
        )
        inc = incident("SEV1_CRITICAL")
        request = _request(inc.id, "teams")
        hostile = "[SEV1] [Runbook](http://evil) is down\nService: redis-prod"
        await world.usecases.on_requested(msgspec.structs.replace(request, message=hostile))

        def card_received() -> None:
            assert len(teams.cards) == 1

        await eventually(card_received, timeout=15)
        card = teams.cards[0]
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
        [title] = card["body"][0]["inlines"]
        # Text from the alert is a plain TextRun: no markdown, so no hidden link.
        assert (title["type"], title["text"]) == (
            "TextRun",
            "[SEV1] [Runbook](http://evil) is down",
        )
        assert card["body"][1]["inlines"][-1]["text"] == "Service: redis-prod"

        async def marked_sent() -> None:  # marked once the answer is in: after the card
            [row] = await world.rows(inc.id)
            assert row.status == "sent"

        await eventually(marked_sent, timeout=15)
        await world.put(name="teams", kind="teams", enabled=False, id=saved.provider.id)


def _assert(condition: bool) -> None:
    assert condition


async def _id(world: World, name: str) -> str:
    listed = await world.runtime.bus.request(ListProviders(id=name), ProviderList)
    return listed.providers[0].id


def _request(incident_id: str, channel: str, person: str = "") -> Any:
    from imas_contracts.notifier import NotificationRequested

    return NotificationRequested(
        event_id=new_event_id(), occurred_at=NOW, incident_id=incident_id,
        idempotency_key=f"esc:{incident_id}:step1:0:{channel}",
        person_ids=[person] if person else [], team_ids=[] if person else ["team"],
        channels=[channel], message=f"[SEV2] page for {incident_id}",
    )  # fmt: skip
