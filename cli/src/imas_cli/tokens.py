"""``imas token create|list|revoke``: API tokens, through the gateway's HTTP API.

The admin token comes from ``--token``, else ``$IMAS_TOKEN``, else ``<state dir>/admin-token``
(written by ``imas run``); the gateway from ``--url``, else ``$IMAS_URL``, else
``http://localhost:$IMAS_PORT``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from imas_cli.launcher import DEFAULT_STATE_DIR, TOKEN_FILE, default_port

ROLES = ("viewer", "operator", "responder", "manager", "admin", "integration")


def add_parser(commands: Any) -> None:
    token = commands.add_parser("token", help="create, list and revoke API tokens")
    token.add_argument("--url", default=None, help="the gateway (default: $IMAS_URL)")
    token.add_argument("--token", default=None, help="an admin token (default: $IMAS_TOKEN)")
    token.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    actions = token.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a token; its secret is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--expires-in-days", type=int, default=None)
    create.add_argument("--scope", action="append", default=[], help="route tag (repeatable)")
    create.add_argument("--rate-limit", type=int, default=None, help="requests per window")
    create.add_argument("--rate-window", type=float, default=None, help="window, in seconds")
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id")


def admin_token(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    if args.token:
        return str(args.token)
    if env.get("IMAS_TOKEN"):
        return env["IMAS_TOKEN"]
    path = Path(args.state_dir) / TOKEN_FILE
    return path.read_text().strip() if path.exists() else ""


def gateway_url(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    return str(args.url or env.get("IMAS_URL") or f"http://localhost:{default_port(env)}")


async def run(args: argparse.Namespace, client: httpx.AsyncClient, token: str) -> int:
    """Do the action; print the answer. 0 on success, 1 when the gateway refused."""
    headers = {"Authorization": f"Token {token}"}
    if args.action == "create":
        body: dict[str, Any] = {"name": args.name, "role": args.role, "scopes": args.scope}
        for key in ("expires_in_days", "rate_limit", "rate_window"):
            if getattr(args, key) is not None:
                body[key] = getattr(args, key)
        response = await client.post("/api/v1/tokens/", json=body, headers=headers)
        if response.status_code != 201:
            return _refused(response)
        created = response.json()
        print(created["token"])
        print(
            f"token {created['id']} ({created['name']}, {created['role']}) — "
            "this is the only time its secret is shown",
            file=sys.stderr,
        )
        return 0
    if args.action == "list":
        params = {"include_revoked": "true"} if args.all else {}
        response = await client.get("/api/v1/tokens/", params=params, headers=headers)
        if response.status_code != 200:
            return _refused(response)
        print(f"{'ID':36}  {'PREFIX':12}  {'ROLE':11}  {'LAST USED':25}  NAME")
        for item in response.json()["results"]:
            state = " (revoked)" if item["revoked_at"] else ""
            print(
                f"{item['id']:36}  {item['prefix']:12}  {item['role']:11}  "
                f"{item['last_used_at'] or '-':25}  {item['name']}{state}"
            )
        return 0
    response = await client.delete(f"/api/v1/tokens/{args.id}/", headers=headers)
    if response.status_code != 204:
        return _refused(response)
    print(f"revoked {args.id}")
    return 0


def _refused(response: httpx.Response) -> int:
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    print(f"refused ({response.status_code}): {detail}", file=sys.stderr)
    return 1


def cmd_token(args: argparse.Namespace) -> int:
    token = admin_token(args, os.environ)
    if not token:
        print("no admin token: pass --token, set IMAS_TOKEN or run `imas run`", file=sys.stderr)
        return 2

    async def go() -> int:
        async with httpx.AsyncClient(base_url=gateway_url(args, os.environ), timeout=15) as c:
            return await run(args, c, token)

    try:
        return asyncio.run(go())
    except httpx.HTTPError as exc:
        print(f"cannot reach the gateway: {exc}", file=sys.stderr)
        return 1
