"""The `imas` command.

imas run  [--state-dir .imas] [--port 8000]   the whole mesh on this machine
imas demo [--nats-url URL]                    load the demo: people, on call, history (idempotent)
imas apply -f PATH [--dry-run] [--prune]       make IMAS hold the configuration files describe
                                              (idempotent), through the gateway
imas export [-o FILE] [--kind SECTION]        the live configuration as such a file
imas token create|list|revoke                 API tokens, through the gateway
imas check [--team ID] [--url URL]            what would not reach anyone (exit 1 if anything),
                                              through the gateway
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from imas_cli import apply as apply_commands
from imas_cli import gateway, tokens
from imas_cli.launcher import (
    DEFAULT_STATE_DIR,
    NATS_URL_ENV,
    SUPERVISED_ENV,
    default_port,
    read_recorded_nats_url,
)

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
        help="load the demo: teams and people, services, schedules, policies, past incidents "
        "(safe to repeat)",
    )
    _server_options(demo)

    apply_commands.add_parsers(commands)
    tokens.add_parser(commands)

    check = commands.add_parser(
        "check",
        help="report steps that reach nobody, channels no provider serves, people without an "
        "address, schedule gaps",
        description=(
            "Ask the gateway what the configuration would not deliver, for every team; exit 1 "
            "if anything, 2 if the check could not be done."
        ),
    )
    check.add_argument("--team", default=None, help="only this team (id); all teams by default")
    gateway.add_options(check)
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
    from imas_cli.demo import load_demo, loaded_line

    _quiet_logs()
    url = demo_nats_url(args)
    print(f"loading the demo through {url}")
    try:
        applied = asyncio.run(load_demo(url))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"demo not loaded: {exc}", file=sys.stderr)
        return 1
    print(loaded_line(applied))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return cmd_run(args)
    if args.command == "apply":
        return apply_commands.cmd_apply(args)
    if args.command == "export":
        return apply_commands.cmd_export(args)
    if args.command == "token":
        return tokens.cmd_token(args)
    if args.command == "check":
        from imas_cli.check import cmd_check

        return cmd_check(args)
    return cmd_demo(args)


if __name__ == "__main__":
    sys.exit(main())
