"""``/healthz`` (the process is alive), ``/readyz`` (its dependencies answer) and ``/metrics``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

Check = Callable[[], Awaitable[None]]


async def _run_check(check: Check, timeout: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout)
    except Exception as exc:
        return f"failed: {exc!r}"[:300]
    return "ok"


def health_routes(checks: Mapping[str, Check], *, timeout: float = 2.0) -> list[HTTPRouteHandler]:
    """Route handlers for the three endpoints; ``checks`` name each dependency."""

    @get("/healthz", include_in_schema=False, sync_to_thread=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz", include_in_schema=False)
    async def readyz() -> Response[dict[str, object]]:
        names = list(checks)
        results = await asyncio.gather(*(_run_check(checks[n], timeout) for n in names))
        detail = dict(zip(names, results, strict=True))
        ready = all(r == "ok" for r in results)
        return Response(
            {"status": "ok" if ready else "unavailable", "checks": detail},
            status_code=200 if ready else 503,
        )

    @get("/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics() -> Response[bytes]:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [healthz, readyz, metrics]
