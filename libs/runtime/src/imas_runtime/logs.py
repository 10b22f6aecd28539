"""Logs: one event per line, in one format, whoever writes it.

IMAS's own code logs through structlog; libraries log through the standard library (uvicorn,
SQLAlchemy, Alembic, nats-py, httpx). Both are rendered by the same processors: JSON (one
object per line, ``timestamp``, ``level``, ``event``, ``service``, ``trace_id`` when a span is
current) for machines, or coloured console lines for people. ``auto`` picks console on a
terminal and JSON everywhere else (a pipe, a container, a file).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from opentelemetry import trace

FORMATS = ("auto", "json", "console")

# Libraries that log what must not reach the logs, or far too much, at INFO: HTTP clients log
# every request's URL, and some URLs hold a secret (chat and Teams webhooks, tokens in query
# strings); the SQL engine logs every statement when asked to.
QUIET_LIBRARIES = ("httpx", "httpcore", "sqlalchemy.engine", "sqlalchemy.pool")


def _add_trace_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event["trace_id"] = format(ctx.trace_id, "032x")
        event["span_id"] = format(ctx.span_id, "016x")
    return event


def _write(message: str) -> None:
    """Print to whatever ``sys.stderr`` is now, and never raise: a log line must not break the
    work it describes (e.g. when a test harness closed the stream it captured)."""
    try:
        print(message, file=sys.stderr, flush=True)
    except (ValueError, OSError):
        pass


class _StderrLogger:
    def msg(self, message: str) -> None:
        _write(message)

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def _stderr_logger(*_: Any) -> _StderrLogger:
    return _StderrLogger()


class _StderrHandler(logging.Handler):
    """The standard library's records, formatted by structlog, written like structlog's."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:
            self.handleError(record)
            return
        _write(message)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass


def renders_json(fmt: str) -> bool:
    """Whether ``fmt`` (``auto``, ``json``, ``console``) means JSON here and now."""
    if fmt == "auto":
        return not _is_terminal()
    return fmt != "console"


def _is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (ValueError, AttributeError):
        return False


def configure_logging(service: str, *, fmt: str = "auto", level: str = "info") -> None:
    """Configure structlog and the standard library's logging for one process: every record,
    IMAS's or a library's, goes through the same processors to the same renderer on stderr."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_ids,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if renders_json(fmt)
        else structlog.dev.ConsoleRenderer(
            colors=_is_terminal(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)

    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    # Libraries that set up handlers of their own (uvicorn's, when given a config) hand their
    # records to the root's instead, so that nothing is printed in another format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic", "nats"):
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
