"""Answering a page where it arrived: pure rules (docs/acknowledge-anywhere.md).

A page to a person over SMS, a phone call, e-mail or ntfy carries a *page action*: a row of
its own (id, the person, the incident, an expiry) through which the person acknowledges,
resolves or escalates from where the page reached them:

- **SMS**: a short code, unique among the live pages to that phone number, in a reply such as
  ``ack 4821`` or ``resolve 4821``. The reply is only believed from the number the page went
  to, through a provider's signed webhook (Twilio's ``X-Twilio-Signature``) or OVH's callback
  (a secret in its URL); wrong codes are counted per number and bounded.
- **Voice**: the call reads the incident and gathers one key (1 acknowledge, 2 escalate);
  Twilio posts it to a URL naming the page action, signed by Twilio.
- **E-mail and ntfy**: links signed with a key of IMAS's own (HMAC-SHA256 over the page
  action, the verb and the expiry). An e-mail link shows a confirmation page (a GET never
  acts: mail scanners open links); ntfy's buttons POST.

Whatever the way in, each (page action, verb) acts once, and only for the person paged: their
role must allow the verb (checked by the gateway, which knows the users).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

Verb = Literal["acknowledge", "resolve", "escalate"]
# Channels whose pages to a person carry a page action.
ANSWERABLE = ("sms", "voice", "email", "ntfy")
CODE_DIGITS = 4
# Wrong SMS codes a phone number may send within the window before its replies are refused
# for the rest of it: at 4 digits, a sender spoofing a paged number guesses one live code in
# 10,000 per try, and gets 5 tries per 15 minutes.
MAX_WRONG_CODES = 5
WRONG_CODES_WINDOW_SECONDS = 15 * 60
# What a key pressed in a call asks.
KEYS: dict[str, Verb] = {"1": "acknowledge", "2": "escalate"}
# The words of an SMS reply, in any case.
WORDS: dict[str, Verb] = {
    "ack": "acknowledge",
    "acknowledge": "acknowledge",
    "a": "acknowledge",
    "resolve": "resolve",
    "res": "resolve",
    "r": "resolve",
    "close": "resolve",
}
VERB_WORDS: dict[Verb, str] = {
    "acknowledge": "acknowledged",
    "resolve": "resolved",
    "escalate": "escalated",
}
# Verbs a link can carry, as one letter in the token.
LINK_VERBS: dict[str, Verb] = {"a": "acknowledge", "r": "resolve"}
_LINK_LETTER = {verb: letter for letter, verb in LINK_VERBS.items()}
_REPLY = re.compile(r"^\s*([a-z]+)\s*#?\s*(\d+)\s*[.!]?\s*$|^\s*#?(\d+)\s+([a-z]+)\s*[.!]?\s*$")
_SIGNATURE_BYTES = 16  # 128 bits of HMAC-SHA256 in a link


@dataclass(frozen=True)
class Reply:
    """An SMS reply once read: what it asks, with which code."""

    verb: Verb
    code: str


def read_reply(body: str) -> Reply | None:
    """``ack 4821``, ``RESOLVE 4821``, ``4821 ack``, ``a4821``; None when it is none of them."""
    found = _REPLY.match(body.lower())
    if found is None:
        return None
    word, code = (found[1], found[2]) if found[1] else (found[4], found[3])
    verb = WORDS.get(word)
    if verb is None or len(code) != CODE_DIGITS:
        return None
    return Reply(verb, code)


def new_code(taken: Iterable[str]) -> str:
    """A random code of :data:`CODE_DIGITS` digits that none of ``taken`` (the live codes of
    the same phone number) has. Random, never sequential: a code says nothing of another."""
    used = set(taken)
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if code not in used or len(used) >= 10**CODE_DIGITS:
            return code


def sms_hint(code: str) -> str:
    """The line an SMS page ends with."""
    return f"Reply ACK {code} to acknowledge, RES {code} to resolve."


def phone_key(value: str) -> str:
    """A phone number as page actions are looked up by: spaces, dashes, dots and brackets
    dropped, a leading ``00`` read as ``+`` (OVH writes ``0033…``, Twilio ``+33…``)."""
    digits = re.sub(r"[\s().-]", "", value)
    return "+" + digits[2:] if digits.startswith("00") else digits


# -- signed links ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link's claim, once its signature verified: the page action, the verb, the expiry."""

    action_id: str
    verb: Verb
    expires: int


