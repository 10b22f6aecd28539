"""Where `imas run` puts what the services print: everything in a file per service, and on the
terminal only what a person running the demo wants to see.

Services log JSON (one event per line) into ``<state dir>/logs/<service>.log``. The terminal
gets warnings and errors, and the pages and war rooms the demo prints instead of sending
(the ``log`` provider, ``WARROOM_CHAT=log``), each on one short line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

LOG_DIR = "logs"
# Events of level info still worth a line on the terminal: what the demo does instead of
# paging people or opening a chat room.
SHOWN_EVENTS = frozenset({"page sent", "war room opened"})
SHOWN_LEVELS = frozenset({"warning", "error", "critical", "exception"})
# Fields a terminal line leaves out: the file has them.
_HIDDEN = frozenset({"event", "level", "timestamp", "service", "trace_id", "span_id", "logger"})
_LINE_LIMIT = 400


def log_path(state_dir: Path, service: str) -> Path:
    return state_dir / LOG_DIR / f"{service}.log"


def open_log(state_dir: Path, service: str) -> IO[str]:
    """The service's log file, appended to (a restart continues it), owner-only."""
    path = log_path(state_dir, service)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = path.open("a", encoding="utf-8")
    path.chmod(0o600)
    return handle


def terminal_line(line: str) -> str | None:
    """What the terminal shows of one line of a service's output, or None.

    A JSON event is shown when it is a warning or worse, or one of :data:`SHOWN_EVENTS`,
    as ``level event key=value ...``. Anything else (lines in another format, when
    ``IMAS_LOG_FORMAT`` asks for one) stays in the file."""
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    level = str(event.get("level", ""))
    name = str(event.get("event", ""))
    if level not in SHOWN_LEVELS and name not in SHOWN_EVENTS:
        return None
    fields = " ".join(f"{k}={_short(v)}" for k, v in event.items() if k not in _HIDDEN)
    text = name if level not in SHOWN_LEVELS else f"{level}: {name}"
    shown = f"{text}  {fields}" if fields else text
    return shown if len(shown) <= _LINE_LIMIT else shown[: _LINE_LIMIT - 1] + "…"


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", " ⏎ ")
    return f'"{text}"' if " " in text else text
