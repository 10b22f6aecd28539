"""The parts of the documentation that are generated from the code, and their command.

    uv run python tools/docs.py           # rewrite them all
    uv run python tools/docs.py --check   # exit 1, naming the files, when one is stale

A generated part sits between ``<!-- generated: NAME -->`` and ``<!-- end generated -->`` in a
Markdown file; everything around it is written by hand and kept as it is:

- ``settings`` (docs/configuration.md): the shared settings, from
  :class:`imas_runtime.settings.RuntimeSettings`;
- ``settings <service>`` (docs/configuration.md and the service's README): the service's
  own settings, from ``imas_<service>.settings``. Variable, type and default come from the
  struct, the meaning from the comment above the field: a comment applies to the fields that
  follow it up to a blank line or the next comment, and those share one row;
- ``owns <service>``, ``consumes <service>``, ``serves <service>`` (the service's README):
  the tables of its ``models.py``, the JetStream consumers and the request/reply subjects of
  its ``handlers.py``;
- ``results`` (docs/performance.md): the table of benchmark results, from
  ``bench/results/*.json`` (``make bench`` writes them, then runs this);
- ``comparison`` (README.md and docs/performance.md): IMAS beside Alertmanager by load, from
  ``bench/results/alertmanager_compare.json``.

tests/tools/test_docs.py fails when a generated part is stale, so ``make test`` catches a
setting added without its documentation.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import MetaData

from imas_contracts import Message
from imas_runtime.settings import SERVICE_ONLY_FIELDS, RuntimeSettings

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("gateway", "ingest", "incidents", "notifier", "escalation", "warroom")
RESULTS = REPO / "bench" / "results"

BLOCK = re.compile(
    r"(?P<open><!-- generated: (?P<name>[^>]+?) -->\n)(?P<body>.*?)"
    r"(?P<close><!-- end generated -->)",
    re.S,
)
# Internal: set by the code for each service, never by a variable.
NOT_SETTINGS = frozenset({"service"})


def documents(root: Path = REPO) -> list[Path]:
    """The files with generated parts."""
    return [
        root / "README.md",
        root / "docs" / "configuration.md",
        root / "docs" / "performance.md",
        *(root / "services" / s / "README.md" for s in SERVICES),
    ]


# -- settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    name: str
    variable: str
    type: str
    default: Any
    meaning: str
    group: int  # settings of one group share one comment, and one row


def field_comments(cls: type) -> dict[str, tuple[int, str, str]]:
    """``{field: (group, comment, annotation)}`` for the fields ``cls`` declares itself."""
    source = Path(inspect.getsourcefile(cls) or "")
    lines = source.read_text().splitlines()
    tree = ast.parse("\n".join(lines))
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.__name__]
    found: dict[str, tuple[int, str, str]] = {}
    group, comment, previous_end = 0, "", -1
    for statement in node.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            previous_end = -1
            continue
        above: list[str] = []
        line = statement.lineno - 2
        while line >= 0 and lines[line].strip().startswith("#"):
            above.insert(0, lines[line].strip().lstrip("#").strip())
            line -= 1
        if above:
            group, comment = group + 1, " ".join(above)
        elif statement.lineno - 1 != previous_end:
            group, comment = group + 1, ""
        annotation = ast.get_source_segment("\n".join(lines), statement.annotation) or ""
        found[statement.target.id] = (group, comment, annotation)
        previous_end = statement.end_lineno or statement.lineno
    return found


def settings_of(cls: type[msgspec.Struct], prefix: str, own_only: bool) -> list[Setting]:
    """The settings of ``cls``: all (the shared struct) or only those it declares itself."""
    shared = field_comments(RuntimeSettings)
    own = field_comments(cls)
    defaults = {f.name: f.default for f in msgspec.structs.fields(cls)}
    result = []
    for name in defaults:
        if name in NOT_SETTINGS or (own_only and name not in own):
            continue
        group, comment, annotation = own.get(name, (0, "", ""))
        if not comment and name in shared:
            # An override of a shared setting (a service's own port) keeps the shared meaning.
            shared_group, comment, annotation = shared[name]
            group = group or -shared_group
        # The port, internal port and database are never read from IMAS_*.
        shared_only_per_service = prefix == "IMAS_" and name in SERVICE_ONLY_FIELDS
        variable = f"{'<SERVICE>_' if shared_only_per_service else prefix}{name.upper()}"
        result.append(Setting(name, variable, annotation, defaults[name], comment, group))
    return result


def shown_default(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`" if "e" not in f"{value:g}" else f"`{value}`"
    if value == "":
        return "(empty)"
    return f"`{value}`"


DOC_PATH = re.compile(r"(?<![\w/`])((?:docs|services|deploy|libs)/[\w/.-]+?\.md)(#[\w-]+)?")


def shown_meaning(comment: str, base: str) -> str:
    """A comment as Markdown: ``code`` as `code`, paths of documents as links from ``base``."""
    text = comment.replace("``", "`").replace("|", "\\|")

    def link(match: re.Match[str]) -> str:
        path, anchor = match.group(1), match.group(2) or ""
        target = Path(path).relative_to(base) if path.startswith(f"{base}/") else None
        relative = str(target) if target else "../" * len(Path(base).parts) + path
        return f"[{path}{anchor}]({relative}{anchor})"

    return DOC_PATH.sub(link, text)


def settings_table(settings: list[Setting], base: str) -> str:
    rows = ["| variable | type | default | meaning |", "|---|---|---|---|"]
    groups: dict[int, list[Setting]] = {}
    for setting in settings:
        groups.setdefault(setting.group, []).append(setting)
    for members in groups.values():
        variables = ", ".join(f"`{s.variable}`" for s in members)
        types = sorted({s.type for s in members}, key=[s.type for s in members].index)
        defaults = ", ".join(shown_default(s.default) for s in members)
        meaning = shown_meaning(members[0].meaning, base) or "—"
        rows.append(f"| {variables} | {', '.join(types)} | {defaults} | {meaning} |")
    return "\n".join(rows) + "\n"


def service_settings(service: str) -> type[msgspec.Struct]:
    module = importlib.import_module(f"imas_{service}.settings")
    (cls,) = [
        c
        for c in vars(module).values()
        if inspect.isclass(c) and issubclass(c, RuntimeSettings) and c is not RuntimeSettings
    ]
    return cls


def undocumented_settings() -> list[str]:
    """Variables with no comment to say what they are for (their row says —)."""
    tables = [settings_of(RuntimeSettings, "IMAS_", False)] + [
        settings_of(service_settings(s), f"{s.upper()}_", True) for s in SERVICES
    ]
    return [s.variable for table in tables for s in table if not s.meaning]


# -- what a service owns, publishes, consumes and serves ---------------------------------------


class _Anything:
    """Stands for a service's use cases when its handler tables are listed, not run."""

    def __getattr__(self, name: str) -> _Anything:
        return _Anything()

    def __call__(self, *args: object, **kwargs: object) -> _Anything:
        return _Anything()


