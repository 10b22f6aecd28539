"""Input the gateway refuses before any handler sees it.

- **JSON nested too deep.** Every JSON body, on every route (webhooks and sign-ins too), is
  nested at most ``GATEWAY_MAX_JSON_DEPTH`` (64) levels deep; deeper is a 400 naming the
  limit. Code that walks JSON recursively (the audit log's redaction, the NUL check below,
  other services' decoders) would fail on a body a few hundred levels deep, however the
  handler itself ignores it. (Bodies over ``GATEWAY_MAX_BODY_BYTES`` are a 413 naming it.)
- **Text no service can store.** PostgreSQL text cannot hold U+0000, so a name, a note or an
  id carrying one would fail deep in the service that stores it. The gateway refuses it up
  front, naming the field: in the path, the query string or the JSON body of an authenticated
  API call. (Alert webhooks and chat callbacks are passed on as raw bytes; their services
  decide.)
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate
from typing import Any, TypeGuard

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from imas_gateway.auth.guard import route_spec
from imas_gateway.domain import PUBLIC
from imas_gateway.state import gateway_state
from imas_runtime.errors import Invalid

NUL = "\x00"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Every bracket kind as "[" or "]", and nothing else.
_SHAPE = (bytes.maketrans(b"{}", b"[]"), bytes(b for b in range(256) if b not in b"[]{}"))
_RUNS = re.compile(rb"\[+|\]+")


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON body, in C-speed passes (no Python loop
    over the body: a megabyte of brackets must not hold the event loop)."""
    # Outside strings only: drop escaped backslashes and quotes, then every other quote opens
    # or closes a string.
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    shape = b"".join(unescaped.split(b'"')[::2]).translate(*_SHAPE)
    # Each pass drops every innermost pair, one level, and most of the runs counted below.
    passes = 0
    while shape and passes < 2:
        shape = shape.replace(b"[]", b"")
        passes += 1
    runs = list(map(len, _RUNS.findall(shape)))
    if shape.startswith(b"]"):
        runs.insert(0, 0)
    runs[1::2] = map(operator.neg, runs[1::2])
    # Closers a parser has not met openers for make the sum low only past the point where
    # any parser gives up on the body.
    return max(accumulate(runs), default=0) + passes


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the JSON (or JSON-looking) ``body`` nests more than ``limit`` deep; free for
    the common body with no more brackets than the limit."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    return json_depth(body) > limit


def nul_field(value: Any, at: str = "") -> str | None:
    """The dotted path of the first key or string in ``value`` holding a NUL, else None."""
    if isinstance(value, str):
        return (at or "body") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{at}.{key}" if at else str(key)
            if NUL in str(key):
                return path
            found = nul_field(item, path)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_field(item, f"{at}[{index}]" if at else f"[{index}]")
            if found is not None:
                return found
    return None


def _may_be_json(
    connection: ASGIConnection[Any, Any, Any, Any],
) -> TypeGuard[Request[Any, Any, Any]]:
    """A body that is, or may be, JSON: anything but a form (webhooks often come without a
    content type)."""
    if not isinstance(connection, Request) or connection.method not in _BODY_METHODS:
        return False
    content_type = connection.headers.get("content-type", "")
    return not content_type.startswith(("application/x-www-form-urlencoded", "multipart/"))


async def storable_input_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """400 naming the limit when a JSON body is nested too deep (any route); 400 naming the
    field when a path parameter, query parameter or JSON body field of an authenticated API
    call holds a NUL character (see the module)."""
    if _may_be_json(connection):
        limit = gateway_state(connection.app).settings.max_json_depth
        if nested_deeper_than(await connection.body(), limit):
            raise Invalid.field("body", f"must not nest arrays and objects over {limit} deep")
    if route_spec(handler).role == PUBLIC:
        return
    for name, value in connection.path_params.items():
        if isinstance(value, str) and NUL in value:
            raise Invalid.field(name, "must not contain NUL characters")
    for name, value in connection.query_params.multi_items():
        if NUL in name or NUL in value:
            raise Invalid.field(name, "must not contain NUL characters")
    if not isinstance(connection, Request) or connection.method not in _BODY_METHODS:
        return
    body = await connection.body()
    if b"\\u0000" not in body:
        return
    try:
        field = nul_field(msgspec.json.decode(body))
    except msgspec.DecodeError:
        return  # the handler answers invalid JSON itself
    if field is not None:
        raise Invalid.field(field, "must not contain NUL characters")