def link_token(key: bytes, action_id: str, verb: Verb, expires: int) -> str:
    """``<action id>.<verb letter>.<expiry>.<signature>``: URL-safe, and only IMAS (which
    holds ``key``) can make one."""
    claim = f"{action_id}.{_LINK_LETTER[verb]}.{expires:x}"
    return f"{claim}.{_sign(key, claim)}"


def read_link(key: bytes, token: str) -> Link | None:
    """The claim of a token made by :func:`link_token` with ``key``; None when it was not
    (forged, altered, truncated). Expiry is the caller's to check."""
    parts = token.split(".")
    if len(parts) != 4:
        return None
    action_id, letter, expires, signature = parts
    claim = f"{action_id}.{letter}.{expires}"
    if not same_secret(_sign(key, claim), signature):
        return None
    verb = LINK_VERBS.get(letter)
    try:
        return Link(action_id, verb, int(expires, 16)) if verb else None
    except ValueError:
        return None


def same_secret(expected: str, given: str) -> bool:
    """Compare in constant time, whatever characters ``given`` holds."""
    return hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")
    )


def _sign(key: bytes, claim: str) -> str:
    digest = hmac.new(key, claim.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/page-actions/{token}"


# -- Twilio ---------------------------------------------------------------------------------------


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1 with the auth token over the full URL it called
    followed by each POST parameter's name and value, sorted by name; base64."""
    data = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signed(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Whether ``signature`` is Twilio's for this request. Twilio signs the URL as it was
    configured, which may name the default port or not: both are tried."""
    if not auth_token or not signature:
        return False
    return any(
        same_secret(twilio_signature(auth_token, candidate, params), signature)
        for candidate in _url_variants(url)
    )


def _url_variants(url: str) -> list[str]:
    found = re.match(r"^(https?)://([^/:]+)(:\d+)?(.*)$", url)
    if found is None:
        return [url]
    scheme, host, port, rest = found.groups()
    default = ":443" if scheme == "https" else ":80"
    if port is None:
        return [url, f"{scheme}://{host}{default}{rest}"]
    if port == default:
        return [url, f"{scheme}://{host}{rest}"]
    return [url]


def gather_url(public_url: str, action_id: str) -> str:
    """Where Twilio posts the key pressed in a call: it names the page action, and Twilio's
    signature covers it."""
    return f"{public_url.rstrip('/')}/api/v1/inbound/twilio/voice?action={action_id}"


def spoken(content: Mapping[str, Any], text: str) -> str:
    """What a call says of the page: its title, service and severity as words, or, for a
    page without them (an escalation step's), its text without the links."""
    fields = content.get("fields") or {}
    if content.get("title") and fields:
        parts = [str(content["title"])]
        if fields.get("Service"):
            parts.append(f"Service {fields['Service']}.")
        if fields.get("Severity"):
            parts.append(f"Severity {str(fields['Severity']).replace('_', ' ').lower()}.")
    else:
        parts = [line for line in text.splitlines() if "://" not in line]
    said = " ".join(p.strip() for p in parts if p.strip())
    # Brackets, separators and links read badly aloud.
    said = said.replace("[", "").replace("]", "").replace(" · ", ". ")
    return re.sub(r"https?://\S+", "", said)


def call_twiml(content: Mapping[str, Any], text: str, gather: str) -> str:
    """The TwiML of a paging call: the incident read twice inside a one-key ``<Gather>`` that
    posts to ``gather`` (empty: no key is taken), then a goodbye when no key came."""
    say = f"<Say>This is IMAS. {escape(spoken(content, text))}</Say>"
    if not gather:
        return f"<Response>{say}</Response>"
    prompt = "<Say>Press 1 to acknowledge, 2 to escalate.</Say>"
    return (
        "<Response>"
        f'<Gather input="dtmf" numDigits="1" timeout="8" method="POST" action={quoteattr(gather)}>'
        f'{say}{prompt}<Pause length="1"/>{say}{prompt}'
        "</Gather>"
        "<Say>No key was pressed. The incident is still open. Goodbye.</Say>"
        "</Response>"
    )


def bundle_hint(codes: Sequence[str]) -> str:
    """The last line of several pages bundled into one SMS, each first line followed by its
    code (see ``domain.bundle_text``)."""
    return f"Reply ACK <code> to acknowledge, RES <code> to resolve (codes: {', '.join(codes)})."
