"""Test support: local HTTP servers implementing the Slack Web API and Discord API parts IMAS
uses, for tests: real HTTP on 127.0.0.1 (a free port), every request recorded, errors and
429s injectable. Reusable by any service that talks to Slack or Discord.

    async with FakeSlack(token="xoxb-test") as slack:
        settings = ...(slack_api_url=slack.url)
        slack.fail("chat.postMessage", status=429, retry_after=1)   # the next call only
        slack.slow("chat.postMessage", seconds=20, times=5)   # answers in 20 s, 5 times
        assert slack.channels["C0001"].name == "inc-..."
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

from imas_testing.plugin import eventually

Scope = dict[str, Any]


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    body: Any
    retry_after: float | None
    times: int


@dataclass
class Slow:
    seconds: float
    times: int


@dataclass
class Channel:
    id: str
    name: str
    topic: str = ""
    members: list[str] = field(default_factory=list)
    archived: bool = False
    parent_id: str | None = None
    pins: list[str] = field(default_factory=list)
    # message id (Slack ``ts``, Discord id) → the last body posted or updated for it
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    # Discord: permission overwrites by role or member id; members a new message notified
    # (mentioned, and let ping by its ``allowed_mentions``), in order.
    overwrites: dict[str, dict[str, Any]] = field(default_factory=dict)
    notified: list[str] = field(default_factory=list)


class FakeServer:
    """An ASGI app served by uvicorn on a free loopback port, started as an async context."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._failures: dict[str, Failure] = {}
        self._slow: dict[str, Slow] = {}
        self._held: list[asyncio.Future[None]] = []
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.url = ""
        self._ids = itertools.count(1)

    def fail(
        self,
        key: str,
        *,
        status: int = 500,
        body: Any = None,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``key`` (a Slack method, or a Discord ``METHOD
        /path-pattern`` with ``*`` for ids) with ``status`` (and ``Retry-After``)."""
        self._failures[key] = Failure(status, body, retry_after, times)

    def slow(self, key: str, *, seconds: float, times: int = 1) -> None:
        """Hold the answer to the next ``times`` calls of ``key`` for ``seconds`` (a slow
        vendor), or until :meth:`release`. The request is recorded when it arrives, so a
        client that gives up waiting still counts as having delivered it."""
        self._slow[key] = Slow(seconds, times)

    def release(self, count: int | None = None) -> int:
        """Answer now the calls being held, the oldest first (``count`` of them, or all);
        answers how many were released."""
        chosen = self._held if count is None else self._held[:count]
        for held in chosen:
            held.set_result(None)
        released = len(chosen)
        del self._held[:released]
        return released

    async def hold(self, key: str) -> None:
        """Wait as :meth:`slow` asked for this call of ``key``, if it did."""
        slow = self._slow.get(key)
        if slow is None or slow.times <= 0:
            return
        slow.times -= 1
        held: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._held.append(held)
        try:
            await asyncio.wait({held}, timeout=slow.seconds)
        finally:
            if held in self._held:
                self._held.remove(held)

    def calls(self, key: str) -> list[Recorded]:
        return [r for r in self.requests if self.key_of(r.method, r.path) == key]

    def key_of(self, method: str, path: str) -> str:
        raise NotImplementedError

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        raw = await read_body(receive)
        if raw is None:
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body = json.loads(raw) if raw else None
        method, path = scope["method"], scope["path"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        self.requests.append(Recorded(method, path, headers, body, query))
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

    async def __aenter__(self) -> FakeServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self, log_config=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        server = self._server

        def started() -> None:
            assert server.started, "fake server not started yet"

        await eventually(started, timeout=10, interval=0.01)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        self.release()
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, timeout=5)


async def read_body(receive: Any) -> bytes | None:
    """The request body; None when the client went away before sending all of it (a vendor
    never takes a truncated request, so it is not recorded)."""
    raw = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        raw += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return raw


async def respond(send: Any, status: int, body: Any, headers: dict[str, str]) -> None:
    """Answer an ASGI request with ``body`` as JSON (and ``headers``), as a vendor does."""
    payload = b"" if body is None else json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json")]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class FakeSlack(FakeServer):
    """Slack's Web API: conversations.create / invite / setTopic / archive, chat.postMessage /
    update, pins.add. Answers ``{"ok": false, "error": ...}`` as Slack does."""

    NAME = re.compile(r"^[a-z0-9_-]{1,80}$")

    def __init__(self, token: str = "xoxb-test") -> None:
        super().__init__()
        self.token = token
        self.channels: dict[str, Channel] = {}

    def key_of(self, method: str, path: str) -> str:
        return path.rsplit("/", 1)[-1]

    def by_name(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if headers.get("authorization") != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}
        body = body or {}
        api = self.key_of(method, path)
        if api == "conversations.create":
            name = body.get("name", "")
            if not self.NAME.match(name):
                return 200, {"ok": False, "error": "invalid_name_specials"}
            if self.by_name(name) is not None:
                return 200, {"ok": False, "error": "name_taken"}
            created = Channel(id=f"C{next(self._ids):06d}", name=name)
            self.channels[created.id] = created
            return 200, {"ok": True, "channel": {"id": created.id, "name": name}}
        found = self.channels.get(body.get("channel", ""))
        if found is None and api == "chat.postMessage":
            # chat.postMessage also takes a channel's name (``#sre-core``).
            found = self.by_name(str(body.get("channel", "")).removeprefix("#"))
        if found is None:
            return 200, {"ok": False, "error": "channel_not_found"}
        channel = found
        if channel.archived:
            return 200, {"ok": False, "error": "is_archived"}
        if api == "conversations.invite":
            for user in str(body.get("users", "")).split(","):
                if user and user not in channel.members:
                    channel.members.append(user)
            return 200, {"ok": True, "channel": {"id": channel.id}}
        if api == "conversations.setTopic":
            channel.topic = body.get("topic", "")
            return 200, {"ok": True, "channel": {"id": channel.id, "topic": channel.topic}}
        if api == "chat.postMessage":
            ts = f"{1700000000 + next(self._ids)}.000100"
            channel.messages[ts] = body
            return 200, {"ok": True, "channel": channel.id, "ts": ts, "message": body}
        if api == "chat.update":
            ts = body.get("ts", "")
            if ts not in channel.messages:
                return 200, {"ok": False, "error": "message_not_found"}
            channel.messages[ts] = body
            channel.edits.append(body)
            return 200, {"ok": True, "channel": channel.id, "ts": ts}
        if api == "pins.add":
            ts = body.get("timestamp", "")
            if ts in channel.pins:
                return 200, {"ok": False, "error": "already_pinned"}
            channel.pins.append(ts)
            return 200, {"ok": True}
        if api == "conversations.archive":
            channel.archived = True
            return 200, {"ok": True}
        return 404, {"ok": False, "error": "unknown_method"}


VIEW_CHANNEL = 1 << 10
_MENTION = re.compile(r"<@!?(\d+)>")


def discord_pinged(message: dict[str, Any]) -> list[str]:
    """The member ids a new Discord message notifies: those mentioned in its content that its
    ``allowed_mentions`` let through (all of them when it has none, as Discord does)."""
    mentioned = list(dict.fromkeys(_MENTION.findall(str(message.get("content") or ""))))
    allowed = message.get("allowed_mentions")
    if allowed is None or "users" in (allowed.get("parse") or []):
        return mentioned
    listed = {str(u) for u in allowed.get("users") or []}
    return [m for m in mentioned if m in listed]


class FakeDiscord(FakeServer):
    """Discord's REST API for one guild: list and create channels (with permission
    overwrites), permission overwrites on a channel, edit channels, post / edit / pin
    messages. A member is in a channel's ``members`` when an overwrite lets them view it, and
    in its ``notified`` when a new message mentions them and its ``allowed_mentions`` let it
    ping them. Errors as Discord answers them."""

    def __init__(self, token: str = "discord-test", guild_id: str = "900") -> None:
        super().__init__()
        self.token = token
        self.guild_id = guild_id
        self.channels: dict[str, Channel] = {}

    def key_of(self, method: str, path: str) -> str:
        return f"{method} " + re.sub(r"/\d+", "/*", path.removeprefix("/api/v10"))

    def by_name(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def _overwrite(self, channel: Channel, target: str, overwrite: dict[str, Any]) -> None:
        channel.overwrites[target] = overwrite
        visible = int(overwrite.get("allow") or 0) & VIEW_CHANNEL
        if overwrite.get("type") == 1 and visible and target not in channel.members:
            channel.members.append(target)

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if headers.get("authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}
        body = body or {}
        parts = path.removeprefix("/api/v10").strip("/").split("/")
        if parts[:1] == ["guilds"] and parts[2:] == ["channels"]:
            if parts[1] != self.guild_id:
                return 404, {"message": "Unknown Guild", "code": 10004}
            if method == "GET":
                return 200, [
                    {"id": c.id, "name": c.name, "type": 0, "guild_id": self.guild_id}
                    for c in self.channels.values()
                ]
            if method != "POST":
                return 405, {"message": "405: Method Not Allowed", "code": 0}
            channel = Channel(id=str(10_000 + next(self._ids)), name=body.get("name", ""))
            channel.topic = body.get("topic") or ""
            for overwrite in body.get("permission_overwrites") or []:
                self._overwrite(channel, str(overwrite["id"]), overwrite)
            self.channels[channel.id] = channel
            return 201, {"id": channel.id, "name": channel.name, "type": 0}
        if parts[:1] != ["channels"] or len(parts) < 2 or parts[1] not in self.channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        channel = self.channels[parts[1]]
        rest = parts[2:]
        if rest == [] and method == "PATCH":
            channel.topic = body.get("topic", channel.topic)
            channel.name = body.get("name", channel.name)
            channel.parent_id = body.get("parent_id", channel.parent_id)
            channel.archived = channel.name.startswith("archived-")
            return 200, {"id": channel.id, "name": channel.name, "topic": channel.topic}
        if rest[:1] == ["permissions"] and method == "PUT":
            self._overwrite(channel, rest[1], {"id": rest[1], **body})
            return 204, None
        if rest == ["messages"] and method == "POST":
            message_id = str(20_000 + next(self._ids))
            channel.messages[message_id] = body
            channel.notified += discord_pinged(body)
            return 200, {"id": message_id, "channel_id": channel.id, **body}
        if rest[:1] == ["messages"] and method == "PATCH":
            if rest[1] not in channel.messages:
                return 404, {"message": "Unknown Message", "code": 10008}
            channel.messages[rest[1]] = body
            channel.edits.append(body)
            return 200, {"id": rest[1], **body}
        if rest[:1] == ["pins"] and method == "PUT":
            channel.pins.append(rest[1])
            return 204, None
        return 404, {"message": "404: Not Found", "code": 0}