def handler_table(service: str, name: str) -> list[Any]:
    """``consumers`` or ``endpoints`` of ``imas_<service>.handlers``, built on stand-ins."""
    try:
        module = importlib.import_module(f"imas_{service}.handlers")
    except ModuleNotFoundError:
        return []
    make = getattr(module, name, None)
    if make is None:
        return []
    wanted = [p for p in inspect.signature(make).parameters.values() if p.default is p.empty]
    return list(make(*(_Anything() for _ in wanted)))


def owned_tables(service: str) -> list[str]:
    module = importlib.import_module(f"imas_{service}.models")
    tables: set[str] = set()
    for value in vars(module).values():
        if isinstance(value, MetaData):
            tables.update(value.tables)
    return sorted(tables)


def subjects(types: list[type[Message]] | tuple[type[Message], ...]) -> str:
    return ", ".join(f"`{t.type_name()}`" for t in types)


def owns(service: str) -> str:
    tables = ", ".join(f"`{t}`" for t in owned_tables(service))
    return f"The database `imas_{service}` (`{service.upper()}_DATABASE`), its tables: {tables}.\n"


def consumes(service: str) -> str:
    specs = handler_table(service, "consumers")
    if not specs:
        return "None in `handlers.py`.\n"
    return "".join(f"- `{spec.durable}`: {subjects(list(spec.event_types))}\n" for spec in specs)


