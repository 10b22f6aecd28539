"""IMAS beside Prometheus Alertmanager: the same loads, on the same machine, in one run.

Three loads (DESIGN §7), 50 connections, one alert per POST, ``--seconds`` each:

- ``storm``: every alert repeats one problem (one fingerprint);
- ``new10``: one alert in ten is a new problem (a new fingerprint, ``severity: critical``, so
  a SEV1 in IMAS: pages, escalation run, war room, LID), the others repeat one problem;
- ``api``: IMAS's synchronous ``POST /api/v1/incidents/`` (answered once the incident
  decision is committed), 10% new SEV1 as above. Alertmanager has no such call: this load is
  held against its own target (1,500/s), not a ratio.

IMAS takes them on its Alertmanager webhook (answered 202 once durable in JetStream; the
integration's limit raised so that it never caps the run), Alertmanager on
``POST /api/v2/alerts`` (answered once held in memory; ``group_wait: 0s``, a local receiver).
Each load runs twice on each side: with Debian's ``wrk`` (a Lua script builds the bodies, a
counter making every tenth one new) and with the project's own client
(``imas_testing.rawhttp``), byte for byte the same bodies. Alertmanager runs first, then IMAS:
never both at once.

CPU: the CPU time of every process of the side (for IMAS the six services, NATS, and the
PostgreSQL and Redis they use when embedded, or the PostgreSQL backends of their databases
otherwise; for Alertmanager its process), from the load's start until the work it caused
has settled (for ``new10`` every new incident's orchestration complete: pages sent, war room,
LID), less what the same processes spend idle. CPU per new incident is what the ``new10``
load costs beyond the same number of storm alerts, per new incident.

Debian's packages, installed when missing (as root):

    apt-get update && apt-get install -y wrk prometheus-alertmanager
    uv run python -m bench.alertmanager_compare [--seconds 15] [--loads storm,new10,api]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import msgspec
import psutil

from bench._ingest import create_integration
from bench.common import print_table, running_mesh, summary_ms, write_results
from imas_runtime.db import asyncpg_dsn
from imas_runtime.embedded import free_port
from imas_testing.rawhttp import Client, HttpError

ALERTMANAGER = "prometheus-alertmanager"
WRK = "wrk"
CONNECTIONS = 50
NEW_EVERY = 10
LOADS = ("storm", "new10", "api")
TOOLS = ("wrk", "rawhttp")
KEY = "@KEY@"
# The bodies, one alert each; KEY becomes the problem's key (its fingerprint).
AM_BODY = (
    '[{"labels":{"alertname":"RedisLatency","service":"redis-prod","severity":"critical",'
    f'"key":"{KEY}"}},"annotations":{{"summary":"Redis latency is high"}}}}]'
)
IMAS_WEBHOOK_BODY = (
    '{"version":"4","status":"firing","receiver":"imas","groupKey":"{}:{alertname=\\"Redis\\"}",'
    '"commonLabels":{},"commonAnnotations":{},"alerts":[{"status":"firing","labels":'
    '{"alertname":"RedisLatency","service":"redis-prod","severity":"critical",'
    f'"key":"{KEY}"}},"annotations":{{"summary":"Redis latency is high"}},'
    f'"fingerprint":"{KEY}"}}]}}'
)
IMAS_API_BODY = (
    '{"title":"Redis latency is high","service_name":"redis-prod","severity":"SEV1_CRITICAL",'
    f'"dedup_key":"{KEY}"}}'
)
# The machine tool a fresh box may lack, by Debian package.
PACKAGES = {WRK: "wrk", ALERTMANAGER: "prometheus-alertmanager"}


def key_for(run: str, i: int, new_every: int) -> str:
    """The ``i``-th alert's key (from 1): every ``new_every``-th a new problem, the others one
    repeated problem (``new_every`` 0: a storm, every alert the same)."""
    return f"{run}-new-{i}" if new_every and i % new_every == 0 else f"{run}-dup"


# --- wrk ------------------------------------------------------------------------------------

WRK_SCRIPT = """
-- Written by bench/alertmanager_compare.py: POST one alert per request, every NEW_EVERY-th
-- a new problem, and print the summary as JSON.
local template = [==[@BODY@]==]
local path = [==[@PATH@]==]
local headers = @HEADERS@
local new_every = @NEW_EVERY@
local run = "@RUN@"
local counter = 0
local prefix = run
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  prefix = run .. "-" .. tostring(tid)
end

