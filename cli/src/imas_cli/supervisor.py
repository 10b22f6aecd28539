"""`imas run`: start the servers and the six services, keep them up, stop them all cleanly.

Two processes are involved. The one started from the terminal only relays: it starts a
supervisor in its own session and turns Ctrl-C, SIGTERM or SIGHUP into one SIGTERM for it. The
supervisor starts NATS, PostgreSQL and Redis, then every service in a process group of its own,
so a Ctrl-C typed in the terminal reaches none of them directly and shutdown happens in order:
services first, then the servers they depend on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any, TextIO

import httpx

from imas_cli.demo import load_demo, loaded_line
from imas_cli.launcher import (
    NATS_URL_FILE,
    SERVICES,
    SUPERVISED_ENV,
    MeshConfig,
    Stack,
    curl_example,
    ensure_admin_password,
    ensure_admin_token,
    service_env,
    service_ports,
)
from imas_cli.service_logs import LOG_DIR, open_log, terminal_line

READY_DEADLINE = 90.0
DEMO_DEADLINE = 60.0
STOP_GRACE = 15.0
TAIL_LINES = 40
# Restart backoff: 1 s, doubling up to 30 s; back to 1 s once a process has run for a minute.
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0
_STREAM_LIMIT = 1 << 20

_COLOURS = {
    "gateway": "36",
    "ingest": "32",
    "incidents": "33",
    "notifier": "35",
    "escalation": "34",
    "warroom": "96",
    "imas": "1",
}
_WIDTH = max(len(name) for name in (*SERVICES, "imas")) + 2


class Output:
    """Writes prefixed lines, coloured per service when the output is a terminal."""

    def __init__(self, stream: TextIO | None = None, *, colour: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        if colour is None:
            colour = self.stream.isatty() and not os.environ.get("NO_COLOR")
        self.colour = colour

    def prefix(self, name: str) -> str:
        label = f"[{name}]".ljust(_WIDTH)
        if self.colour:
            return f"\x1b[{_COLOURS.get(name, '0')}m{label}\x1b[0m"
        return label

    def line(self, name: str, text: str) -> None:
        # A closed reader (`imas run | head`) must not stop the services' output being drained.
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.stream.write(f"{self.prefix(name)} {text}\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        self.line("imas", text)


# -- the relaying process --------------------------------------------------------------------------


def relay(argv: list[str]) -> int:
    """Run ``imas <argv>`` as a supervisor in a new session; forward stop signals as SIGTERM."""
    env = {**os.environ, SUPERVISED_ENV: "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "imas_cli", *argv],
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )

    def forward(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    code = proc.wait()
    return 128 - code if code < 0 else code


# -- the supervisor -------------------------------------------------------------------------


def describe_exit(code: int | None) -> str:
    """``exited with code 3``, ``was killed by SIGKILL``."""
    if code is None:
        return "could not be started"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


class StartupFailed(Exception):
    """A service exited, or did not become ready, before the mesh was up."""


@dataclass
class Child:
    """One service process and what is known of it across restarts."""

    name: str
    port: int
    env: dict[str, str]
    proc: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    restarts: int = 0
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    pump: asyncio.Task[None] | None = None
    # Everything the service prints (see imas_cli.service_logs).
    log: IO[str] | None = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None


def _signal_group(pid: int, sig: int) -> bool:
    """Send ``sig`` to the process group led by ``pid``; false when the group is gone."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _group_alive(pid: int) -> bool:
    return _signal_group(pid, 0)


