"""Answering a page where it arrived, through the mesh, with local servers implementing the
vendors' APIs: an SMS reply through Twilio's signed inbound webhook, an e-mail's signed links
(a real SMTP server), ntfy's buttons. Each is counted where it lands (the fake Twilio, ntfy and
SMTP servers) and read back from the incident's timeline."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from imas_gateway.state import STATE_KEY
from imas_runtime.db import make_engine
from imas_runtime.embedded import free_port
from imas_testing import eventually
from imas_testing.fake_providers import FakeNtfy, FakeOvh, FakeTwilio
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

ACCOUNT = "AC" + "7" * 32
AUTH_TOKEN = "twilio-auth-token-of-the-tests"
PUBLIC = "http://localhost:8000"  # the default public URL: what Twilio is configured to call
SMS_WEBHOOK = f"{PUBLIC}/api/v1/inbound/twilio/sms"
ALICE_EMAIL, ALICE_PHONE = "alice.martin@example.com", "+33600000011"
PROVIDERS = "/api/v1/notification-providers/"
OVH_KEYS = ("ovh-app-key", "ovh-app-secret", "ovh-consumer-key")


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.messages.append(mail)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    server = Controller(box, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        yield box, server.port
    finally:
        server.stop()


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(ACCOUNT, AUTH_TOKEN) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def ovh() -> AsyncIterator[FakeOvh]:
    async with FakeOvh(*OVH_KEYS) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def ntfy() -> AsyncIterator[FakeNtfy]:
    async with FakeNtfy() as server:
        yield server  # type: ignore[misc]


async def pages_alice_by(mesh: Mesh, *channels: str, role: str = "responder") -> None:
    """Alice is paged at SEV1 over ``channels`` (the on-call rule's responder), and is an
    IMAS user of ``role`` (an admin set her e-mail: it is verified)."""
    rule = {
        "target": "oncall",
        "severity": "SEV1_CRITICAL",
        "channels": list(channels),
        "responder": ALICE_EMAIL,
    }
    await mesh.create("/api/v1/routing-rules/", rule)
    user = {"username": "alice", "password": "a long enough password 1", "role": role,
            "email": ALICE_EMAIL}  # fmt: skip
    await mesh.create("/api/v1/users/", user)


async def notifier_knows(mesh: Mesh, address: str) -> None:
    """Wait until the notifier's copy of the catalog holds a contact ``address``: a contact
    method reaches it as an event, which a loaded machine may deliver after the incident."""
    engine = make_engine(mesh.notifier.database_url)

    async def known() -> None:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT 1 FROM catalog WHERE kind = 'person' AND data::text LIKE :a"),
                {"a": f"%{address}%"},
            )
            assert found.first() is not None, f"the notifier does not know {address} yet"

    try:
        await eventually(known, timeout=30)
    finally:
        await engine.dispose()


async def add_twilio(mesh: Mesh, twilio: FakeTwilio) -> None:
    config = {"account_sid": ACCOUNT, "auth_token": AUTH_TOKEN, "from": twilio.number,
              "base_url": twilio.url}  # fmt: skip
    saved = await mesh.create(PROVIDERS, {"name": "twilio", "kind": "twilio", "config": config})
    assert saved["secrets"] == ["auth_token"] and AUTH_TOKEN not in str(saved)


async def open_incident(
    mesh: Mesh, title: str, severity: str = "SEV1_CRITICAL", service: str = "redis-prod"
) -> str:
    body = {"title": title, "service_name": service, "severity": severity}
    return str((await mesh.create("/api/v1/incidents/", body))["id"])


async def incident(mesh: Mesh, incident_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await mesh.call("GET", f"/api/v1/incidents/{incident_id}/")
    return found


def status_changes(detail: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [
        (e["message"], e["actor"], e["source"])
        for e in detail["timeline"]
        if e["type"] == "STATUS_CHANGE"
    ]


async def paged_by_sms(
    mesh: Mesh, twilio: FakeTwilio, title: str, role: str = "responder"
) -> tuple[str, dict[str, str], str]:
    """Alice (an IMAS user of ``role``) is paged by SMS for a new SEV1 titled ``title``: the
    incident's id, its one SMS page as the fake Twilio received it, and the page's code."""
    await add_twilio(mesh, twilio)
    await pages_alice_by(mesh, "sms", role=role)
    incident_id = await open_incident(mesh, title)

    def paged() -> None:
        pages = [m for m in twilio.messages if title in m["Body"] and "Reply ACK" in m["Body"]]
        assert len(pages) == 1, twilio.messages

    await eventually(paged, timeout=30)
    page = next(m for m in twilio.messages if title in m["Body"])
    found = re.search(r"Reply ACK (\d{4}) to acknowledge, RES \1 to resolve", page["Body"])
    assert found, page["Body"]
    return incident_id, page, found[1]


async def test_an_sms_reply_acknowledges_then_resolves_as_the_person_paged(
    mesh: Mesh, twilio: FakeTwilio
) -> None:
    incident_id, page, code = await paged_by_sms(mesh, twilio, "Redis Cluster Down")
    assert page["To"] == ALICE_PHONE and page["From"] == twilio.number

    answer = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"ack {code}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert "is now ACKNOWLEDGED (by Alice Martin)" in answer.text
    detail = await incident(mesh, incident_id)
    assert detail["status"] == "ACKNOWLEDGED"
    assert [(a, s) for _, a, s in status_changes(detail) if s == "sms"] == [("Alice Martin", "sms")]

    again = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"ACK {code}")
    assert "Already acknowledged from this page" in again.text
    resolved = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"resolve {code}")
    assert "is now RESOLVED (by Alice Martin)" in resolved.text
    detail = await incident(mesh, incident_id)
    assert detail["status"] == "RESOLVED"
    by_sms = [(a, s) for _, a, s in status_changes(detail) if s == "sms"]
    assert by_sms == [("Alice Martin", "sms"), ("Alice Martin", "sms")]


def answers(ovh: FakeOvh) -> list[tuple[str, str]]:
    """(to, text) of the answers to replies texted back: not the pages nor their news, which
    start with the severity ("[SEV1] ...")."""
    sent = [(b["receivers"][0], b["message"]) for b in ovh.sent()]
    return [(to, m) for to, m in sent if not m.startswith("[")]


def answers_to_alice(ovh: FakeOvh) -> list[str]:
    return [m for to, m in answers(ovh) if to == ALICE_PHONE]


async def test_replies_kept_by_ovh_are_read_carried_out_answered_and_deleted(
    mesh: Mesh, ovh: FakeOvh
) -> None:
    ak, secret, ck = OVH_KEYS
    config = {"endpoint": f"{ovh.url}/1.0", "application_key": ak, "service_name": "sms-pages-1"}
    saved = await mesh.create(PROVIDERS, {"name": "ovh", "kind": "ovh", "config": config,
                                          "secrets": {"application_secret": secret,
                                                      "consumer_key": ck}})  # fmt: skip
    assert secret not in str(saved) and ck not in str(saved)
    await pages_alice_by(mesh, "sms")
    incident_id = await open_incident(mesh, "Kafka lag over ten minutes")

    def paged() -> None:
        assert [b for b in ovh.sent() if "Kafka lag" in b["message"]], ovh.sent()

    await eventually(paged, timeout=30)
    page = next(b for b in ovh.sent() if "Kafka lag" in b["message"])
    # Sent as an SMS that can be answered, ending with its code.
    assert page["receivers"] == [ALICE_PHONE] and page["senderForResponse"] is True
    code = re.search(r"Reply ACK (\d{4}) to acknowledge", page["message"])
    assert code, page["message"]
    stranger = "+33600000099"
    ovh.text_in(stranger, f"ack {code[1]}")
    ovh.text_in(ALICE_PHONE, f"ack {code[1]}")

    async def handled() -> None:
        assert not ovh.incoming, "every reply is deleted once handled"
        told = [(b["receivers"][0], b["message"]) for b in ovh.sent() if b is not page]
        assert (ALICE_PHONE, "INC-") in [(to, m[:4]) for to, m in told], told
        assert any(
            to == ALICE_PHONE and "is now ACKNOWLEDGED (by Alice Martin)" in m for to, m in told
        ), told
        assert stranger not in [to for to, _ in told], "a number never paged is not answered"

    await eventually(handled, timeout=60)
    detail = await incident(mesh, incident_id)
    assert detail["status"] == "ACKNOWLEDGED"
    assert [(a, s) for _, a, s in status_changes(detail) if s == "sms"] == [("Alice Martin", "sms")]
    # A reply handled is not read again: two more passes text nobody. (Counted are the
    # answers: the news of the acknowledgement, "[SEV1] ...", may still be on its way.)
    sent = answers(ovh)
    poller = mesh.gateway.state[STATE_KEY].sms_replies
    assert await poller.one_pass() == 0 and await poller.one_pass() == 0
    assert answers(ovh) == sent


async def test_a_reply_ovh_will_not_delete_is_carried_out_once_and_texts_nobody_again(
    mesh: Mesh, ovh: FakeOvh
) -> None:
    ak, secret, ck = OVH_KEYS
    config = {"endpoint": f"{ovh.url}/1.0", "application_key": ak, "service_name": "sms-pages-1"}
    await mesh.create(PROVIDERS, {"name": "ovh", "kind": "ovh", "config": config,
                                  "secrets": {"application_secret": secret,
                                              "consumer_key": ck}})  # fmt: skip
    await pages_alice_by(mesh, "sms")
    incident_id = await open_incident(mesh, "Queue depth over ten thousand")

    def paged() -> dict[str, Any]:
        found = [b for b in ovh.sent() if "Queue depth" in b["message"]]
        assert found, ovh.sent()
        return found[0]

    page = await eventually(paged, timeout=30)
    code = re.search(r"Reply ACK (\d{4}) to acknowledge", page["message"])
    assert code, page["message"]
    # A consumer key without the right to delete replies: each pass reads the reply again.
    ovh.deletes = False
    ovh.text_in(ALICE_PHONE, f"ack {code[1]}")

    async def acknowledged() -> None:
        assert (await incident(mesh, incident_id))["status"] == "ACKNOWLEDGED"

    await eventually(acknowledged, timeout=60)
    poller = mesh.gateway.state[STATE_KEY].sms_replies
    for _ in range(3):
        await poller.one_pass()
    assert answers_to_alice(ovh) == [], "a reply left at OVH texted its sender at every pass"
    detail = await incident(mesh, incident_id)
    assert [(a, s) for _, a, s in status_changes(detail) if s == "sms"] == [("Alice Martin", "sms")]
    # Once it can be deleted, it is, and answered once.
    ovh.deletes = True
    await poller.one_pass()
    assert not ovh.incoming
    assert len(answers_to_alice(ovh)) == 1, answers_to_alice(ovh)


async def test_forged_wrong_or_foreign_replies_change_nothing(
    mesh: Mesh, twilio: FakeTwilio
) -> None:
    incident_id, _, code = await paged_by_sms(mesh, twilio, "Disk full on redis-3")
    params = {"AccountSid": ACCOUNT, "From": ALICE_PHONE, "To": twilio.number,
              "Body": f"ack {code}"}  # fmt: skip

    forged = await twilio.deliver(mesh.client, SMS_WEBHOOK, params, signature="bm90IHR3aWxpbw==")
    assert forged.status_code == 403
    assert forged.json()["errors"][0]["field"] == "X-Twilio-Signature"
    unsigned = await mesh.client.post("/api/v1/inbound/twilio/sms", data=params)
    assert unsigned.status_code == 403
    # Signed by Twilio, but not an SMS: no sender.
    no_sender = await twilio.deliver(mesh.client, SMS_WEBHOOK, {"AccountSid": ACCOUNT, "Body": "x"})
    assert no_sender.status_code == 400 and no_sender.json()["errors"][0]["field"] == "From"

    # The right code from another number is no code at all; a number never paged is not
    # answered (no SMS back), whatever it sends.
    for body in (f"ack {code}", "hello?"):
        foreign = await twilio.text_in(mesh.client, SMS_WEBHOOK, "+33699999999", body)
        assert foreign.status_code == 200 and foreign.text == "<Response></Response>"
    unreadable = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, "on my way")
    assert "did not understand" in unreadable.text

    # Wrong codes are bounded per number: past five, even the right code is refused.
    wrong = [c for c in (f"{n:04d}" for n in range(10000)) if c != code][:5]
    for guess in wrong:
        answer = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"ack {guess}")
        assert f"has the code {guess}" in answer.text
    locked = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"ack {code}")
    assert "Too many wrong codes" in locked.text
    assert (await incident(mesh, incident_id))["status"] == "TRIGGERED"


async def test_a_role_that_cannot_resolve_cannot_resolve_by_sms(
    mesh: Mesh, twilio: FakeTwilio
) -> None:
    incident_id, _, code = await paged_by_sms(mesh, twilio, "Replication lag", "operator")

    refused = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"res {code}")
    assert "role (operator) does not allow to resolve: it needs responder" in refused.text
    assert (await incident(mesh, incident_id))["status"] == "TRIGGERED"
    # An operator may acknowledge, as on the dashboard.
    acked = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"ack {code}")
    assert "is now ACKNOWLEDGED" in acked.text


async def test_an_email_link_asks_on_get_and_acts_once_on_post(
    mesh: Mesh, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    config = {"host": "127.0.0.1", "port": port, "from": "imas@example.com", "start_tls": False}
    await mesh.create(PROVIDERS, {"name": "mail", "kind": "smtp", "config": config})
    await pages_alice_by(mesh, "email")
    incident_id = await open_incident(mesh, "Checkout 500s")

    def mailed() -> None:
        assert [m["To"] for m in box.messages if "Checkout 500s" in m["Subject"]] == [ALICE_EMAIL]

    await eventually(mailed, timeout=30)
    mail = next(m for m in box.messages if "Checkout 500s" in m["Subject"])
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    links = dict(re.findall(rf"(Acknowledge|Resolve): {PUBLIC}(/page-actions/\S+)", body))
    assert set(links) == {"Acknowledge", "Resolve"}
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert links["Resolve"] in html

    # A GET (what a mail scanner does) shows what the link would do, and changes nothing.
    shown = await mesh.client.get(links["Resolve"])
    assert shown.status_code == 200 and "Resolve this incident?" in shown.text
    assert "Alice Martin" in shown.text and "Checkout 500s" in shown.text
    assert (await incident(mesh, incident_id))["status"] == "TRIGGERED"

    done = await mesh.client.post(links["Resolve"], headers={"Accept": "text/html"})
    assert done.status_code == 200, done.text
    assert "is now RESOLVED (by Alice Martin)" in done.text
    detail = await incident(mesh, incident_id)
    assert detail["status"] == "RESOLVED"
    assert [(a, s) for _, a, s in status_changes(detail) if s == "email"] == [
        ("Alice Martin", "email")
    ]
    again = await mesh.client.post(links["Resolve"], headers={"Accept": "text/html"})
    assert again.status_code == 409 and "Already resolved" in again.text
    shown = await mesh.client.get(links["Resolve"])
    assert "used to resolve already" in shown.text

    link = links["Acknowledge"]
    tampered = link[:-3] + ("BBB" if link.endswith("AAA") else "AAA")
    assert (await mesh.client.post(tampered)).status_code == 403
    assert (await mesh.client.get(tampered)).status_code == 403

    # A day later, the link has expired.
    engine = make_engine(mesh.notifier.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE page_actions SET expires_at = now() - interval '1 s'"))
    finally:
        await engine.dispose()
    expired = await mesh.client.post(links["Acknowledge"])
    assert expired.status_code == 410 and expired.json()["message"] == "This page has expired."


async def test_an_ntfy_button_acknowledges_once(mesh: Mesh, ntfy: FakeNtfy) -> None:
    config = {"base_url": ntfy.url}
    await mesh.create(PROVIDERS, {"name": "push", "kind": "ntfy", "config": config})
    method = {"type": "ntfy", "address": "alice-pager"}
    await mesh.create(f"/api/v1/people/{ALICE_EMAIL}/contact-methods/", method)
    await pages_alice_by(mesh, "ntfy")
    await notifier_knows(mesh, "alice-pager")
    incident_id = await open_incident(mesh, "Queue backlog")

    def pushed() -> None:
        assert [r.path for r in ntfy.requests] == ["/alice-pager"]

    await eventually(pushed, timeout=30)
    buttons = FakeNtfy.buttons(ntfy.requests[0])
    assert set(buttons) == {"Acknowledge", "Resolve"}
    verb, url = buttons["Acknowledge"]
    assert verb == "POST" and url.startswith(f"{PUBLIC}/page-actions/")

    # The phone app POSTs, and shows the answer; tapped twice at once, it acts once.
    taps = await asyncio.gather(*(mesh.client.post(url.removeprefix(PUBLIC)) for _ in range(2)))
    assert sorted(t.status_code for t in taps) == [200, 409], [t.text for t in taps]
    tapped = next(t for t in taps if t.status_code == 200)
    assert "is now ACKNOWLEDGED (by Alice Martin)" in tapped.json()["message"]
    detail = await incident(mesh, incident_id)
    assert detail["status"] == "ACKNOWLEDGED"
    assert [(a, s) for _, a, s in status_changes(detail) if s == "ntfy"] == [
        ("Alice Martin", "ntfy")
    ]
    again = await mesh.client.post(url.removeprefix(PUBLIC))
    assert again.status_code == 409


async def test_an_answer_nobody_could_carry_out_can_be_given_again(
    mesh: Mesh, ntfy: FakeNtfy
) -> None:
    await mesh.create(PROVIDERS, {"name": "push", "kind": "ntfy", "config": {"base_url": ntfy.url}})
    await mesh.create(
        f"/api/v1/people/{ALICE_EMAIL}/contact-methods/", {"type": "ntfy", "address": "alice"}
    )
    await pages_alice_by(mesh, "ntfy")
    incident_id = await open_incident(mesh, "Cache stampede")

    def pushed() -> None:
        assert len(ntfy.requests) == 1

    await eventually(pushed, timeout=30)
    _, url = FakeNtfy.buttons(ntfy.requests[0])["Acknowledge"]

    await mesh.incidents.stop()
    try:
        tapped = await mesh.client.post(url.removeprefix(PUBLIC))
        assert tapped.status_code == 502, tapped.text
        assert "nothing was done" in tapped.json()["message"]
    finally:
        await mesh.incidents.start()
    # The use was not kept: the same button works once the incidents service is back.
    tapped = await mesh.client.post(url.removeprefix(PUBLIC))
    assert tapped.status_code == 200, tapped.text
    assert (await incident(mesh, incident_id))["status"] == "ACKNOWLEDGED"


def code_for(messages: list[dict[str, str]], title: str) -> str | None:
    """The reply code of the page about ``title``, whether it came alone (``Reply ACK 4821…``)
    or bundled with others into one SMS (its line ending ``[4821]``)."""
    for message in messages:
        for line in message["Body"].splitlines():
            if title in line and (bundled := re.search(r"\[(\d{4})\]$", line)):
                return bundled[1]
        alone = re.search(r"Reply ACK (\d{4}) ", message["Body"])
        if title in message["Body"] and alone:
            return alone[1]
    return None


async def test_each_page_to_one_phone_has_its_own_code(mesh: Mesh, twilio: FakeTwilio) -> None:
    await add_twilio(mesh, twilio)
    await pages_alice_by(mesh, "sms")
    titles = ["Redis primary down", "Checkout latency"]
    ids = [
        await open_incident(mesh, titles[0]),
        await open_incident(mesh, titles[1], service="checkout-api"),
    ]

    def both_paged() -> None:
        assert all(code_for(twilio.messages, t) for t in titles), twilio.messages

    await eventually(both_paged, timeout=30)
    codes = [code_for(twilio.messages, t) for t in titles]
    assert codes[0] != codes[1]
    for incident_id, code in zip(ids, codes, strict=True):
        answer = await twilio.text_in(mesh.client, SMS_WEBHOOK, ALICE_PHONE, f"ack {code}")
        assert "is now ACKNOWLEDGED" in answer.text, answer.text
        assert (await incident(mesh, incident_id))["status"] == "ACKNOWLEDGED"
