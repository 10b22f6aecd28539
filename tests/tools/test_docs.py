"""The generated documentation (tools/docs.py) is up to date, and says what each setting is for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imas_runtime.settings import RuntimeSettings
from imas_testing import load_script

pytestmark = pytest.mark.unit

docs = load_script(Path(__file__).resolve().parents[2] / "tools" / "docs.py")


class SampleSettings(RuntimeSettings, kw_only=True):
    port: int = 8199
    # Pages sent at once, and how long each may take.
    concurrency: int = 4
    send_timeout: float = 2.5

    unexplained: str = ""
    # The chat platform: ``slack`` or ``discord`` (docs/security.md#outbound-calls).
    chat: str = "slack"
    enabled: bool = True


def test_generated_documentation_is_up_to_date():
    stale = [str(p) for p in docs.stale()]

    assert stale == [], "stale: run `uv run python tools/docs.py` and commit the result"


def test_every_setting_says_what_it_is_for():
    assert docs.undocumented_settings() == [], "add a comment above these fields"


def test_a_comment_explains_the_fields_that_follow_it_in_one_row():
    table = docs.settings_table(docs.settings_of(SampleSettings, "SAMPLE_", True), "docs")
    rows = table.splitlines()[2:]

    assert rows == [
        # An override without a comment keeps the shared setting's meaning.
        "| `SAMPLE_PORT` | int | `8199` | Where the service listens: the gateway's public API,"
        " the other services' health (/healthz, and /readyz saying only ok or unavailable). |",
        "| `SAMPLE_CONCURRENCY`, `SAMPLE_SEND_TIMEOUT` | int, float | `4`, `2.5` |"
        " Pages sent at once, and how long each may take. |",
        "| `SAMPLE_UNEXPLAINED` | str | (empty) | — |",
        "| `SAMPLE_CHAT`, `SAMPLE_ENABLED` | str, bool | `slack`, `true` | The chat platform:"
        " `slack` or `discord`"
        " ([docs/security.md#outbound-calls](security.md#outbound-calls)). |",
    ]


def test_shared_settings_read_only_per_service_are_named_so():
    variables = {
        s.name: s.variable for s in docs.settings_of(RuntimeSettings, "IMAS_", own_only=False)
    }

    assert variables["nats_url"] == "IMAS_NATS_URL"
    assert variables["port"] == "<SERVICE>_PORT"
    assert variables["database"] == "<SERVICE>_DATABASE"
    assert "service" not in variables


def test_a_setting_added_without_regenerating_makes_its_page_stale(tmp_path: Path):
    page = tmp_path / "docs" / "configuration.md"
    page.parent.mkdir()
    page.write_text(
        "# Configuration\n\n<!-- generated: settings -->\n| old table |\n<!-- end generated -->\n"
        "\nWritten by hand, kept.\n"
    )

    assert list(docs.stale(tmp_path)) == [page]
    regenerated = docs.rendered(page, tmp_path)
    assert "| old table |" not in regenerated
    assert "`IMAS_NATS_URL`" in regenerated
    assert regenerated.endswith("<!-- end generated -->\n\nWritten by hand, kept.\n")


def test_performance_table_reads_the_results_and_names_what_was_never_measured(tmp_path: Path):
    results = tmp_path / "results"
    results.mkdir()
    storm = {
        "benchmark": "storm",
        "machine": {"date": "2026-12-01T10:00:00+00:00", "cpus": 2},
        "accepted_per_s": 2688,
        "incidents_created": 1,
        "final_alert_count": 10000,
        "pages": 1,
        "drain_after_last_post_s": 0.08,
    }
    (results / "storm.json").write_text(json.dumps(storm))

    rows = {line.split(" | ")[0]: line for line in docs.results_table(results).splitlines()}

    assert rows["| 10,000 identical alerts, 50 clients"].endswith(
        "| 1 incident, 1 page, count 10,000, drained 0.08 s after the last POST"
        " (accepted at 2,688/s) | `storm` (2026-12-01) |"
    )
    assert "| not measured yet |" in rows["| memory per service"]


def test_a_service_readme_lists_its_tables_consumers_and_subjects_from_the_code():
    owns = docs.owns("notifier")
    consumes = docs.consumes("notifier").splitlines()
    serves = docs.serves("notifier").splitlines()

    assert "`deliveries`" in owns and "`outbox`" in owns
    assert consumes[0].startswith("- `notifier--INCIDENTS`: `incidents.triggered.v1`")
    # One line per noun: the routing rules' three subjects together.
    assert (
        "- `notifier.routing_rules.list.v1`, `notifier.routing_rules.put.v1`,"
        " `notifier.routing_rules.delete.v1`"
    ) in serves


SERVICE_README_TEMPLATE = ["Owns", "Publishes", "Consumes", "Serves", "Settings", "Tests", "Code"]


@pytest.mark.parametrize(
    "service", ["gateway", "ingest", "incidents", "notifier", "escalation", "warroom"]
)
def test_every_service_readme_opens_with_the_same_sections(service: str):
    readme = Path(__file__).resolve().parents[2] / "services" / service / "README.md"
    headings = [
        line.removeprefix("## ")
        for line in readme.read_text().splitlines()
        if line.startswith("## ")
    ]

    assert headings[: len(SERVICE_README_TEMPLATE)] == SERVICE_README_TEMPLATE
