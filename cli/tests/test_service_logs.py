"""What `imas run` shows on the terminal of what the services log, and where the rest goes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from imas_cli.service_logs import log_path, open_log, terminal_line

pytestmark = pytest.mark.unit


def _json(**event: object) -> str:
    return json.dumps({"timestamp": "2026-12-07T16:00:00Z", "service": "notifier", **event})


def test_info_lines_stay_in_the_file() -> None:
    assert terminal_line(_json(level="info", event="service started", database="x")) is None
    assert terminal_line(_json(level="info", event="Running upgrade 0001 -> 0002")) is None


def test_warnings_and_errors_reach_the_terminal_with_their_fields() -> None:
    line = terminal_line(_json(level="error", event="page given up", provider="slack"))
    assert line == "error: page given up  provider=slack"


def test_pages_the_demo_prints_reach_the_terminal() -> None:
    line = terminal_line(
        _json(
            level="info",
            event="page sent",
            channel="log",
            recipient="team:SRE Core",
            message="[SEV1] Redis down\nhttp://x",
            trace_id="0af7651916cd43dd8448eb211c80319c",
        )
    )
    assert line is not None
    assert line.startswith("page sent  channel=log")
    assert 'recipient="team:SRE Core"' in line
    assert "\n" not in line and "trace_id" not in line


@pytest.mark.parametrize("text", ["plain text", "{not json", "[1, 2]", ""])
def test_lines_in_another_format_stay_in_the_file(text: str) -> None:
    assert terminal_line(text) is None


def test_a_long_event_is_cut_on_the_terminal() -> None:
    line = terminal_line(_json(level="warning", event="slow", detail="x" * 5000))
    assert line is not None and len(line) <= 400


def test_each_service_log_is_appended_to_and_private(tmp_path: Path) -> None:
    with open_log(tmp_path, "ingest") as log:
        log.write("first\n")
    with open_log(tmp_path, "ingest") as log:
        log.write("second\n")
    path = log_path(tmp_path, "ingest")
    assert path == tmp_path / "logs" / "ingest.log"
    assert path.read_text() == "first\nsecond\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