def serves(service: str) -> str:
    endpoints = handler_table(service, "endpoints")
    if not endpoints:
        return "None in `handlers.py`.\n"
    # Grouped by noun: ``incidents.comments.add.v1`` goes with the other ``incidents.comments``.
    groups: dict[str, list[type[Message]]] = {}
    for endpoint in endpoints:
        groups.setdefault(endpoint.subject.rsplit(".", 2)[0], []).append(endpoint.request_type)
    return "".join(f"- {subjects(types)}\n" for _, types in sorted(groups.items()))


# -- benchmark results --------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 10 else f"{value:,.0f} ms"


def count(value: float) -> str:
    return f"{value:,.0f}"


def latencies(summary: dict[str, Any], *keys: str) -> str:
    return ", ".join(f"{k} {ms(summary[f'{k}_ms'])}" for k in keys)


def server_errors(statuses: dict[str, int]) -> int:
    return sum(n for status, n in statuses.items() if status.isdigit() and int(status) >= 500)


def ingest_rates(r: dict[str, Any]) -> str:
    return "; ".join(
        f"{count(row['rate_per_s'])}/s offered: {count(row['accepted_per_s'])}/s accepted,"
        f" {row['5xx']} 5xx, {row['lost']} lost"
        + (
            f", {count(row['errors'])} answers later than the client's 30 s"
            if row["errors"]
            else ""
        )
        + f", {row['cpu_cores']} cores"
        for row in r["rows"]
    )


def ingest_http(r: dict[str, Any]) -> str:
    row = r["rows"][1]
    return (
        f"{count(row['accepted_per_s'])}/s accepted, processed at {count(row['alerts_per_s'])}/s,"
        f" {server_errors(row.get('statuses', {}))} 5xx"
    )


def ingest_alone(r: dict[str, Any]) -> str:
    return f"{count(r['rows'][0]['alerts_per_s'])}/s"


def open_or_attach(r: dict[str, Any]) -> str:
    return "; ".join(
        f"{row['concurrency']} caller{'s' if row['concurrency'] > 1 else ''}"
        f"{'' if row['duplicates'] == '90%' else ', no duplicates'}:"
        f" {count(row['per_second'])}/s, p99 {ms(row['p99_ms'])}"
        for row in r["rows"]
    )


def answer_to_page(r: dict[str, Any]) -> str:
    return (
        f"{latencies(r['answer_to_page'], 'p50', 'p90', 'p99', 'max')}"
        f" ({count(r['pages_sent'])} pages of {count(r['incidents_answered'])})"
    )


def offered_to_page(r: dict[str, Any]) -> str:
    statuses = ", ".join(f"{n:,} {status}" for status, n in sorted(r["statuses"].items()))
    return f"{count(r['rate_per_s'])}/s offered ({statuses}): {answer_to_page(r)}"


def api_to_page(r: dict[str, Any]) -> str:
    return (
        f"{latencies(r['answer_to_page'], 'p50', 'p99')}; the synchronous POST itself"
        f" {latencies(r['post_latency'], 'p50', 'p99')}"
    )


def notifier(r: dict[str, Any]) -> str:
    steady, burst = r["steady"], r["burst_phase"]
    return (
        f"steady {r['steady_rate_per_s']}/s: {steady['pages_per_s']} pages/s,"
        f" {latencies(steady, 'p50', 'p99')}, {steady['cpu_ms_per_page']} ms CPU per page;"
        f" {count(r['burst'])} burst at {burst['pages_per_s']} pages/s"
    )


def storm(r: dict[str, Any]) -> str:
    return (
        f"{r['incidents_created']} incident, {r['pages']} page,"
        f" count {count(r['final_alert_count'])}, drained {r['drain_after_last_post_s']} s"
        f" after the last POST (accepted at {count(r['accepted_per_s'])}/s)"
    )


