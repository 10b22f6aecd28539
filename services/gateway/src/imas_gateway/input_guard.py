"""Input no service can store: text with NUL characters.

PostgreSQL text cannot hold U+0000, so a name, a note or an id carrying one would fail deep
in the service that stores it. The gateway refuses it up front, naming the field: in the path,
the query string or the JSON body of an authenticated API call. (Alert webhooks and chat
callbacks are passed on as raw bytes; their services decide.)
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from imas_gateway.domain import PUBLIC
from imas_runtime.errors import Invalid

NUL = "\x00"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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


async def storable_input_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """400 naming the field when a path parameter, query parameter or JSON body field of an
    authenticated API call holds a NUL character."""
    if handler.opt.get("role") == PUBLIC:
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
