"""Running ``imas apply`` and ``imas export`` against the in-process gateway of a test."""

from __future__ import annotations

import argparse

import httpx
import pytest

from imas_cli.__main__ import build_parser
from imas_cli.apply import run_apply, run_export
from imas_cli.gateway import api_client
from tests.conftest import Intake


async def imas(
    intake: Intake, capsys: pytest.CaptureFixture[str], *argv: str, token: str | None = None
) -> tuple[int, str, str]:
    """Run ``imas apply ...`` or ``imas export ...`` through ``intake``'s gateway (with its
    admin token unless ``token``): the exit code, what it printed, what it said on stderr."""
    args: argparse.Namespace = build_parser().parse_args(list(argv))
    capsys.readouterr()
    transport = httpx.ASGITransport(app=intake.gateway)
    async with api_client("http://imas", token or intake.token, transport=transport) as client:
        command = run_apply if args.command == "apply" else run_export
        code = await command(args, client)
    out, err = capsys.readouterr()
    return code, out, err