def lateness(r: dict[str, Any]) -> str:
    return "; ".join(
        (
            "quiet"
            if row["ingest_load"] == "none"
            else f"under {row['ingest_load']} through the mesh"
        )
        + f": {latencies(row, 'p50', 'p99', 'max')}"
        for row in r["rows"]
    )


def heartbeat_lateness(r: dict[str, Any]) -> str:
    row = r["rows"][0]
    return (
        f"{latencies(row, 'p50', 'p99', 'max')}; {row['missed']:,} missed of "
        f"{row['heartbeats']:,}, each raised once ({row['raised_twice']} twice)"
    )


def memory(r: dict[str, Any]) -> str:
    idle = [s["idle_mb"] for s in r["services"]]
    loaded = [s["under_load_mb"] for s in r["services"]]
    text = f"{min(idle)}–{max(idle)} MB idle, ≤ {max(loaded)} MB at {r['rate_per_s']} POST/s"  # noqa: RUF001
    flood = [s["sign_in_flood_mb"] for s in r["services"] if s.get("sign_in_flood_mb")]
    if flood:
        text += f", gateway ≤ {max(flood)} MB with {r['sign_in_guesses']} wrong passwords at once"
    return text


def dashboard(r: dict[str, Any]) -> str:
    slowest = max(r["rows"], key=lambda row: row["p95_ms"])
    return (
        f"slowest p95 {ms(slowest['p95_ms'])} ({slowest['page']}) of {len(r['rows'])} pages;"
        f" every page under {r['target_ms']:g} ms:"
        f" {'yes' if all(row['p95_ms'] < r['target_ms'] for row in r['rows']) else 'no'}"
    )


def kpis(r: dict[str, Any]) -> str:
    summary = {row["window"]: row for row in r["rows"] if row["query"] == "summary"}
    slowest = max(r["rows"], key=lambda row: row["p50_ms"])
    return (
        ", ".join(f"{ms(row['p50_ms'])} ({window} window)" for window, row in summary.items())
        + f"; slowest: {slowest['query']} over {slowest['window']}, {ms(slowest['p50_ms'])}"
    )


LOAD_NAMES = {
    "storm": "storm: every alert repeats one problem",
    "new10": "10% new SEV1 problems, 90% one repeated",
    "api": "`POST /api/v1/incidents/`, 10% new SEV1",
}
# DESIGN §7: (what is held to, the target) by load; a ratio to Alertmanager or alerts/s.
LOAD_TARGETS = {"storm": ("ratio", 0.25), "new10": ("ratio", 0.25), "api": ("per_s", 1500)}
NEW_INCIDENT_CPU_MS = 2.0


def _target(load: str, imas: dict[str, Any], ratio: float | None) -> str:
    kind, target = LOAD_TARGETS[load]
    if kind == "ratio":
        held = ratio is not None and ratio >= target
        wanted = f"≥ {target}×"  # noqa: RUF001
        if load == "new10":
            cpu = imas.get("cpu_ms_per_new_incident")
            held = held and cpu is not None and cpu <= NEW_INCIDENT_CPU_MS
            wanted += f", ≤ {NEW_INCIDENT_CPU_MS:g} ms CPU per new incident"
    else:
        held, wanted = imas["per_s"] >= target, f"≥ {count(target)}/s"
    return f"{wanted}: {'met' if held else '**not met**'}"


