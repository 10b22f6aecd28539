"""Dashboard single sign-on against an OpenID Connect provider played by a local HTTP server
implementing the endpoints the flow uses (discovery, authorize, token, JWKS), with an RSA key
made for this run. The gateway runs with the incidents service behind it, so that the
dashboard it signs into can show its pages.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import msgspec
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from litestar import Litestar, Request, Response, get, post
from litestar.response import Redirect

from imas_cli.demo import DEMO_CATALOG
from imas_contracts.catalog import PersonSpec
from imas_contracts.incidents import ApplyCatalog, CatalogApplied
from imas_contracts.warroom import ChatReply, SlackRequest
from imas_gateway.app import create_app as create_gateway
from imas_gateway.settings import GatewaySettings
from imas_incidents.app import create_runtime as create_incidents
from imas_incidents.settings import IncidentsSettings
from imas_runtime.bus import encode
from imas_testing import eventually

pytestmark = pytest.mark.integration

CLIENT_ID = "imas-dashboard"
CLIENT_SECRET = secrets.token_urlsafe(24)
REDIRECT = "http://imas/auth/oidc/callback"


@dataclass
class Grant:
    claims: dict[str, Any]
    challenge: str
    redirect_uri: str


@dataclass
class FakeProvider:
    """An OIDC provider: it signs in whoever ``user`` says, and can be told to answer with a
    tampered signature, another nonce or another audience."""

    url: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    tamper: str = ""
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    kid: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    grants: dict[str, Grant] = field(default_factory=dict)

    def app(self) -> Litestar:
        @get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, str]:
            return {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": "code",
            }

        @get("/jwks")
        async def jwks() -> dict[str, Any]:
            public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

        @get("/authorize")
        async def authorize(request: Request[Any, Any, Any]) -> Response[Any]:
            q = request.query_params
            assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
            assert q["code_challenge_method"] == "S256" and "openid" in q["scope"].split()
            code = secrets.token_urlsafe(16)
            claims = {**self.user, "nonce": q["nonce"]}
            self.grants[code] = Grant(claims, q["code_challenge"], q["redirect_uri"])
            target = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}"
            return Redirect(target, status_code=302)

        @post("/token", status_code=200)
        async def token(request: Request[Any, Any, Any]) -> Response[Any]:
            form = await request.form()
            basic = base64.b64decode(request.headers["authorization"].split()[1]).decode()
            grant = self.grants.pop(str(form["code"]), None)
            verifier = str(form["code_verifier"]).encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if (
                basic != f"{CLIENT_ID}:{CLIENT_SECRET}"
                or grant is None
                or grant.redirect_uri != form["redirect_uri"]
                or challenge.decode() != grant.challenge
            ):
                return Response({"error": "invalid_grant"}, status_code=400)
            return Response({"id_token": self.id_token(grant.claims), "token_type": "Bearer"})

        return Litestar([discovery, jwks, authorize, token])

    def id_token(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims}
        key = self.key
        if self.tamper == "nonce":
            payload["nonce"] = secrets.token_urlsafe(16)
        elif self.tamper == "audience":
            payload["aud"] = "another-client"
        elif self.tamper == "signature":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})


@contextlib.asynccontextmanager
async def serve(provider: FakeProvider) -> AsyncIterator[FakeProvider]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    provider.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(provider.app(), log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))

    def started() -> None:
        assert server.started

    await eventually(started, timeout=10, interval=0.01)
    try:
        yield provider
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=5)


@dataclass
class Dashboard:
    client: httpx.AsyncClient
    provider: FakeProvider
    gateway: Litestar

    async def sign_in(self, next_: str = "/") -> httpx.Response:
        """The browser's round trip: IMAS → the provider → IMAS's callback."""
        start = await self.client.get("/auth/oidc/login", params={"next": next_})
        assert start.status_code == 303, start.text
        async with httpx.AsyncClient() as browser:
            answer = await browser.get(start.headers["location"])
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["location"])
        assert f"http://imas{back.path}" == REDIRECT
        return await self.client.get(f"{back.path}?{back.query}")


@pytest.fixture
async def dashboard(
    fresh_nats_url: str,
    postgres_url: str,
    redis_url: str,
    fresh_database: Callable[[str], Awaitable[str]],
) -> AsyncIterator[Dashboard]:
    common = {"nats_url": fresh_nats_url, "database_url": postgres_url, "redis_url": redis_url}
    async with serve(FakeProvider()) as provider:
        incidents = create_incidents(
            IncidentsSettings(service="incidents", database=await fresh_database("inc"), **common)
        )
        gateway = create_gateway(
            GatewaySettings(
                service="gateway",
                database=await fresh_database("gw"),
                public_url="http://imas",
                oidc_issuer=provider.url,
                oidc_client_id=CLIENT_ID,
                oidc_client_secret=CLIENT_SECRET,
                oidc_role_claim="imas_roles",
                upstream_timeout=2.0,
                **common,
            )
        )
        async with contextlib.AsyncExitStack() as stack:
            for runtime in (incidents, gateway.state.runtime):
                await runtime.start()
                stack.push_async_callback(runtime.stop)
            await incidents.bus.request(DEMO_CATALOG, CatalogApplied)
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=gateway), base_url="http://imas"
                )
            )
            yield Dashboard(client, provider, gateway)


ALICE = {
    "sub": "0a1b2c",
    "preferred_username": "alice",
    "email": "alice@example.com",
    "name": "Alice Martin",
    "imas_roles": ["staff", "responder"],
}


async def test_single_sign_on_opens_the_dashboard_with_the_role_of_the_claim(
    dashboard: Dashboard,
) -> None:
    login = await dashboard.client.get("/login")
    assert "Sign in with SSO" in login.text
    dashboard.provider.user = ALICE
    signed_in = await dashboard.sign_in("/incidents")
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/incidents"
    assert "imas_session" in dashboard.client.cookies

    home = await dashboard.client.get("/")
    assert home.status_code == 200, home.text
    assert "alice" in home.text
    # The session acts as a responder: incidents yes, the users' administration no.
    assert (await dashboard.client.get("/api/v1/incidents/")).status_code == 200
    assert (await dashboard.client.get("/api/v1/users/")).status_code == 403

    # The next sign-in finds the same user; the claim now makes her an admin.
    dashboard.client.cookies.clear()
    dashboard.provider.user = {**ALICE, "imas_roles": "admin"}
    assert (await dashboard.sign_in()).status_code == 303
    users = (await dashboard.client.get("/api/v1/users/")).json()["results"]
    alice = [u for u in users if u["username"] == "alice"]
    assert len(alice) == 1 and alice[0]["role"] == "admin"
    assert alice[0]["email"] == "alice@example.com" and alice[0]["last_login_at"]


@pytest.mark.parametrize("tamper", ["signature", "nonce", "audience"])
async def test_a_tampered_or_foreign_id_token_is_refused(dashboard: Dashboard, tamper: str) -> None:
    dashboard.provider.user = {**ALICE, "sub": uuid.uuid4().hex, "preferred_username": tamper}
    dashboard.provider.tamper = tamper
    refused = await dashboard.sign_in()
    assert refused.status_code == 401
    assert "Sign-in refused" in refused.text
    assert "imas_session" not in dashboard.client.cookies
    assert (await dashboard.client.get("/")).status_code == 303  # still sent to /login


async def test_a_callback_is_refused_in_another_browser_and_when_replayed(
    dashboard: Dashboard,
) -> None:
    dashboard.provider.user = ALICE
    start = await dashboard.client.get("/auth/oidc/login")
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(start.headers["location"])
    callback = urlsplit(answer.headers["location"])
    state = parse_qs(callback.query)["state"][0]
    # Someone else's browser, without the state cookie, cannot complete this sign-in.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dashboard.gateway), base_url="http://imas"
    ) as stranger:
        foreign = await stranger.get(f"{callback.path}?{callback.query}")
    assert foreign.status_code == 401
    assert "imas_session" not in foreign.cookies
    # The right browser can, once.
    url = f"{callback.path}?{callback.query}"
    assert (await dashboard.client.get(url)).status_code == 303
    dashboard.client.cookies.set("imas_oidc_state", state, path="/auth/oidc")
    dashboard.client.cookies.delete("imas_session")
    replayed = await dashboard.client.get(url)
    assert replayed.status_code == 401
    assert "expired or was already used" in replayed.text


async def test_a_role_claim_naming_no_imas_role_any_more_demotes_to_the_default(
    dashboard: Dashboard,
) -> None:
    user = {**ALICE, "sub": uuid.uuid4().hex, "preferred_username": "erin", "imas_roles": "admin"}
    dashboard.provider.user = user
    assert (await dashboard.sign_in()).status_code == 303
    assert (await dashboard.client.get("/api/v1/users/")).status_code == 200
    # Removed from the IMAS groups at the provider, she signs in again from another browser.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dashboard.gateway), base_url="http://imas"
    ) as other:
        elsewhere = Dashboard(other, dashboard.provider, dashboard.gateway)
        dashboard.provider.user = {**user, "imas_roles": ["staff"]}
        assert (await elsewhere.sign_in()).status_code == 303
        assert (await other.get("/api/v1/users/")).status_code == 403
        assert (await other.get("/api/v1/incidents/")).status_code == 200  # a viewer now
    # The admin session she had ends with her old role.
    assert (await dashboard.client.get("/api/v1/users/")).status_code == 401


async def _role_the_gateway_gives(dashboard: Dashboard, chat_user: str) -> str:
    """The ``caller_role`` the gateway attaches to a Slack command of ``chat_user``, read by a
    stand-in for the war room on the bus."""
    bus = dashboard.gateway.state.runtime.bus
    seen: list[str] = []

    async def warroom(msg: Any) -> None:
        seen.append(msgspec.json.decode(msg.data, type=SlackRequest).caller_role)
        await msg.respond(encode(ChatReply(body='{"text": "ok"}')))

    subscription = await bus.nc.subscribe(SlackRequest.type_name(), cb=warroom)
    try:
        body = urlencode({"command": "/incident", "text": "list", "user_id": chat_user})
        answer = await dashboard.client.post(
            "/api/v1/chat/slack/commands",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert answer.status_code == 200, answer.text
    finally:
        await subscription.unsubscribe()
    [role] = seen
    return role


@pytest.mark.parametrize(("verified", "role"), [(False, ""), ("false", ""), (True, "manager")])
async def test_only_an_email_the_provider_verified_links_a_chat_user_to_a_role(
    dashboard: Dashboard, verified: object, role: str
) -> None:
    chat_user = f"U0{uuid.uuid4().hex[:8].upper()}"
    email = f"{chat_user.lower()}@example.com"
    person = PersonSpec(name="Chloe Ciso", email=email, chat_user_ids={"slack": chat_user})
    runtime = dashboard.gateway.state.runtime
    await runtime.bus.request(ApplyCatalog(people=[person]), CatalogApplied)
    dashboard.provider.user = {
        "sub": uuid.uuid4().hex,
        "preferred_username": f"sso-{chat_user.lower()}",
        "email": email,
        "email_verified": verified,
        "imas_roles": "manager",
    }
    assert (await dashboard.sign_in()).status_code == 303
    assert await _role_the_gateway_gives(dashboard, chat_user) == role


async def test_refused_callbacks_are_slowed_per_address(dashboard: Dashboard) -> None:
    prober = {"X-Forwarded-For": "203.0.113.50"}
    for _ in range(10):
        refused = await dashboard.client.get(
            "/auth/oidc/callback", params={"state": "forged", "code": "x"}, headers=prober
        )
        assert refused.status_code == 401
    throttled = await dashboard.client.get(
        "/auth/oidc/callback", params={"state": "forged", "code": "x"}, headers=prober
    )
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    # Others still sign in.
    dashboard.provider.user = {**ALICE, "sub": uuid.uuid4().hex, "preferred_username": "fay"}
    assert (await dashboard.sign_in()).status_code == 303
