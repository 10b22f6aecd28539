"""The pure rules of answering a page where it arrived: SMS replies, codes, signed links,
Twilio's signature and the TwiML of a paging call."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from imas_notifier.page_actions import domain
from imas_notifier.page_actions.domain import Reply

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ack 4821", Reply("acknowledge", "4821")),
        ("  ACK 4821 ", Reply("acknowledge", "4821")),
        ("Resolve #4821.", Reply("resolve", "4821")),
        ("res4821", Reply("resolve", "4821")),
        ("4821 ack", Reply("acknowledge", "4821")),
        ("a 0007", Reply("acknowledge", "0007")),
        ("ack 482", None),  # a code has four digits
        ("ack 48210", None),
        ("escalate 4821", None),  # not a word an SMS reply takes
        ("on my way", None),
        ("", None),
    ],
)
def test_sms_replies_are_read_in_the_words_people_type(body: str, expected: Reply | None) -> None:
    assert domain.read_reply(body) == expected


def test_a_new_code_is_never_one_the_number_already_holds() -> None:
    taken = {f"{n:04d}" for n in range(10000)} - {"0420"}
    assert domain.new_code(taken) == "0420"
    codes = {domain.new_code(()) for _ in range(50)}
    assert len(codes) > 40 and all(len(c) == 4 and c.isdigit() for c in codes)


def test_phone_numbers_match_whatever_the_vendor_writes() -> None:
    assert domain.phone_key("0033 6 00-00.00 11") == domain.phone_key("+33600000011")
    assert domain.phone_key("+33 (6) 00000011") == "+33600000011"


def test_a_link_opens_only_as_it_was_signed() -> None:
    token = domain.link_token(KEY, "3f2a", "resolve", 1_900_000_000)
    assert domain.read_link(KEY, token) == domain.Link("3f2a", "resolve", 1_900_000_000)
    action, letter, expires, signature = token.split(".")
    assert domain.read_link(b"another key" * 3, token) is None
    assert domain.read_link(KEY, f"{action}.a.{expires}.{signature}") is None  # another verb
    assert domain.read_link(KEY, f"{action}.{letter}.ffffffff.{signature}") is None  # longer
    assert domain.read_link(KEY, token[:-2]) is None
    assert domain.read_link(KEY, "not.a.token") is None
    assert domain.read_link(KEY, f"{token}é") is None  # no 500 on a forged non-ASCII token


def test_twilio_signatures_are_computed_as_twilio_documents_them() -> None:
    # The example of Twilio's request validation documentation.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}  # fmt: skip
    assert domain.twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert domain.twilio_signed("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not domain.twilio_signed(
        "12345", url, {**params, "Digits": "1"}, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )
    assert not domain.twilio_signed("", url, params, "")
    # Twilio may have been configured with the default port written out.
    with_port = domain.twilio_signature("12345", "https://mycompany.com:443/myapp.php", {})
    assert domain.twilio_signed("12345", "https://mycompany.com/myapp.php", {}, with_port)


def test_a_paging_call_reads_the_incident_and_gathers_one_key() -> None:
    content = {"title": "[SEV1] Redis <down> & out",
               "fields": {"Service": "redis-prod", "Severity": "SEV1_CRITICAL"}}  # fmt: skip
    gather = "https://imas.example.com/api/v1/inbound/twilio/voice?action=3f2a&x=1"
    twiml = ElementTree.fromstring(domain.call_twiml(content, "", gather))
    node = twiml.find("Gather")
    assert node is not None
    assert node.get("action") == gather and node.get("numDigits") == "1"
    said = [s.text for s in node.iter("Say")]
    assert (
        "This is IMAS. SEV1 Redis <down> & out Service redis-prod. Severity sev1 critical." in said
    )
    assert "Press 1 to acknowledge, 2 to escalate." in said
    # Without a gather URL (a test call), it only reads.
    assert ElementTree.fromstring(domain.call_twiml(content, "", "")).find("Gather") is None


def test_a_page_without_fields_is_read_without_its_links() -> None:
    text = (
        "[SEV2] Disk full\nService: redis-prod · escalation step 1\nIncident: https://x/incidents/1"
    )
    assert domain.spoken({}, text) == "SEV2 Disk full Service: redis-prod. escalation step 1"
