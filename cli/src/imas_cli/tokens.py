"""``imas token create|list|revoke``: API tokens, through the gateway's HTTP API (the generated
client, see ``imas_cli.gateway``); ``--user`` lists or revokes the tokens of one user."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from imas_cli.gateway import add_options, call, refused
from imas_client import AuthenticatedClient
from imas_client.api.tokens import (
    api_v1_tokens_create,
    api_v1_tokens_list_tokens,
    api_v1_tokens_token_id_revoke,
)
from imas_client.api.users import api_v1_users_ref_tokens_revoke_tokens
from imas_client.models import NewTokenJson, PageTokenJson, RevokedTokens, TokenCreate
from imas_client.types import UNSET

ROLES = ("viewer", "operator", "responder", "manager", "admin", "integration")


def add_parser(commands: Any) -> None:
    token = commands.add_parser("token", help="create, list and revoke API tokens")
    add_options(token)
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
    listing.add_argument("--user", default=None, help="only this user's tokens (name or id)")
    revoke = actions.add_parser("revoke", help="revoke a token by id, or every token of a user")
    target = revoke.add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", default=None)
    target.add_argument("--user", default=None, help="every token of this user (name or id)")


def _given(value: Any) -> Any:
    return UNSET if value is None else value


async def run(args: argparse.Namespace, client: AuthenticatedClient) -> int:
    """Do the action; print the answer. 0 on success, 1 when the gateway refused."""
    if args.action == "create":
        body = TokenCreate(
            name=args.name,
            role=args.role,
            scopes=args.scope,
            expires_in_days=_given(args.expires_in_days),
            rate_limit=_given(args.rate_limit),
            rate_window=_given(args.rate_window),
        )
        made = await api_v1_tokens_create.asyncio_detailed(client=client, body=body)
        if not isinstance(made.parsed, NewTokenJson):
            return refused(made)
        print(made.parsed.token)
        print(
            f"token {made.parsed.id} ({made.parsed.name}, {made.parsed.role}) — "
            "this is the only time its secret is shown",
            file=sys.stderr,
        )
        return 0
    if args.action == "list":
        listed = await api_v1_tokens_list_tokens.asyncio_detailed(
            client=client, include_revoked=args.all, user=args.user or UNSET
        )
        if not isinstance(listed.parsed, PageTokenJson):
            return refused(listed)
        print(
            f"{'ID':36}  {'PREFIX':12}  {'ROLE':11}  {'USER':16}  {'EXPIRES':25}  "
            f"{'LAST USED':25}  NAME"
        )
        for item in listed.parsed.results:
            state = " (revoked)" if item.revoked_at else ""
            user = item.username if isinstance(item.username, str) and item.username else "-"
            print(
                f"{item.id:36}  {item.prefix:12}  {item.role:11}  {user:16}  "
                f"{item.expires_at or 'never':25}  {item.last_used_at or '-':25}  "
                f"{item.name}{state}"
            )
        return 0
    if args.user:
        revoked = await api_v1_users_ref_tokens_revoke_tokens.asyncio_detailed(
            args.user, client=client
        )
        if not isinstance(revoked.parsed, RevokedTokens):
            return refused(revoked)
        print(f"revoked {revoked.parsed.revoked} token(s) of {args.user}")
        return 0
    gone = await api_v1_tokens_token_id_revoke.asyncio_detailed(args.id, client=client)
    if gone.status_code != 204:
        return refused(gone)
    print(f"revoked {args.id}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    return call(args, run, failed=1)
