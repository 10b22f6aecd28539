"""Test support: local HTTP servers for the notification providers IMAS pages through —
Microsoft Teams incoming webhooks, OVH SMS (signature checked), Twilio Messages and Calls (and
Twilio's signed calls into IMAS: SMS received, keys pressed), ntfy (with its buttons), and a
webhook receiver (optionally slow, for crash tests). Real HTTP on 127.0.0.1; every request
recorded; errors and 429s injectable with :meth:`FakeServer.fail`, late answers with
:meth:`FakeServer.slow`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit
from xml.etree import ElementTree

import httpx

from imas_testing.fake_chat import FakeServer, Recorded, read_body, respond

Scope = dict[str, Any]
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class FakeProvider(FakeServer):
    """A :class:`FakeServer` that also takes form-encoded and plain-text bodies."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        raw = await read_body(receive)
        if raw is None:
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        kind = headers.get("content-type", "")
        body: Any
        if "json" in kind and raw:
            body = json.loads(raw)
        elif "form" in kind:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        else:
            body = raw.decode(errors="replace")
        method, path = scope["method"], scope["path"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        self.requests.append(Recorded(method, path, headers, body, query))
        headers["x-raw-body"] = raw.decode(errors="replace")
        key = self.key_of(method, path)
        await self.hold(key)
        failure = self._failures.get(key)
        if failure is not None and failure.times > 0:
            failure.times -= 1
            extra = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else {}
            await respond(send, failure.status, failure.body or {"message": "injected"}, extra)
            return
        status, answer = await self.handle(method, path, headers, body)
        await respond(send, status, answer, {})

    def key_of(self, method: str, path: str) -> str:
        return f"{method} {path}"


class FakeTeams(FakeProvider):
    """A Microsoft Teams Workflows webhook (the "When a Teams webhook request is received"
    trigger, any path): takes a message whose attachments are Adaptive Cards and answers 202
    with no body, as Workflows do; anything else (the retired connectors' MessageCard) is
    refused with 400. The cards received are in :attr:`cards`."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, Any]] = []

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        problem = _workflow_problem(body)
        if problem:
            return 400, {"error": {"code": "TriggerInputSchemaMismatch", "message": problem}}
        self.cards += [a["content"] for a in body["attachments"]]
        return 202, None


def _workflow_problem(body: Any) -> str:
    if not isinstance(body, dict) or body.get("type") != "message":
        return "The input body for trigger 'manual' of type 'Request' must be a message."
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return "attachments is required"
    for attachment in attachments:
        card = attachment.get("content") if isinstance(attachment, dict) else None
        if (
            attachment.get("contentType") != "application/vnd.microsoft.card.adaptive"
            or not isinstance(card, dict)
            or card.get("type") != "AdaptiveCard"
            or not card.get("version")
            or not isinstance(card.get("body"), list)
        ):
            return "each attachment must be an Adaptive Card (type, version and body)"
    return ""


class FakeOvh(FakeProvider):
    """OVH's SMS API, each call's ``$1$`` signature checked: ``POST /1.0/sms/{service}/jobs``
    sends, and the replies people sent wait in the account's incoming messages
    (``GET /sms/{service}/incoming``, ``GET`` and ``DELETE /sms/{service}/incoming/{id}``)
    until deleted; :meth:`text_in` makes one arrive."""

    def __init__(self, application_key: str, application_secret: str, consumer_key: str) -> None:
        super().__init__()
        self.keys = (application_key, application_secret, consumer_key)
        self.incoming: dict[int, dict[str, Any]] = {}
        # False: deleting a reply is refused, as for a consumer key without that right.
        self.deletes = True

    def text_in(self, sender: str, message: str) -> int:
        """A person texts ``message`` back from ``sender``; the id OVH gives the reply."""
        reply_id = 100_000 + next(self._ids)
        self.incoming[reply_id] = {
            "id": reply_id, "sender": sender, "message": message, "credits": 0, "tag": "",
            "creationDatetime": "2026-12-07T03:12:09+01:00",
        }  # fmt: skip
        return reply_id

    def sent(self) -> list[dict[str, Any]]:
        """The SMS sent through ``jobs``, in order."""
        return [r.body for r in self.requests if r.method == "POST" and r.path.endswith("/jobs")]

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        ak, secret, ck = self.keys
        raw = "+".join([secret, ck, method, f"{self.url}{path}", headers["x-raw-body"],
                        headers.get("x-ovh-timestamp", "")])  # fmt: skip
        expected = "$1$" + hashlib.sha1(raw.encode()).hexdigest()
        if headers.get("x-ovh-application") != ak or headers.get("x-ovh-signature") != expected:
            return 403, {"message": "Invalid signature", "errorCode": "INVALID_SIGNATURE"}
        found = re.fullmatch(r"/1\.0/sms/[^/]+/incoming(?:/(\d+))?", path)
        if found is None:
            return 200, {"ids": [next(self._ids)], "invalidReceivers": [],
                         "totalCreditsRemoved": 1, "validReceivers": body["receivers"]}  # fmt: skip
        if found[1] is None:
            return 200, sorted(self.incoming)
        reply = self.incoming.get(int(found[1]))
        if reply is None:
            return 404, {"message": f"The requested object (id = {found[1]}) does not exist"}
        if method == "DELETE":
            if not self.deletes:
                return 403, {
                    "message": "This call has not been granted",
                    "errorCode": "NOT_GRANTED",
                }
            del self.incoming[int(found[1])]
            return 200, None
        return 200, reply


@dataclass
class Call:
    """A call placed through :class:`FakeTwilio`: who, and the TwiML it plays."""

    sid: str
    to: str
    from_: str
    twiml: str

    @property
    def said(self) -> list[str]:
        """What the call says, in order (``<Say>`` texts, those inside ``<Gather>`` too)."""
        return [(e.text or "").strip() for e in ElementTree.fromstring(self.twiml).iter("Say")]

    @property
    def gather_url(self) -> str:
        """Where the key pressed is posted (the ``<Gather>``'s ``action``), "" when none."""
        gather = ElementTree.fromstring(self.twiml).find("Gather")
        return "" if gather is None else gather.get("action", "")


class FakeTwilio(FakeProvider):
    """Twilio's REST API as IMAS uses it, basic auth checked: ``POST
    /2010-04-01/Accounts/{sid}/Messages.json`` (an SMS: ``To``, ``From``, ``Body``) and
    ``.../Calls.json`` (a call: ``To``, ``From`` and ``Twiml`` or ``Url``; recorded in
    :attr:`placed`). And Twilio calling IMAS, signed with ``X-Twilio-Signature`` as Twilio
    signs (HMAC-SHA1 with the auth token over the full URL and the sorted POST parameters):
    :meth:`text_in` (an SMS received on the account's number) and :meth:`press` (a key
    pressed during a call, posted to its ``<Gather>`` action)."""

    def __init__(self, account_sid: str, auth_token: str, number: str = "+15005550006") -> None:
        super().__init__()
        creds = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.authorization = f"Basic {creds}"
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.number = number
        self.placed: list[Call] = []

    @property
    def messages(self) -> list[dict[str, str]]:
        """The SMS sent (each request's form)."""
        return [r.body for r in self.requests if r.path.endswith("/Messages.json")]

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if headers.get("authorization") != self.authorization:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if not path.startswith(f"/2010-04-01/Accounts/{self.account_sid}/"):
            return 404, {"code": 20404, "message": "The requested resource was not found"}
        if not _E164.fullmatch(str(body.get("To", ""))):
            return 400, {"code": 21211, "message": f"The 'To' number {body.get('To')} is not a "
                         "valid phone number.", "status": 400}  # fmt: skip
        sid = next(self._ids)
        if path.endswith("/Calls.json"):
            if not body.get("Twiml") and not body.get("Url"):
                return 400, {"code": 21205, "message": "Url parameter is required.", "status": 400}
            ElementTree.fromstring(body.get("Twiml") or "<Response/>")  # well-formed TwiML
            call = Call(f"CA{sid:032d}", body["To"], body.get("From", ""), body.get("Twiml", ""))
            self.placed.append(call)
            return 201, {"sid": call.sid, "status": "queued", "to": call.to, "from": call.from_}
        return 201, {"sid": f"SM{sid:032d}", "status": "queued", "to": body["To"]}

    def signature(self, url: str, params: dict[str, str]) -> str:
        data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
        digest = hmac.new(self.auth_token.encode(), data.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    async def deliver(
        self, client: httpx.AsyncClient, url: str, params: dict[str, str], signature: str = ""
    ) -> httpx.Response:
        """POST ``params`` to ``url`` (IMAS's public URL; sent through ``client`` to its path
        and query) as Twilio does: form-encoded, signed (or with the ``signature`` given)."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        sign = signature or self.signature(url, params)
        return await client.post(target, data=params, headers={"X-Twilio-Signature": sign})

    async def text_in(
        self, client: httpx.AsyncClient, webhook: str, from_: str, body: str, **extra: str
    ) -> httpx.Response:
        """An SMS from ``from_`` to the account's number, posted to the ``webhook`` URL the
        number is configured with."""
        params = {"AccountSid": self.account_sid, "MessageSid": f"SM{next(self._ids):032d}",
                  "From": from_, "To": self.number, "Body": body, "NumMedia": "0"}  # fmt: skip
        return await self.deliver(client, webhook, {**params, **extra})

    async def press(
        self, client: httpx.AsyncClient, call: Call, digits: str, **extra: str
    ) -> httpx.Response:
        """The person called pressed ``digits``: Twilio posts them to the call's gather URL."""
        params = {"AccountSid": self.account_sid, "CallSid": call.sid, "From": call.from_,
                  "To": call.to, "Digits": digits, "CallStatus": "in-progress",
                  "Direction": "outbound-api"}  # fmt: skip
        return await self.deliver(client, call.gather_url, {**params, **extra})


class FakeNtfy(FakeProvider):
    """An ntfy server: a message POSTed to ``/<topic>``. Its ``Actions`` header's ``http``
    buttons are what the phone app would show: :meth:`buttons`."""

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        return 200, {"id": f"n{next(self._ids)}", "topic": path.strip("/"), "message": body}

    @staticmethod
    def buttons(request: Recorded) -> dict[str, tuple[str, str]]:
        """label → (method, URL) of the ``http`` actions of a message received."""
        found: dict[str, tuple[str, str]] = {}
        for action in filter(None, request.headers.get("actions", "").split(";")):
            kind, label, url, *options = [part.strip() for part in action.split(",")]
            if kind == "http":
                settings = dict(o.split("=", 1) for o in options if "=" in o)
                found[label] = (settings.get("method", "POST").upper(), url)
        return found


class WebhookReceiver(FakeProvider):
    """Accepts any POST (after ``delay`` seconds: a slow receiver) and answers 200."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if self.delay:
            await asyncio.sleep(self.delay)
        return 200, {"ok": True}

    def ids(self) -> list[str]:
        return [r.headers.get("x-webhook-id", "") for r in self.requests]
