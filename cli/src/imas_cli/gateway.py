"""How the ``imas`` commands talk to the gateway: through ``imas_client``, the typed client
generated from the API's OpenAPI document (``docs/api/openapi.json``, see
``clients/generate.py``), so a change of the API that breaks a command fails its type check.

The gateway comes from ``--url``, else ``$IMAS_URL``, else ``http://localhost:$IMAS_PORT``;
the token from ``--token``, else ``$IMAS_TOKEN``, else ``<state dir>/admin-token`` (written by
``imas run``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from imas_cli.launcher import DEFAULT_STATE_DIR, TOKEN_FILE, default_port
from imas_client import AuthenticatedClient
from imas_client.models import Problem
from imas_client.types import Response

TIMEOUT = 15.0


def add_options(parser: argparse.ArgumentParser) -> None:
    """``--url``, ``--token`` and ``--state-dir``: which gateway, as whom."""
    parser.add_argument("--url", default=None, help="the gateway (default: $IMAS_URL)")
    parser.add_argument("--token", default=None, help="an API token (default: $IMAS_TOKEN)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="state directory of a running `imas run`, whose admin token is used by default",
    )


def api_token(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    if args.token:
        return str(args.token)
    if env.get("IMAS_TOKEN"):
        return env["IMAS_TOKEN"]
    path = Path(args.state_dir) / TOKEN_FILE
    return path.read_text().strip() if path.exists() else ""


def gateway_url(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    return str(args.url or env.get("IMAS_URL") or f"http://localhost:{default_port(env)}")


def api_client(
    url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> AuthenticatedClient:
    """The generated client for the gateway at ``url``, sending ``token``; ``transport``
    replaces the network (tests hand it the gateway app)."""
    return AuthenticatedClient(
        base_url=url,
        token=token,
        prefix="Token",
        timeout=httpx.Timeout(TIMEOUT),
        httpx_args={"transport": transport} if transport is not None else {},
    )


def refused(response: Response[Any]) -> int:
    """Say why the gateway refused (its problem's detail); 1."""
    parsed = response.parsed
    detail = parsed.detail if isinstance(parsed, Problem) else response.content.decode()
    print(f"refused ({int(response.status_code)}): {detail}", file=sys.stderr)
    return 1


Command = Callable[[argparse.Namespace, AuthenticatedClient], Awaitable[int]]


def call(args: argparse.Namespace, command: Command, *, failed: int) -> int:
    """Run ``command`` with a client for the gateway and token ``args`` name; ``failed``
    when there is no token or the gateway cannot be reached (saying why)."""
    token = api_token(args, os.environ)
    if not token:
        print("no API token: pass --token, set IMAS_TOKEN or run `imas run`", file=sys.stderr)
        return failed

    async def go() -> int:
        async with api_client(gateway_url(args, os.environ), token) as client:
            return await command(args, client)

    try:
        return asyncio.run(go())
    except KeyboardInterrupt:
        return 130
    except httpx.HTTPError as exc:
        print(f"cannot reach the gateway: {exc}", file=sys.stderr)
        return failed
