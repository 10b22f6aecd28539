"""``imas check``: escalation configuration problems a person should fix before 3 a.m.

Policies whose steps reach nobody, schedule gaps, people without a contact method, teams
without a policy — as the escalation service reports them.
"""

from __future__ import annotations

from imas_contracts.escalation import CheckConfig, ConfigReport
from imas_runtime.bus import Bus


def describe(report: ConfigReport) -> list[str]:
    """One line per problem, grouped by kind; a single reassuring line when there is none."""
    if report.ok and not report.problems:
        return ["no configuration problems found"]
    return [
        f"{p.kind}: {p.subject}: {p.message}"
        for p in sorted(report.problems, key=lambda p: (p.kind, p.subject))
    ]


async def fetch_report(
    nats_url: str, team_id: str | None, *, timeout: float = 10.0
) -> ConfigReport:
    bus = Bus("cli", nats_url)
    await bus.connect(connect_timeout=timeout)
    try:
        return await bus.request(CheckConfig(team_id=team_id), ConfigReport, timeout=timeout)
    finally:
        await bus.close()
