"""The `imas` command.

imas run  [--state-dir .imas] [--port 8000]   the whole mesh on this machine
imas demo [--nats-url URL]                    load the demo catalog (idempotent)
imas apply -f FILE [--dry-run] [--nats-url URL]  apply a catalog / runbooks file (idempotent)
imas token create|list|revoke                 API tokens, through the gateway
imas check [--team ID] [--nats-url URL]       escalation configuration problems (exit 1 if any)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from imas_cli import tokens
from imas_cli.launcher import (
    DEFAULT_STATE_DIR,
    NATS_URL_ENV,
    SUPERVISED_ENV,
    default_port,
    read_recorded_nats_url,
)

if TYPE_CHECKING:
    from imas_cli.apply import ApplyPlan

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imas", description="IMAS: incident management, run locally."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="start NATS, PostgreSQL, Redis and the six services; Ctrl-C stops everything",
        description=(
            "Start the whole mesh. NATS, PostgreSQL and Redis are embedded (data under the "
            "state directory) unless IMAS_NATS_URL, IMAS_DATABASE_URL or IMAS_REDIS_URL name "
            "servers to use."
        ),
    )
    run.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where embedded servers keep their data and the admin token (default: .imas)",
    )
    run.add_argument(
        "--port",
        type=int,
        default=default_port(os.environ),
        help="gateway port; the other services use port+101..port+105 (default: $IMAS_PORT "
        "or 8000)",
    )

    demo = commands.add_parser(
        "demo",
        help="load the demo teams, services and impact scopes (safe to repeat)",
    )
    _server_options(demo)

    apply = commands.add_parser(
        "apply",
        help="apply a YAML catalog (teams, services, scopes, people, tag rules) and runbooks;"
        " safe to repeat",
        description=(
            "Create or update what FILE describes, matching entries by name (people by email). "
            "The file is checked whole first: any problem refuses it, with line numbers."
        ),
    )
    apply.add_argument(
        "-f", "--file", type=Path, required=True, help="the YAML catalog and/or runbooks"
    )
    apply.add_argument(
        "--dry-run", action="store_true", help="print what would change; change nothing"
    )
    _server_options(apply)
    tokens.add_parser(commands)

    check = commands.add_parser(
        "check",
        help="report policies that reach nobody, schedule gaps, people without contact",
        description="Ask the escalation service for configuration problems; exit 1 if any.",
    )
    check.add_argument("--team", default=None, help="only this team (id); all teams by default")
    _server_options(check)
    return parser


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--nats-url",
        default=None,
        help="NATS server (default: $IMAS_NATS_URL, else the one a running `imas run` uses, "
        f"else {DEFAULT_NATS_URL})",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="state directory of a running `imas run` (default: .imas)",
    )


def _quiet_logs() -> None:
    from imas_runtime.logs import configure_logging

    configure_logging("cli", level="error")


def cmd_run(args: argparse.Namespace) -> int:
    from imas_cli.supervisor import Supervisor, relay

    if os.environ.get(SUPERVISED_ENV) != "1":
        return relay(["run", "--state-dir", str(args.state_dir), "--port", str(args.port)])
    _quiet_logs()
    return Supervisor(args.state_dir, args.port).run()


def demo_nats_url(args: argparse.Namespace) -> str:
    if args.nats_url:
        return str(args.nats_url)
    from_env = os.environ.get(NATS_URL_ENV, "").strip()
    if from_env:
        return from_env
    return read_recorded_nats_url(args.state_dir) or DEFAULT_NATS_URL


def cmd_demo(args: argparse.Namespace) -> int:
    from imas_cli.demo import load_demo

    _quiet_logs()
    url = demo_nats_url(args)
    print(f"loading the demo catalog through {url}")
    try:
        applied = asyncio.run(load_demo(url))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"demo catalog not loaded: {exc}", file=sys.stderr)
        return 1
    print(
        f"demo catalog loaded ({applied.teams} teams, {applied.services} services, "
        f"{applied.scopes} impact scopes)"
    )
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from imas_cli.apply import CatalogFileError, load_file

    try:
        plan = load_file(args.file)
    except CatalogFileError as exc:
        print(f"{args.file}: refused, nothing applied", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 2
    _quiet_logs()
    try:
        lines = asyncio.run(apply_plan(demo_nats_url(args), plan, dry_run=args.dry_run))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"{args.file}: not applied: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


async def apply_plan(nats_url: str, plan: ApplyPlan, *, dry_run: bool) -> list[str]:
    """Apply the catalog (incidents), then the runbooks (warroom); what changed, line by line."""
    from imas_cli.apply import describe
    from imas_cli.demo import send, send_catalog
    from imas_contracts.warroom import ImportRunbooks, RunbookList

    changes = []
    if plan.has_catalog:
        catalog = msgspec.structs.replace(plan.catalog, dry_run=dry_run)
        changes += (await send_catalog(nats_url, catalog, deadline=30.0)).changes
    if plan.runbooks:
        request = ImportRunbooks(runbooks=plan.runbooks, dry_run=dry_run)
        imported = await send(
            nats_url, request, RunbookList, deadline=30.0, service="warroom", what="the runbooks"
        )
        changes += imported.changes
    return describe(changes, dry_run=dry_run)


def cmd_check(args: argparse.Namespace) -> int:
    from imas_cli.check import describe, fetch_report

    _quiet_logs()
    try:
        report = asyncio.run(fetch_report(demo_nats_url(args), args.team))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"check not done: {exc}", file=sys.stderr)
        return 2
    for line in describe(report):
        print(line)
    return 0 if report.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return cmd_run(args)
    if args.command == "apply":
        return cmd_apply(args)
    if args.command == "token":
        return tokens.cmd_token(args)
    if args.command == "check":
        return cmd_check(args)
    return cmd_demo(args)


if __name__ == "__main__":
    sys.exit(main())
