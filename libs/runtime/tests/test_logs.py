"""One log format for a whole process: IMAS's events and the libraries' records alike."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

# A process as a service runs: logging configured, its apps made, then libraries log the
# way they do.
PROGRAM = textwrap.dedent(
    """
    import logging, sys
    from pathlib import Path
    from imas_runtime.logs import configure_logging, get_logger
    from imas_runtime.service import ServiceRuntime, service_app
    from imas_runtime.settings import RuntimeSettings
    configure_logging("ingest", fmt=sys.argv[1], level="info")
    # Then the apps are made, as `python -m imas_<service>` does before serving.
    runtime = ServiceRuntime(RuntimeSettings(), migrations_dir=Path("."))
    service_app(runtime), runtime.internal_app()
    get_logger(__name__).info("service started", database="imas_ingest")
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0001 -> 0002")
    logging.getLogger("nats.aio.client").error("nats: encountered error")
    logging.getLogger("httpx").info("HTTP Request: POST https://hooks.slack.com/services/T/B/secret")
    try:
        1 / 0
    except ZeroDivisionError:
        logging.getLogger("sqlalchemy.pool").exception("connection lost")
    """
)


@functools.cache
def _run(fmt: str) -> list[str]:
    """What the program logs in ``fmt`` (run once per format: it imports every library)."""
    # A deadline, not a speed: a loaded machine takes tens of seconds to import it all.
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, fmt], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    return done.stderr.splitlines()


def test_every_line_is_one_json_event_whoever_logged_it() -> None:
    lines = _run("json")
    events = [json.loads(line) for line in lines if not line.startswith(" ")]
    assert len(events) == len(lines), lines
    assert [e["event"] for e in events] == [
        "service started",
        "Started server process [42]",
        "Running upgrade 0001 -> 0002",
        "nats: encountered error",
        "connection lost",
    ]
    assert {e["service"] for e in events} == {"ingest"}
    assert all(e["level"] and e["timestamp"] for e in events)
    assert events[3]["level"] == "error" and events[3]["logger"] == "nats.aio.client"
    assert "ZeroDivisionError" in events[4]["exception"]


def test_urls_of_http_clients_are_never_logged() -> None:
    assert not any("secret" in line for line in _run("json"))


def test_auto_is_json_when_not_on_a_terminal() -> None:
    assert all(json.loads(line) for line in _run("auto"))


def test_console_renders_library_records_too() -> None:
    lines = _run("console")
    assert any("Running upgrade 0001 -> 0002" in line and "[info" in line for line in lines)
    assert not any(line.startswith("{") for line in lines)