def comparison_table(results: Path = RESULTS) -> str:
    """IMAS beside Alertmanager by load (bench/alertmanager_compare.py), wrk's figures with the
    project's own client's ratio beside them, and where and when they were measured."""
    r = load_result("alertmanager_compare", results)
    if r is None or "ratios" not in r:
        return "Not measured yet: `uv run python -m bench.alertmanager_compare`.\n"
    rows = [
        "| load (50 connections) | Alertmanager | IMAS | IMAS / Alertmanager, wrk (own client)"
        " | IMAS p50 / p99 | CPU per accepted alert, IMAS (Alertmanager) | CPU per new incident"
        " | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for load, tools in r["imas"].items():
        ours = tools["wrk"]
        theirs = r["alertmanager"].get(load, {}).get("wrk")
        ratio = r["ratios"].get(f"{load}/wrk")
        own = r["ratios"].get(f"{load}/rawhttp")
        new_cpu = ours.get("cpu_ms_per_new_incident")
        am_rate = f"{count(theirs['per_s'])}/s" if theirs else "—"
        am_cpu = f" ({theirs['cpu_ms_per_alert']:.3f} ms)" if theirs else ""
        ratios = "—" if ratio is None else f"{ratio:.2f}×" + (f" ({own:.2f}×)" if own else "")  # noqa: RUF001
        per_new = "—" if new_cpu is None else f"{new_cpu:.1f} ms"
        rows.append(
            f"| {LOAD_NAMES.get(load, load)} | {am_rate} | {count(ours['per_s'])}/s | {ratios}"
            f" | {ms(ours['p50_ms'])} / {ms(ours['p99_ms'])}"
            f" | {ours['cpu_ms_per_alert']:.2f} ms{am_cpu} | {per_new}"
            f" | {_target(load, ours, ratio)} |"
        )
    m = r["machine"]
    load_avg = " / ".join(f"{x:g}" for x in r["load_average_at_start"])
    rows.append("")
    rows.append(
        f"Measured {m['date'][:10]} by `bench/alertmanager_compare.py` ({r['seconds']:g} s a"
        f" load and a tool, Alertmanager first, then IMAS), with Debian's `wrk` and the project's"
        f" own client, on {m['cpus']} cores and {m.get('ram_gib', '?')} GiB, load average"
        f" {load_avg} at the start; {r['alertmanager_version']}."
    )
    return "\n".join(rows) + "\n"


def beside_alertmanager(r: dict[str, Any]) -> str:
    if "ratios" not in r:
        return "see above"
    return "; ".join(
        f"{LOAD_NAMES.get(load, load).split(':')[0]}: IMAS {count(tools['wrk']['per_s'])}/s"
        + (
            f", {r['ratios'][f'{load}/wrk']:.2f}× Alertmanager"  # noqa: RUF001
            if f"{load}/wrk" in r["ratios"]
            else ""
        )
        for load, tools in r["imas"].items()
    )


@dataclass(frozen=True)
class Measure:
    """One row of the performance table: what, the budget, and how a result reads."""

    what: str
    target: str
    command: str
    result: str  # bench/results/<result>.json
    measured: Callable[[dict[str, Any]], str]


MEASURES = (
    Measure(
        "webhooks at rising offered rates, single-alert POSTs, 90% duplicates, 60 s each",
        "≥ 1,000/s for 60 s, zero 5xx, zero lost",
        "ingest_throughput --rates",
        "ingest_rates",
        ingest_rates,
    ),
    Measure(
        "webhooks through the gateway, 50 clients back to back, 10,000 alerts",
        "—",
        "ingest_throughput",
        "ingest_throughput",
        ingest_http,
    ),
    Measure(
        "ingest alone: raw alerts from JetStream to incidents (90% duplicates)",
        "—",
        "ingest_throughput",
        "ingest_throughput",
        ingest_alone,
    ),
    Measure(
        "open-or-attach decisions (incidents alone, 90% duplicates)",
        "—",
        "incidents_open_or_attach",
        "incidents_open_or_attach",
        open_or_attach,
    ),
    Measure(
        "webhook answered (202) → page handed to the provider, 90% duplicates",
        "p50 ≤ 20 ms, p99 ≤ 100 ms at 1,000 alerts/s",
        "e2e_latency --rate 1000",
        "e2e_latency",
        offered_to_page,
    ),
    Measure(
        "the same at 250/s, every alert a new incident (250 new incidents/s)",
        "—",
        "e2e_latency --new-share 1",
        "e2e_latency_all_new",
        answer_to_page,
    ),
    Measure(
        "`POST /api/v1/incidents/` answered (201) → page, 250 alerts/s, 90% duplicates",
        "—",
        "e2e_latency --path api",
        "e2e_latency_api",
        api_to_page,
    ),
    Measure(
        "notifier alone: triggered events → webhook pages",
        "—",
        "notifier_throughput",
        "notifier_throughput",
        notifier,
    ),
    Measure(
        "10,000 identical alerts, 50 clients",
        "1 incident, 1 page, count 10,000, drained ≤ 1 s",
        "storm",
        "storm",
        storm,
    ),
    Measure(
        "escalation step lateness, 10,000 timers in 60 s, 2 replicas",
        "p99 ≤ 250 ms, max ≤ 1 s, also under load",
        "escalation_lateness --load-rate 500",
        "escalation_lateness",
        lateness,
    ),
    Measure(
        "heartbeat lateness, 2,000 deadlines in 30 s (half kept alive by pings), 2 replicas",
        "as escalation's: p99 ≤ 250 ms, max ≤ 1 s",
        "heartbeat_lateness",
        "heartbeat_lateness",
        heartbeat_lateness,
    ),
    Measure(
        "memory per service",
        "≤ 120 MB idle, ≤ 200 MB under load and while 200 wrong passwords are tried at once",
        "memory",
        "memory",
        memory,
    ),
    Measure(
        "dashboard pages with 10,000 incidents",
        "< 200 ms each",
        "dashboard_pages",
        "dashboard_pages",
        dashboard,
    ),
    Measure(
        "KPI summary over 100,000 incidents",
        "fast",
        "kpi_summary",
        "kpi_summary",
        kpis,
    ),
    Measure(
        "beside Prometheus Alertmanager 0.25, 50 connections of wrk (the table above)",
        "storm and 10% new ≥ 0.25×, the API ≥ 1,500/s",  # noqa: RUF001
        "alertmanager_compare",
        "alertmanager_compare",
        beside_alertmanager,
    ),
)


def load_result(name: str, results: Path = RESULTS) -> dict[str, Any] | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def results_table(results: Path = RESULTS) -> str:
    rows = ["| measure | target | measured | benchmark (date) |", "|---|---|---|---|"]
    for measure in MEASURES:
        result = load_result(measure.result, results)
        if result is None:
            measured, date = "not measured yet", "—"
        else:
            measured, date = measure.measured(result), result["machine"]["date"][:10]
        rows.append(
            f"| {measure.what} | {measure.target} | {measured} | `{measure.command}` ({date}) |"
        )
    return "\n".join(rows) + "\n"


# -- the documents ------------------------------------------------------------------------------


def block(name: str, document: Path, root: Path) -> str:
    """The generated text of the part ``name`` in ``document``."""
    base = str(document.parent.relative_to(root))
    if name == "settings":
        return settings_table(settings_of(RuntimeSettings, "IMAS_", False), base)
    kind, _, service = name.partition(" ")
    if kind == "settings" and service:
        prefix = f"{service.upper()}_"
        return settings_table(settings_of(service_settings(service), prefix, True), base)
    if kind == "owns":
        return owns(service)
    if kind == "consumes":
        return consumes(service)
    if kind == "serves":
        return serves(service)
    if name == "results":
        return results_table(root / "bench" / "results")
    if name == "comparison":
        return comparison_table(root / "bench" / "results")
    raise ValueError(f"{document}: no generator for the part {name!r}")


def rendered(document: Path, root: Path = REPO) -> str:
    text = document.read_text()

    def replace(match: re.Match[str]) -> str:
        body = block(match.group("name"), document, root)
        return f"{match.group('open')}{body}{match.group('close')}"

    return BLOCK.sub(replace, text)


def stale(root: Path = REPO) -> Iterator[Path]:
    for document in documents(root):
        if document.is_file() and rendered(document, root) != document.read_text():
            yield document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/docs.py", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when a generated part is stale")
    args = parser.parse_args(argv)
    if args.check:
        outdated = [str(p.relative_to(REPO)) for p in stale()]
        for path in outdated:
            print(f"{path} is stale: run `uv run python tools/docs.py`", file=sys.stderr)
        return 1 if outdated else 0
    for document in documents():
        if document.is_file():
            text = rendered(document)
            if text != document.read_text():
                document.write_text(text)
                print(f"wrote {document.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
