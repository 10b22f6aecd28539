"""A gateway alone on real NATS, PostgreSQL and Redis, for the tests of its access control:
the services behind it are absent, so a call the guard lets through answers 503 (or 400/404
for bad input) — anything but 401/403 — without waiting."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from litestar import Litestar

from imas_gateway.app import create_app as create_gateway
from imas_gateway.settings import GatewaySettings
from imas_runtime.db import ensure_database
from imas_testing import discard_database, eventually
from imas_testing.dashboard import form_csrf, sign_in

PASSWORD = "correct horse battery"


@dataclass
class Gateway:
    app: Litestar
    client: httpx.AsyncClient
    admin: str
    engine: Any
    database: str

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Token {token}"}

    async def token(self, role: str, **fields: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/tokens/",
            json={"name": f"{role}-{uuid.uuid4().hex[:6]}", "role": role, **fields},
            headers=self.auth(self.admin),
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def user(self, role: str, password: str = PASSWORD) -> str:
        """A new user with this role; their username."""
        username = f"{role}-{uuid.uuid4().hex[:6]}"
        created = await self.client.post(
            "/api/v1/users/",
            json={"username": username, "password": password, "role": role},
            headers=self.auth(self.admin),
        )
        assert created.status_code == 201, created.text
        return username

    async def obtain(
        self, username: str, password: str = PASSWORD, **fields: Any
    ) -> dict[str, Any]:
        """A token obtained with a user's password."""
        body = {"username": username, "password": password, **fields}
        obtained = await self.client.post("/api/token/obtain/", json=body)
        assert obtained.status_code == 200, obtained.text
        return obtained.json()  # type: ignore[no-any-return]

    @contextlib.asynccontextmanager
    async def browser(self, username: str, password: str = PASSWORD) -> AsyncIterator[Browser]:
        """A browser of its own, signed in to the dashboard as ``username``."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://imas"
        ) as client:
            signed_in = await sign_in(client, username, password)
            assert signed_in.status_code == 303, signed_in.text
            yield Browser(client)


@dataclass
class Browser:
    client: httpx.AsyncClient

    async def signed_in(self) -> bool:
        """Whether the dashboard still knows this browser's session (the login page sends a
        signed-in browser home)."""
        return (await self.client.get("/login")).status_code in (302, 303)

    async def csrf(self) -> str:
        return form_csrf((await self.client.get("/incidents/new")).text)

    def cookie_header(self) -> dict[str, str]:
        """The session cookie, for a client of another origin (a served app)."""
        return {"Cookie": f"imas_session={self.client.cookies['imas_session']}"}


@contextlib.asynccontextmanager
async def served(app: Litestar, **options: Any) -> AsyncIterator[str]:
    """A started app on a real socket (its URL): the in-memory transport waits for a body's
    end, which a stream never reaches; outside tools need a socket too. Its runtime is
    already started, hence no lifespan. ``options`` go to uvicorn (``ssl_certfile``...)."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", log_level="warning", **options
    )
    server = uvicorn.Server(config)
    scheme = "https" if config.is_ssl else "http"
    task = asyncio.create_task(server.serve())
    try:

        def started() -> None:
            assert server.started

        await eventually(started, timeout=10)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def running_gateway(
    nats_url: str, postgres_url: str, redis_url: str, **settings: Any
) -> AsyncIterator[Gateway]:
    """A started gateway with an admin token unless ``bootstrap_admin_token`` is given, on
    the ``database`` given, else on one of its own (dropped afterwards)."""
    owned = "database" not in settings
    database = settings.pop("database", None) or f"t_gw_{uuid.uuid4().hex[:8]}"
    await ensure_database(postgres_url, database)
    admin = settings.pop("bootstrap_admin_token", secrets.token_urlsafe(32))
    app = create_gateway(
        GatewaySettings(
            service="gateway",
            database=database,
            bootstrap_admin_token=admin,
            nats_url=nats_url,
            database_url=postgres_url,
            redis_url=redis_url,
            upstream_timeout=2.0,
            **settings,
        )
    )
    runtime = app.state.runtime
    try:
        async with contextlib.AsyncExitStack() as stack:
            await runtime.start()
            stack.push_async_callback(runtime.stop)
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://imas")
            )
            yield Gateway(
                app=app, client=client, admin=admin, engine=runtime.engine, database=database
            )
    finally:
        if owned:
            discard_database(postgres_url, database)
