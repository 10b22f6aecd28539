"""``/healthz`` (the process is alive), ``/readyz`` (its dependencies answer) and ``/metrics``.

The public port answers ``/healthz`` and ``/readyz`` with only ``ok`` or ``unavailable``
(what failed, and how, can name internal hosts); the internal port (``internal_routes``)
answers ``/readyz`` with each check's detail, and ``/metrics``, where ``imas_ready`` is what
``/readyz`` would answer at that scrape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from imas_runtime.metrics import READY

Check = Callable[[], Awaitable[None]]


async def _run_check(check: Check, timeout: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout)
    except Exception as exc:
        return f"failed: {exc!r}"[:300]
    return "ok"


Status = Callable[[], Mapping[str, str]]


async def readiness(checks: Mapping[str, Check], timeout: float, status: Status) -> dict[str, str]:
    """What each check answered (``ok`` or how it failed) and what ``status`` says is wrong."""
    names = list(checks)
    results = await asyncio.gather(*(_run_check(checks[n], timeout) for n in names))
    return {**dict(zip(names, results, strict=True)), **status()}


def all_ok(found: Mapping[str, str]) -> bool:
    return all(r == "ok" for r in found.values())


def health_routes(
    checks: Mapping[str, Check],
    *,
    timeout: float = 2.0,
    detail: bool = False,
    status: Status = dict,
) -> list[HTTPRouteHandler]:
    """``/healthz`` and ``/readyz``; ``checks`` name each dependency, ``status`` what the
    service knows of its own parts (``ok`` or what is wrong, by name: a task down, work
    behind), and ``detail`` (the internal port only) says in ``/readyz`` what each answered."""

    @get("/healthz", include_in_schema=False, sync_to_thread=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[dict[str, object]]:
        found = await readiness(checks, timeout, status)
        ready = all_ok(found)
        answer: dict[str, object] = {"status": "ok" if ready else "unavailable"}
        if detail:
            answer["checks"] = found
        return Response(answer, status_code=200 if ready else 503)

    return [healthz, readyz]


def internal_routes(
    checks: Mapping[str, Check], *, timeout: float = 2.0, status: Status = dict
) -> list[HTTPRouteHandler]:
    """The internal port's routes: health with each check's detail, and ``/metrics``."""

    @get("/metrics", include_in_schema=False)
    async def metrics() -> Response[bytes]:
        # A scrape every 30 s or so: the checks are cheap at that rate, and an alert on
        # imas_ready needs no probe of its own.
        READY.set(1 if all_ok(await readiness(checks, timeout, status)) else 0)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [*health_routes(checks, timeout=timeout, detail=True, status=status), metrics]
