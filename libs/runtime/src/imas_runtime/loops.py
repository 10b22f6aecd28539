"""Background passes that run when woken (work was just committed) and at a steady interval
otherwise (work that came due with time, or a wake-up that was missed)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from imas_runtime.logs import get_logger

log = get_logger(__name__)


async def run_woken(
    one_pass: Callable[[], Awaitable[object]],
    wake: asyncio.Event,
    stopping: asyncio.Event,
    interval: float,
    *,
    what: str,
) -> None:
    """Run ``one_pass`` until ``stopping``: once at start, then whenever ``wake`` is set or
    ``interval`` seconds went by. A pass that fails is logged (``what`` names it) and the
    next one runs all the same."""
    while not stopping.is_set():
        wake.clear()
        try:
            await one_pass()
        except Exception as exc:
            log.warning(f"{what} failed", error=repr(exc))
        waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stopping.wait())]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait(waits, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()