function request()
  counter = counter + 1
  local key
  if new_every > 0 and counter % new_every == 0 then
    key = prefix .. "-new-" .. counter
  else
    key = run .. "-dup"
  end
  local body = string.gsub(template, "@KEY@", key)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests":%d,"duration_us":%d,"non_2xx":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def wrk_script(body: str, path: str, headers: dict[str, str], new_every: int, run: str) -> str:
    """The Lua script that makes wrk POST ``body`` (its KEY varied as :func:`key_for` does)."""
    table = "{" + ", ".join(
        f"[ {lua_string(k)} ] = {lua_string(v)}"
        for k, v in {"Content-Type": "application/json", **headers}.items()
    )
    return (
        WRK_SCRIPT.replace("@BODY@", body)
        .replace("@PATH@", path)
        .replace("@HEADERS@", table + "}")
        .replace("@NEW_EVERY@", str(new_every))
        .replace("@RUN@", run)
    )


def parse_wrk(output: str) -> dict[str, Any]:
    """The JSON line the script's ``done`` prints, as accepted/s and latencies in ms."""
    match = re.search(r"^WRK-JSON (\{.*\})$", output, re.M)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    raw = json.loads(match.group(1))
    seconds = raw["duration_us"] / 1e6
    accepted = raw["requests"] - raw["non_2xx"]
    return {
        "requests": raw["requests"],
        "accepted": accepted,
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        "seconds": round(seconds, 2),
        "per_s": round(accepted / seconds) if seconds else 0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
    }


