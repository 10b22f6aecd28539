"""``imas check``: what the configuration would not deliver, to fix before 3 a.m.

For every team (or the one given): steps of its escalation policies, the default one
included, that reach nobody; channels a step or routing rule pages that no provider serves;
people without an address for a channel they are paged on; schedule gaps — as the gateway's
``GET /api/v1/escalation/check/`` reports them (the generated client, see
``imas_cli.gateway``), the same list the dashboard shows at /oncall/check.
"""

from __future__ import annotations

import argparse

from imas_cli.gateway import call, refused
from imas_client import AuthenticatedClient
from imas_client.api.on_call import api_v1_escalation_check_check
from imas_client.models import ConfigReport
from imas_client.types import UNSET, Unset

# Exit codes: no problem, problems found, the check could not be done.
CLEAN, PROBLEMS, NOT_DONE = 0, 1, 2


def describe(report: ConfigReport) -> list[str]:
    """One line per problem, by team then step (``team: message [kind]``); a single
    reassuring line when there is none."""
    problems = [] if isinstance(report.problems, Unset) else report.problems
    if report.ok and not problems:
        return ["no configuration problems found"]

    def text(value: str | Unset) -> str:
        return "" if isinstance(value, Unset) else value

    ordered = sorted(
        problems,
        key=lambda p: (text(p.team), text(p.step), text(p.channel), p.kind, p.subject),
    )
    return [f"{text(p.team) or '(all teams)'}: {p.message} [{p.kind}]" for p in ordered]


async def run(args: argparse.Namespace, client: AuthenticatedClient) -> int:
    """Print the report; CLEAN, PROBLEMS, or NOT_DONE when the gateway refused."""
    answer = await api_v1_escalation_check_check.asyncio_detailed(
        client=client, team=args.team or UNSET
    )
    if not isinstance(answer.parsed, ConfigReport):
        refused(answer)
        return NOT_DONE
    for line in describe(answer.parsed):
        print(line)
    return CLEAN if answer.parsed.ok else PROBLEMS


def cmd_check(args: argparse.Namespace) -> int:
    return call(args, run, failed=NOT_DONE)
