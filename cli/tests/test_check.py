from __future__ import annotations

import pytest

from imas_cli.check import describe
from imas_contracts.escalation import ConfigProblem, ConfigReport

pytestmark = pytest.mark.unit


def test_each_problem_is_one_line_sorted_by_kind() -> None:
    report = ConfigReport(
        ok=False,
        problems=[
            ConfigProblem(kind="schedule_gap", subject="primary", message="nobody 02:00-03:00"),
            ConfigProblem(kind="policy_reaches_nobody", subject="day", message="step 1"),
        ],
    )
    assert describe(report) == [
        "policy_reaches_nobody: day: step 1",
        "schedule_gap: primary: nobody 02:00-03:00",
    ]


def test_a_clean_configuration_says_so() -> None:
    assert describe(ConfigReport(ok=True)) == ["no configuration problems found"]