class Supervisor:
    """Starts the stack and the services, restarts crashed services, stops everything."""

    def __init__(
        self,
        state_dir: Path,
        port: int,
        *,
        env: dict[str, str] | None = None,
        out: Output | None = None,
        services: tuple[str, ...] = SERVICES,
        load_demo_data: bool = True,
    ) -> None:
        self.state_dir = state_dir.resolve()
        self.port = port
        self.env = dict(os.environ if env is None else env)
        self.out = out or Output()
        self.services = services
        self.load_demo_data = load_demo_data
        self.children: dict[str, Child] = {}
        self.stopping = False
        self.started = False
        self._stop = asyncio.Event()
        self._failed: asyncio.Future[Child] | None = None
        self._keepers: list[asyncio.Task[None]] = []
        self._parent = os.getppid()

    # -- entry point -----------------------------------------------------------------------------

    def run(self) -> int:
        """Start, serve until asked to stop, stop. The process exit code."""
        stack = Stack(self.state_dir)
        previous = _raise_on_termination()
        try:
            # Private: it holds the admin token, and PostgreSQL keeps its runtime files there.
            self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.state_dir.chmod(0o700)
            token, token_file = ensure_admin_token(self.state_dir, self.env)
            password, _ = ensure_admin_password(self.state_dir, self.env)
            self.out.say(
                f"starting; state in {self.state_dir}, logs in {self.state_dir / LOG_DIR}/"
            )
            try:
                stack.start(self.env)
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                self.out.say(f"could not start the servers: {exc}")
                return 1
            if stack.embedded:
                self.out.say(f"embedded {', '.join(stack.embedded)} started")
            if "nats" in stack.embedded:
                (self.state_dir / NATS_URL_FILE).write_text(stack.nats_url + "\n")
            config = MeshConfig(
                nats_url=stack.nats_url,
                database_url=stack.database_url,
                redis_url=stack.redis_url,
                admin_token=token,
                admin_password=password,
                gateway_port=self.port,
                # JSON in the files: one event per line, which the terminal lines are read from.
                log_format=self.env.get("IMAS_LOG_FORMAT", "").strip() or "json",
            )
            return asyncio.run(self._serve(config, token_file))
        except KeyboardInterrupt:
            self.out.say("interrupted while starting")
            return 0
        finally:
            # Already stopping: further stop requests must not cut the clean-up short.
            _ignore_stop_signals()
            with contextlib.suppress(FileNotFoundError):
                (self.state_dir / NATS_URL_FILE).unlink()
            if stack.embedded:
                self.out.say("stopping the embedded servers")
            for error in stack.stop():
                self.out.say(f"while stopping: {error}")
            _restore(previous)

    async def _serve(self, config: MeshConfig, token_file: Path | None) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self._request_stop, sig)
        watcher = asyncio.create_task(self._watch_parent())
        self._failed = loop.create_future()
        ports = service_ports(self.port)
        for name in self.services:
            self.children[name] = Child(
                name,
                ports[name],
                service_env(name, config, self.env),
                log=open_log(self.state_dir, name),
            )
        try:
            try:
                await self._start_all()
            except StartupFailed as exc:
                self.out.say(str(exc))
                return 1
            if self._stop.is_set():
                return 0
            self.started = True
            if self.load_demo_data:
                await self._load_demo(config.nats_url)
            if not self._stop.is_set():
                self._banner(config, token_file)
            await self._stop.wait()
            return 0
        finally:
            watcher.cancel()
            await self._stop_all()
            for child in self.children.values():
                if child.log is not None:
                    child.log.close()

    def _request_stop(self, sig: signal.Signals) -> None:
        if not self._stop.is_set():
            self.out.say(f"received {sig.name}, stopping")
        self._stop.set()

    async def _watch_parent(self) -> None:
        """Stop when the relaying process is gone (killed without a chance to forward)."""
        if self.env.get(SUPERVISED_ENV) != "1":
            return
        while True:
            if os.getppid() != self._parent:
                self.out.say("the launching process is gone, stopping")
                self._stop.set()
                return
            await asyncio.sleep(1.0)

    # -- starting ----------------------------------------------------------------------------------

    async def _start_all(self) -> None:
        for child in self.children.values():
            self._keepers.append(asyncio.create_task(self._keep(child)))
        assert self._failed is not None
        ready = asyncio.create_task(self._wait_ready())
        stop = asyncio.create_task(self._stop.wait())
        waiters: list[asyncio.Future[Any]] = [ready, stop, self._failed]
        done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        stop.cancel()
        if self._failed in done:
            child = self._failed.result()
            how = describe_exit(child.proc.returncode if child.proc else None)
            lines = "\n".join(f"    {line}" for line in child.tail) or "    (no output)"
            raise StartupFailed(
                f"{child.name} {how} while starting; its last lines "
                f"({self.state_dir / LOG_DIR / child.name}.log):\n{lines}"
            )
        if ready in done and (error := ready.exception()) is not None:
            raise StartupFailed(str(error))
        if ready in done:
            self.out.say(f"{len(self.children)} services ready")

    async def _wait_ready(self) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + READY_DEADLINE
        pending = {name: child.port for name, child in self.children.items()}
        last: dict[str, str] = {}
        async with httpx.AsyncClient(timeout=2.0) as client:
            while pending:
                if loop.time() > until:
                    details = ", ".join(
                        f"{name} ({last.get(name, 'no answer')})" for name in sorted(pending)
                    )
                    raise StartupFailed(
                        f"not ready after {READY_DEADLINE:.0f}s: {details}; see the lines above"
                    )
                for name, port in list(pending.items()):
                    try:
                        response = await client.get(f"http://127.0.0.1:{port}/readyz")
                    except httpx.HTTPError as exc:
                        last[name] = type(exc).__name__
                        continue
                    if response.status_code == 200:
                        del pending[name]
                    else:
                        last[name] = f"HTTP {response.status_code}"
                await asyncio.sleep(0.5)

    async def _load_demo(self, nats_url: str) -> None:
        self.out.say("loading the demo")
        demo = asyncio.create_task(load_demo(nats_url, deadline=DEMO_DEADLINE))
        stop = asyncio.create_task(self._stop.wait())
        await asyncio.wait({demo, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not demo.done():
            demo.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await demo
            return
        if (error := demo.exception()) is not None:
            self.out.say(f"demo not loaded: {error}")
            return
        self.out.say(loaded_line(demo.result()))

    def _banner(self, config: MeshConfig, token_file: Path | None) -> None:
        where = f" (saved in {token_file})" if token_file else " (from IMAS_BOOTSTRAP_ADMIN_TOKEN)"
        lines = [
            "",
            "IMAS is running.",
            f"  Dashboard and API: {config.public_url}",
            f"  API docs:          {config.public_url}/api/docs/",
            f"  Admin token:       {config.admin_token}{where}",
            f"  Dashboard login:   admin / {config.admin_password}",
            f"  Logs:              {self.state_dir / LOG_DIR}/<service>.log (JSON, one event "
            "per line); warnings and errors are shown here too",
            f"  Metrics:           http://localhost:{self.port + 1000}/metrics (the gateway's; "
            "each service's on its port + 1000)",
            "",
            "  Open an incident:",
            f"    {curl_example(self.port, config.admin_token)}",
            "",
        ]
        if self.load_demo_data:
            lines += [
                "  Pages and war rooms are printed here, by the demo's choice: the `log`",
                "  provider (/api/v1/notification-providers/) and WARROOM_CHAT=log.",
                "",
            ]
        lines += [
            "  Press Ctrl-C to stop.",
            "",
        ]
        for line in lines:
            self.out.say(line)

    # -- one service, restarted when it crashes ----------------------------------------------------

    async def _spawn(self, child: Child) -> None:
        child.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"imas_{child.name}",
            env=child.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            limit=_STREAM_LIMIT,
        )
        child.started_at = time.monotonic()
        assert child.proc.stdout is not None
        child.pump = asyncio.create_task(self._pump(child, child.proc.stdout))

    async def _pump(self, child: Child, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than the limit: its start was dropped
                continue
            if not raw:
                return
            text = raw.decode(errors="replace").rstrip("\r\n")
            child.tail.append(text)
            if child.log is not None:
                with contextlib.suppress(OSError, ValueError):
                    child.log.write(text + "\n")
                    child.log.flush()
            shown = terminal_line(text)
            if shown is not None:
                self.out.line(child.name, shown)

    async def _keep(self, child: Child) -> None:
        backoff = BACKOFF_FIRST
        while not self.stopping:
            try:
                await self._spawn(child)
            except OSError as exc:
                child.tail.append(f"could not start: {exc}")
                if not self.started:
                    self._fail(child)
                    return
                self.out.say(f"{child.name} could not start: {exc}")
            else:
                assert child.proc is not None
                if self._stopping():  # asked to stop while it was being started
                    _signal_group(child.proc.pid, signal.SIGTERM)
                code = await child.proc.wait()
                if child.pump is not None:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(asyncio.shield(child.pump), 2.0)
                if self._stopping():
                    return
                if not self.started:
                    self._fail(child)
                    return
                if time.monotonic() - child.started_at >= STABLE_AFTER:
                    backoff = BACKOFF_FIRST
                self.out.say(
                    f"{child.name} {describe_exit(code)}; restarting in {backoff:.0f}s "
                    f"(its log: {self.state_dir / LOG_DIR / child.name}.log)"
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), backoff)
            if self._stopping():
                return
            backoff = min(backoff * 2, BACKOFF_MAX)
            child.restarts += 1
            self.out.say(f"restarting {child.name} (restart #{child.restarts})")

    def _stopping(self) -> bool:
        """Whether a stop was asked for (re-read after every await)."""
        return self.stopping or self._stop.is_set()

    def _fail(self, child: Child) -> None:
        if self._failed is not None and not self._failed.done():
            self._failed.set_result(child)

    # -- stopping --------------------------------------------------------------------------------

    async def _stop_all(self) -> None:
        """SIGTERM every service's group, wait up to the grace period, SIGKILL what is left."""
        self.stopping = True
        self._stop.set()
        if any(c.running for c in self.children.values()):
            self.out.say("stopping the services")
        for proc in self._spawned():
            _signal_group(proc.pid, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        until = loop.time() + STOP_GRACE
        while loop.time() < until:
            if not any(self._alive(c) for c in self.children.values()):
                break
            await asyncio.sleep(0.1)
        for child in self.children.values():
            if self._alive(child):
                self.out.say(f"{child.name} did not stop within {STOP_GRACE:.0f}s, killing it")
                assert child.proc is not None
                _signal_group(child.proc.pid, signal.SIGKILL)
        for proc in self._spawned():
            await proc.wait()
        for task in self._keepers:
            task.cancel()
        pumps = [c.pump for c in self.children.values() if c.pump is not None]
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*self._keepers, *pumps, return_exceptions=True), 5.0
            )

    def _spawned(self) -> list[asyncio.subprocess.Process]:
        return [c.proc for c in self.children.values() if c.proc is not None]

    @staticmethod
    def _alive(child: Child) -> bool:
        """True while the service or anything left in its process group still runs."""
        return child.proc is not None and (child.running or _group_alive(child.proc.pid))


def _raise_on_termination() -> dict[int, Callable[[int, FrameType | None], object] | int | None]:
    """Until the event loop takes over, turn SIGTERM and SIGHUP into KeyboardInterrupt."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, interrupt)
    return previous


def _ignore_stop_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def _restore(previous: dict[int, Callable[[int, FrameType | None], object] | int | None]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
