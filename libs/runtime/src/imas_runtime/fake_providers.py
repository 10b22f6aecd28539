"""Test support: local HTTP servers for the notification providers IMAS pages through —
Microsoft Teams incoming webhooks, OVH SMS (signature checked), Twilio Messages, ntfy, and a
webhook receiver (optionally slow, for crash tests). Real HTTP on 127.0.0.1; every request
recorded; errors and 429s injectable with :meth:`FakeServer.fail`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from imas_runtime.fake_chat import FakeServer, Recorded, _respond

Scope = dict[str, Any]


class FakeProvider(FakeServer):
    """A :class:`FakeServer` that also takes form-encoded and plain-text bodies."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
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
        self.requests.append(Recorded(method, path, headers, body))
        headers["x-raw-body"] = raw.decode(errors="replace")
        key = self.key_of(method, path)
        failure = self._failures.get(key)
        if failure is not None and failure.times > 0:
            failure.times -= 1
            extra = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after else {}
            await _respond(send, failure.status, failure.body or {"message": "injected"}, extra)
            return
        status, answer = await self.handle(method, path, headers, body)
        await _respond(send, status, answer, {})

    def key_of(self, method: str, path: str) -> str:
        return f"{method} {path}"


class FakeTeams(FakeProvider):
    """An incoming webhook at ``/webhook``: answers ``1`` as Teams does."""

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        return 200, 1


class FakeOvh(FakeProvider):
    """``POST /1.0/sms/{service}/jobs`` with OVH's ``$1$`` signature checked."""

    def __init__(self, application_key: str, application_secret: str, consumer_key: str) -> None:
        super().__init__()
        self.keys = (application_key, application_secret, consumer_key)

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        ak, secret, ck = self.keys
        raw = "+".join([secret, ck, method, f"{self.url}{path}", headers["x-raw-body"],
                        headers.get("x-ovh-timestamp", "")])  # fmt: skip
        expected = "$1$" + hashlib.sha1(raw.encode()).hexdigest()
        if headers.get("x-ovh-application") != ak or headers.get("x-ovh-signature") != expected:
            return 403, {"message": "Invalid signature", "errorCode": "INVALID_SIGNATURE"}
        return 200, {"ids": [next(self._ids)], "invalidReceivers": [], "totalCreditsRemoved": 1,
                     "validReceivers": body["receivers"]}  # fmt: skip


class FakeTwilio(FakeProvider):
    """``POST /2010-04-01/Accounts/{sid}/Messages.json`` with basic auth."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__()
        import base64

        creds = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.authorization = f"Basic {creds}"

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if headers.get("authorization") != self.authorization:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        return 201, {"sid": f"SM{next(self._ids):032d}", "status": "queued", "to": body["To"]}


class FakeNtfy(FakeProvider):
    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        return 200, {"id": f"n{next(self._ids)}", "topic": path.strip("/"), "message": body}


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
