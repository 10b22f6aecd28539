"""Browser tests: Debian's chromium driven by Playwright, against the mesh's gateway served by
uvicorn on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from imas_runtime.service import ServiceRuntime
from imas_testing import LOOPBACK
from tests.conftest import Mesh, escalation_beside, running_mesh, warroom_beside

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALLER = Path(__file__).parents[1] / "install_tools.sh"


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, installed first when missing (as root); skips when impossible."""
    found = find_chromium()
    if found is None:
        subprocess.run(["bash", str(INSTALLER)], check=False, timeout=600)
        found = find_chromium()
    if found is None:
        pytest.skip("chromium is not installed and cannot be installed here")
    return found


@pytest.fixture(scope="module")
async def browser(chromium_path: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve(app: Any) -> tuple[str, uvicorn.Server, asyncio.Task[None]]:
    """The app (its runtime already started) on a free port; returns its base URL."""
    port = free_port()
    # Pages hold a live event stream open: shutting down must not wait for them for ever.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return f"http://127.0.0.1:{port}", server, task


@dataclass
class Site:
    """The whole mesh (escalation and war room included) served on ``base``."""

    mesh: Mesh
    escalation: ServiceRuntime
    warroom: ServiceRuntime
    base: str


@pytest.fixture(scope="module")
async def shared_site(
    nats_url: str,
    postgres_url: str,
    redis_url: str,
    module_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Site]:
    """One mesh for a whole module, served over HTTP: tests of a module share it, so each
    makes names of its own."""
    database = module_database
    async with contextlib.AsyncExitStack() as stack:
        mesh = await stack.enter_async_context(
            running_mesh(nats_url, postgres_url, redis_url, database)
        )
        escalation = await stack.enter_async_context(
            escalation_beside(mesh, postgres_url, redis_url, await database("esc"))
        )
        warroom = await stack.enter_async_context(
            warroom_beside(
                mesh,
                postgres_url,
                redis_url,
                await database("wr"),
                chat="log",
                # LIDs exported to the fake Confluence on loopback.
                outbound_allow=LOOPBACK,
            )
        )
        base, server, task = await serve(mesh.gateway)
        try:
            yield Site(mesh, escalation, warroom, base)
        finally:
            server.should_exit = True
            await task
