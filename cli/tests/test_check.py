from __future__ import annotations

import pytest

from imas_cli.check import describe
from imas_client.models import ConfigProblem, ConfigReport

pytestmark = pytest.mark.unit


def test_each_problem_is_one_line_by_team_then_step() -> None:
    report = ConfigReport(
        ok=False,
        problems=[
            ConfigProblem(
                kind="schedule_gap", subject="s1", team="SRE", message="nobody 02:00-03:00"
            ),
            ConfigProblem(
                kind="policy_reaches_nobody",
                subject="default",
                team="SRE",
                step="Default policy, step 4 at 30 min",
                channel="email",
                message="Default policy, step 4 at 30 min (email) reaches nobody",
            ),
            ConfigProblem(kind="check_incomplete", subject="notifier", message="no answer"),
            ConfigProblem(
                kind="channel_without_provider",
                subject="sms",
                team="Payments",
                step="Default policy, step 3 at 15 min",
                channel="sms",
                message="step 3 pages over sms, but no SMS provider is configured",
            ),
        ],
    )
    assert describe(report) == [
        "(all teams): no answer [check_incomplete]",
        "Payments: step 3 pages over sms, but no SMS provider is configured "
        "[channel_without_provider]",
        "SRE: nobody 02:00-03:00 [schedule_gap]",
        "SRE: Default policy, step 4 at 30 min (email) reaches nobody [policy_reaches_nobody]",
    ]


def test_a_clean_configuration_says_so() -> None:
    assert describe(ConfigReport(ok=True)) == ["no configuration problems found"]


def test_without_a_token_or_a_gateway_the_check_says_it_was_not_done(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from imas_cli.__main__ import main

    monkeypatch.delenv("IMAS_TOKEN", raising=False)
    assert main(["check", "--state-dir", str(tmp_path)]) == 2
    assert "no API token" in capsys.readouterr().err
    # Port 9 (discard) on loopback: nothing listens there.
    assert main(["check", "--url", "http://127.0.0.1:9", "--token", "t"]) == 2
    assert "cannot reach the gateway" in capsys.readouterr().err