async def run_wrk(
    url: str, headers: dict[str, str], body: str, new_every: int, run: str, seconds: float
) -> dict[str, Any]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="imas-bench-") as script:
        script.write(wrk_script(body, path, headers, new_every, run))
        script.flush()
        proc = await asyncio.create_subprocess_exec(
            WRK,
            f"-t{min(2, os.cpu_count() or 1)}",
            f"-c{CONNECTIONS}",
            f"-d{seconds:g}s",
            "--timeout=30s",
            "-s",
            script.name,
            f"{parts.scheme}://{parts.netloc}/",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
    return parse_wrk(out.decode())


# --- the project's own client ---------------------------------------------------------------


async def run_rawhttp(
    url: str, headers: dict[str, str], body: str, new_every: int, run: str, seconds: float
) -> dict[str, Any]:
    """``CONNECTIONS`` closed-loop clients for ``seconds``: accepted (2xx) per second."""
    counts = {"requests": 0, "accepted": 0, "non_2xx": 0, "socket_errors": 0}
    latencies: list[float] = []
    counter = iter(range(1, 10**9))
    client = Client(url, headers, max_connections=CONNECTIONS)
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < stop:
            raw = msgspec.Raw(body.replace(KEY, key_for(run, next(counter), new_every)).encode())
            started = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(client.post(raw), 30)
            except (HttpError, TimeoutError):
                counts["socket_errors"] += 1
                continue
            latencies.append(time.perf_counter() - started)
            counts["requests"] += 1
            counts["accepted" if 200 <= status < 300 else "non_2xx"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    client.close()
    spread = summary_ms(latencies)
    return {
        **counts,
        "seconds": round(elapsed, 2),
        "per_s": round(counts["accepted"] / elapsed),
        **{k: spread[k] for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")},
    }


TOOL_RUNNERS = {"wrk": run_wrk, "rawhttp": run_rawhttp}


# --- CPU ------------------------------------------------------------------------------------


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the processes still there."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


@dataclass
class CpuMeter:
    """The CPU time of a side's processes, found again at each reading (PostgreSQL starts a
    backend per connection)."""

    find: Callable[[], list[int]]
    idle_cores: float = 0.0
    started: float = 0.0

    def read(self) -> float:
        return cpu_seconds(self.find())

    async def measure_idle(self, seconds: float = 3.0) -> None:
        before, started = self.read(), time.perf_counter()
        await asyncio.sleep(seconds)
        self.idle_cores = (self.read() - before) / (time.perf_counter() - started)

    async def settle(
        self,
        since: float,
        done: Callable[[], Awaitable[bool]] | None = None,
        timeout: float = 180,
    ) -> float:
        """Wait for ``done()`` (when given) and for the processes to be back to idle; the CPU
        seconds spent since the reading ``since`` (of :meth:`start`) above idle."""
        deadline = time.monotonic() + timeout
        while done is not None and time.monotonic() < deadline:
            if await done():
                break
            await asyncio.sleep(0.5)
        quiet = 0
        last, at = self.read(), time.perf_counter()
        while quiet < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            now, now_at = self.read(), time.perf_counter()
            rate = (now - last) / (now_at - at)
            quiet = quiet + 1 if rate < self.idle_cores + 0.05 else 0
            last, at = now, now_at
        spent = self.read() - since
        return max(spent - self.idle_cores * (time.perf_counter() - self.started), 0.0)

    def start(self) -> float:
        self.started = time.perf_counter()
        return self.read()


def mesh_pids(databases: Sequence[str]) -> list[int]:
    """Every process this benchmark started but wrk (services, NATS, embedded PostgreSQL and
    Redis), and the backends of a machine's PostgreSQL serving the mesh's databases."""
    pids = set()
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if child.name() != WRK:
                pids.add(child.pid)
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or ())
        if cmdline.startswith("postgres:") and any(db in cmdline for db in databases):
            pids.add(proc.pid)
    return sorted(pids)


# --- Alertmanager ---------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    """Alertmanager's webhook receiver: takes the notifications, counts them."""

    received = [0]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.received[0] += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def receiver() -> Iterator[str]:
    handler = type("Receiver", (_Receiver,), {"received": [0]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextlib.contextmanager
def alertmanager(binary: str, webhook: str) -> Iterator[tuple[str, int]]:
    with tempfile.TemporaryDirectory(prefix="imas-bench-am-") as tmp:
        root = Path(tmp)
        config = root / "alertmanager.yml"
        config.write_text(
            json.dumps(  # YAML is a superset of JSON
                {
                    "route": {
                        "receiver": "bench",
                        "group_by": ["..."],
                        "group_wait": "0s",
                        "group_interval": "5m",
                        "repeat_interval": "4h",
                    },
                    "receivers": [
                        {
                            "name": "bench",
                            "webhook_configs": [{"url": webhook, "send_resolved": False}],
                        }
                    ],
                }
            )
        )
        port = free_port()
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={root / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=(root / "am.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"alertmanager did not start:\n{(root / 'am.log').read_text()}"
                    )
                time.sleep(0.1)
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(10)


async def run_alertmanager(
    binary: str, loads: Sequence[str], seconds: float
) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    with receiver() as webhook, alertmanager(binary, webhook) as (url, pid):
        meter = CpuMeter(lambda: [pid])
        await meter.measure_idle()
        for load in loads:
            if load == "api":
                continue
            new_every = NEW_EVERY if load == "new10" else 0
            for tool in TOOLS:
                run = uuid.uuid4().hex[:8]
                since = meter.start()
                outcome = await TOOL_RUNNERS[tool](
                    f"{url}/api/v2/alerts", {}, AM_BODY, new_every, run, seconds
                )
                cpu = await meter.settle(since)
                outcome["cpu_ms_per_alert"] = _per(cpu, outcome["accepted"])
                results.setdefault(load, {})[tool] = outcome
                print(f"  alertmanager {load} {tool}: {outcome}", flush=True)
    return results


# --- IMAS -----------------------------------------------------------------------------------


async def _count(url: str, query: str, *args: Any) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return int(await conn.fetchval(query, *args))
    finally:
        await conn.close()


async def run_imas(loads: Sequence[str], seconds: float) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    # Admin tokens' own limit (2,000 calls a second) would cap the synchronous API's run.
    async with running_mesh(extra_env={"GATEWAY_SERVICE_RATE_LIMIT": "1000000"}) as mesh:
        # Its own limit raised, so that it never caps the run.
        integration = await create_integration(
            mesh, "alertmanager", "redis-prod", rate_limit=1_000_000, rate_burst=10_000_000
        )
        query = integration["webhook_url"].split("?", 1)[1]
        webhook = f"{mesh.gateway}/api/v1/webhooks/alertmanager/?{query}"
        incidents_db = mesh.databases["incidents"]
        meter = CpuMeter(lambda: mesh_pids(list(mesh.databases.values())))
        await asyncio.sleep(3)  # start-up work settled
        await meter.measure_idle()
        for load in loads:
            new_every = 0 if load == "storm" else NEW_EVERY
            url, headers, body = (
                (f"{mesh.gateway}/api/v1/incidents/", mesh.auth, IMAS_API_BODY)
                if load == "api"
                else (webhook, {}, IMAS_WEBHOOK_BODY)
            )
            for tool in TOOLS:
                outcome = await _imas_once(
                    meter, incidents_db, tool, (url, headers, body), new_every, seconds
                )
                results.setdefault(load, {})[tool] = outcome
                print(f"  imas {load} {tool}: {outcome}", flush=True)
    for tool in TOOLS:
        # What a new incident costs beyond a repeated alert's intake.
        new10, storm = results.get("new10", {}).get(tool), results.get("storm", {}).get(tool)
        if new10 and storm and new10["new_incidents"]:
            extra = new10["cpu_s"] - new10["accepted"] * storm["cpu_ms_per_alert"] / 1000
            new10["cpu_ms_per_new_incident"] = round(extra / new10["new_incidents"] * 1000, 2)
    return results


async def _imas_once(
    meter: CpuMeter,
    incidents_db: str,
    tool: str,
    target: tuple[str, dict[str, str], str],
    new_every: int,
    seconds: float,
) -> dict[str, Any]:
    """One load with one tool; its CPU counted until every incident it opened is orchestrated
    and the mesh is back to idle."""
    url, headers, body = target
    incidents_before = await _count(incidents_db, "SELECT count(*) FROM incidents")
    since = meter.start()
    outcome = await TOOL_RUNNERS[tool](url, headers, body, new_every, uuid.uuid4().hex[:8], seconds)
    # One incident for the repeated problem, one per new one (give or take the last of each
    # wrk thread's, answered after the run's end).
    expected = outcome["accepted"] // new_every - 2 if new_every else 1
    created = 0

    async def orchestrated() -> bool:
        nonlocal created
        created = await _count(
            incidents_db, "SELECT count(*) - $1 FROM incidents", incidents_before
        )
        unsettled = await _count(
            incidents_db, "SELECT count(*) FROM orchestrations WHERE completed_at IS NULL"
        )
        return unsettled == 0 and created >= expected

    drained_at = time.perf_counter()
    cpu = await meter.settle(since, orchestrated)
    outcome["settled_s"] = round(time.perf_counter() - drained_at, 2)
    outcome["new_incidents"] = created
    outcome["cpu_s"] = round(cpu, 2)
    outcome["cpu_ms_per_alert"] = _per(cpu, outcome["accepted"])
    return outcome


def _per(cpu_seconds: float, count: int) -> float:
    return round(cpu_seconds * 1000 / count, 3) if count else 0.0


# --- the run --------------------------------------------------------------------------------


def ratios(imas: dict[str, dict[str, Any]], am: dict[str, dict[str, Any]]) -> dict[str, float]:
    """IMAS's accepted/s over Alertmanager's, by ``<load>/<tool>``."""
    found = {}
    for load, tools in imas.items():
        for tool, outcome in tools.items():
            theirs = am.get(load, {}).get(tool)
            if theirs and theirs["per_s"]:
                found[f"{load}/{tool}"] = round(outcome["per_s"] / theirs["per_s"], 3)
    return found


def table(
    imas: dict[str, dict[str, Any]], am: dict[str, dict[str, Any]], found: dict[str, float]
) -> list[dict[str, Any]]:
    rows = []
    for load, tools in imas.items():
        for tool, ours in tools.items():
            theirs = am.get(load, {}).get(tool, {})
            rows.append(
                {
                    "load": load,
                    "tool": tool,
                    "Alertmanager /s": theirs.get("per_s", "-"),
                    "IMAS /s": ours["per_s"],
                    "ratio": found.get(f"{load}/{tool}", "-"),
                    "IMAS p50/p99 ms": f"{ours['p50_ms']}/{ours['p99_ms']}",
                    "AM p50/p99 ms": (f"{theirs['p50_ms']}/{theirs['p99_ms']}" if theirs else "-"),
                    "IMAS non-2xx": ours["non_2xx"] + ours["socket_errors"],
                    "IMAS CPU ms/alert": ours["cpu_ms_per_alert"],
                    "AM CPU ms/alert": theirs.get("cpu_ms_per_alert", "-"),
                    "CPU ms/new incident": ours.get("cpu_ms_per_new_incident", "-"),
                }
            )
    return rows


def ensure_installed(command: str) -> str:
    """The path of ``command``, installing its Debian package first when it is missing."""
    found = shutil.which(command) or (command == ALERTMANAGER and shutil.which("alertmanager"))
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"{command} not found: apt-get install -y {PACKAGES[command]}")
    print(f"installing {PACKAGES[command]} (apt-get)", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", PACKAGES[command]], check=True)
    return shutil.which(command) or command


async def main(loads: Sequence[str], seconds: float) -> int:
    binary = ensure_installed(ALERTMANAGER)
    ensure_installed(WRK)
    load_at_start = os.getloadavg()
    print(f"load average at start: {load_at_start}", flush=True)
    am = await run_alertmanager(binary, loads, seconds)
    imas = await run_imas(loads, seconds)
    found = ratios(imas, am)
    rows = table(imas, am, found)
    print_table(
        f"IMAS / Alertmanager, {CONNECTIONS} connections, {seconds:g} s a load and a tool",
        rows,
    )
    version = await asyncio.to_thread(
        subprocess.run, [binary, "--version"], capture_output=True, text=True, check=False
    )
    write_results(
        "alertmanager_compare",
        {
            "load_average_at_start": [round(x, 2) for x in load_at_start],
            "seconds": seconds,
            "connections": CONNECTIONS,
            "alertmanager_version": (version.stdout or version.stderr).splitlines()[0],
            "ratios": found,
            "imas": imas,
            "alertmanager": am,
            "table": rows,
        },
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--loads", default=",".join(LOADS))
    args = parser.parse_args()
    chosen = [x for x in args.loads.split(",") if x]
    if unknown := set(chosen) - set(LOADS):
        parser.error(f"unknown loads {sorted(unknown)}; known: {', '.join(LOADS)}")
    sys.exit(asyncio.run(main(chosen, args.seconds)))
