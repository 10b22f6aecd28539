"""The gateway's access control, tokens, rate limits, security headers, audit log and docs.

One gateway per module (see ``gateway_setup``).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from litestar import Litestar
from litestar.routes import HTTPRoute
from sqlalchemy import text

from imas_gateway.auth.guard import ROUTE, RouteSpec, route_spec
from imas_gateway.auth.ratelimit import Limit, RateLimiter
from imas_gateway.domain import PUBLIC, ROLES, role_allows
from tests.integration.gateway_setup import Gateway, running_gateway

pytestmark = pytest.mark.integration

# API routes anyone may call: alert sources, chat platforms and Twilio sign or carry a secret,
# token holders exchange or check credentials, and the documentation is public.
PUBLIC_API = (
    "/v2/enqueue",
    "/v2/change/enqueue",
    "/api/v1/webhooks/",
    "/api/v1/chat/",
    "/api/v1/inbound/",
    "/api/token/obtain",
    "/api/token/verify",
    "/api/token/revoke",
    "/api/docs",
    "/api/redoc",
    "/api/schema",
    "/api/static",
)
# Would revoke the very token the matrix calls with; covered by the token lifecycle test.
CONSUMES_TOKEN = ("/api/token/regenerate",)


@pytest.fixture(scope="module")
async def gw(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Gateway]:
    async with running_gateway(nats_url, postgres_url, redis_url) as gateway:
        yield gateway


def _routes(app: Litestar) -> list[tuple[str, str, RouteSpec | None]]:
    """(method, concrete path, declared RouteSpec) of every HTTP handler of the app."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = re.sub(r"\{(\w+):int\}", "1", route.path)
        path = re.sub(r"\{(\w+):\w+\}", "x", path)
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                declared = ROUTE in handler.opt
                found.append((method, path, route_spec(handler) if declared else None))
    return found


async def test_every_api_route_declares_its_role_and_refuses_every_role_below_it(
    gw: Gateway,
) -> None:
    routes = _routes(gw.app)
    assert len(routes) > 60
    undeclared = [(m, p) for m, p, spec in routes if spec is None]
    assert undeclared == []
    public_api = [
        p for m, p, spec in routes if spec and spec.role == PUBLIC and p.startswith(("/api", "/v2"))
    ]
    assert all(p.startswith(PUBLIC_API) for p in public_api), public_api
    # Each role's token, with a limit high enough that the walk is never throttled.
    tokens = {r: (await gw.token(r, rate_limit=100_000, rate_window=1))["token"] for r in ROLES}
    wrong: list[str] = []
    checked = 0
    for method, path, spec in routes:
        assert spec is not None
        if spec.role == PUBLIC or path.startswith(CONSUMES_TOKEN):
            continue
        anonymous = await gw.client.request(method, path, content=b"{}")
        if anonymous.status_code != 401:
            wrong.append(f"{method} {path} anonymous -> {anonymous.status_code}")
        for role, token in tokens.items():
            allowed = role_allows(role, spec.role, integration=spec.integration)
            if allowed and spec.streams:
                continue  # never ends; its own test reads it (test_events_stream)
            response = await gw.client.request(method, path, content=b"{}", headers=gw.auth(token))
            refused = response.status_code == 403
            checked += 1
            if allowed == refused or response.status_code == 401:
                wrong.append(f"{method} {path} as {role} -> {response.status_code}")
    assert wrong == []
    assert checked > 300


async def test_acknowledging_is_for_operators_and_resolving_for_responders(gw: Gateway) -> None:
    operator = (await gw.token("operator"))["token"]
    ack = await gw.client.post("/api/v1/incidents/INC-1/acknowledge/", headers=gw.auth(operator))
    resolve = await gw.client.post("/api/v1/incidents/INC-1/resolve/", headers=gw.auth(operator))
    assert ack.status_code == 503  # let through; nobody behind the gateway here
    assert resolve.status_code == 403
    assert "responder" in resolve.json()["detail"]


async def test_token_lifecycle_shown_once_used_regenerated_and_revoked(gw: Gateway) -> None:
    created = await gw.token("viewer", scopes=["tokens", "incidents"], expires_in_days=7)
    secret = created["token"]
    assert secret.startswith("imas_") and len(secret) >= 48
    assert created["prefix"] == secret[:12] and created["expires_at"]
    listed = (await gw.client.get("/api/v1/tokens/", headers=gw.auth(gw.admin))).json()
    mine = next(t for t in listed["results"] if t["id"] == created["id"])
    assert "token" not in mine and secret not in str(listed)

    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await gw.client.get("/api/v1/incidents/", headers=bearer)).status_code == 503
    # Scopes narrow the role: metrics are readable by viewers, but not with this token.
    assert (await gw.client.get("/api/v1/metrics/", headers=bearer)).status_code == 403

    verified = await gw.client.post("/api/token/verify/", json={"token": secret})
    assert verified.status_code == 200 and verified.json()["role"] == "viewer"
    assert verified.json()["last_used_at"] is not None

    regenerated = await gw.client.post("/api/token/regenerate/", headers=bearer)
    assert regenerated.status_code == 200, regenerated.text
    new = regenerated.json()
    assert new["token"] != secret and new["scopes"] == ["tokens", "incidents"]
    assert (await gw.client.get("/api/v1/incidents/", headers=bearer)).status_code == 401
    renewed = {"Authorization": f"Token {new['token']}"}
    assert (await gw.client.get("/api/v1/incidents/", headers=renewed)).status_code == 503

    revoked = await gw.client.post("/api/token/revoke/", json={"token": new["token"]})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await gw.client.get("/api/v1/incidents/", headers=renewed)).status_code == 401
    again = await gw.client.post("/api/token/verify/", json={"token": new["token"]})
    assert again.status_code == 401

    other = await gw.token("responder")
    deleted = await gw.client.delete(f"/api/v1/tokens/{other['id']}/", headers=gw.auth(gw.admin))
    assert deleted.status_code == 204
    gone = await gw.client.get("/api/v1/incidents/", headers=gw.auth(other["token"]))
    assert gone.status_code == 401


async def test_token_requests_name_the_bad_field(gw: Gateway) -> None:
    response = await gw.client.post(
        "/api/v1/tokens/",
        json={"name": "x", "role": "superuser", "rate_limit": 0},
        headers=gw.auth(gw.admin),
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"role", "rate_limit"}


async def test_obtain_exchanges_a_users_password_for_a_token_with_their_role(
    gw: Gateway,
) -> None:
    username = f"dana{uuid.uuid4().hex[:6]}"
    created = await gw.client.post(
        "/api/v1/users/",
        json={"username": username, "password": "correct horse", "role": "operator"},
        headers=gw.auth(gw.admin),
    )
    assert created.status_code == 201, created.text
    wrong = await gw.client.post(
        "/api/token/obtain/", json={"username": username, "password": "nope"}
    )
    assert wrong.status_code == 401
    obtained = await gw.client.post(
        "/api/token/obtain/", json={"username": username, "password": "correct horse"}
    )
    assert obtained.status_code == 200, obtained.text
    token = obtained.json()
    assert token["role"] == "operator" and token["user_id"] and token["expires_at"]
    ack = await gw.client.post(
        "/api/v1/incidents/INC-1/acknowledge/", headers=gw.auth(token["token"])
    )
    assert ack.status_code == 503


async def test_a_token_over_its_limit_gets_429_with_retry_after(gw: Gateway) -> None:
    token = (await gw.token("admin", rate_limit=3, rate_window=60))["token"]
    remaining = []
    for _ in range(3):
        response = await gw.client.get("/api/v1/tokens/", headers=gw.auth(token))
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    refused = await gw.client.get("/api/v1/tokens/", headers=gw.auth(token))
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > 0
    # Another token is not affected.
    assert (await gw.client.get("/api/v1/tokens/", headers=gw.auth(gw.admin))).status_code == 200


async def test_a_bucket_refills_with_time(redis_url: str) -> None:
    now = [1000.0]
    redis = aioredis.from_url(redis_url)
    limiter = RateLimiter(redis, clock=lambda: now[0], prefix=f"t:{uuid.uuid4().hex}:")
    limit = Limit.per_window(2, 10)  # one more every 5 s
    try:
        verdicts = [await limiter.hit("k", limit) for _ in range(3)]
        assert [v.allowed for v in verdicts] == [True, True, False]
        assert verdicts[2].retry_after == 5 and verdicts[2].headers()["Retry-After"] == "5"
        now[0] += 5
        assert (await limiter.hit("k", limit)).allowed
        assert not (await limiter.hit("k", limit)).allowed
        assert (await limiter.hit("other", limit)).allowed
    finally:
        await redis.aclose()


async def test_concurrent_requests_never_get_more_than_the_bucket_holds(redis_url: str) -> None:
    # Requests that arrive together are spent in batches: still exactly the bucket's worth.
    redis = aioredis.from_url(redis_url)
    limiter = RateLimiter(redis, clock=lambda: 1000.0, prefix=f"t:{uuid.uuid4().hex}:")
    limit = Limit(capacity=50, per_second=1)
    try:
        verdicts = await asyncio.gather(*(limiter.hit("k", limit) for _ in range(200)))
        allowed = [v for v in verdicts if v.allowed]
        assert len(allowed) == 50
        assert sorted(v.remaining for v in allowed) == list(range(50))
        assert all(v.retry_after == 1 for v in verdicts if not v.allowed)
    finally:
        await redis.aclose()


async def test_every_answer_carries_security_headers_and_hsts_only_behind_tls(
    gw: Gateway,
) -> None:
    for path in ("/healthz", "/api/v1/incidents/", "/no/such/page", "/api/docs/"):
        response = await gw.client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Referrer-Policy"], path
        assert "Strict-Transport-Security" not in response.headers, path
    behind_tls = await gw.client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_mutations_are_audited_with_secrets_redacted_and_rows_never_change(
    gw: Gateway,
) -> None:
    created = await gw.token("manager")
    viewer = await gw.token("viewer")
    refused = await gw.client.post(
        "/api/v1/teams/",
        json={"name": "Nope"},
        headers={**gw.auth(viewer["token"]), "User-Agent": "audit-test"},
    )
    assert refused.status_code == 403
    audit = await gw.client.get(
        "/api/v1/audit/", params={"route": "/api/v1/tokens"}, headers=gw.auth(gw.admin)
    )
    assert audit.status_code == 200
    row = next(r for r in audit.json()["results"] if r["response"]["id"] == created["id"])
    assert row["actor"] == "bootstrap admin" and row["method"] == "POST"
    assert row["status"] == 201 and row["request"]["role"] == "manager"
    assert row["response"]["token"] == "[redacted]"
    assert created["token"] not in audit.text
    denied = await gw.client.get(
        "/api/v1/audit/", params={"actor": viewer["name"]}, headers=gw.auth(gw.admin)
    )
    [attempt] = denied.json()["results"]
    assert attempt["status"] == 403 and attempt["user_agent"] == "audit-test"
    assert attempt["route"] == "/api/v1/teams" and attempt["ip"]
    # Viewers cannot read it; nobody can rewrite it.
    assert (
        await gw.client.get("/api/v1/audit/", headers=gw.auth(viewer["token"]))
    ).status_code == 403
    async with gw.engine.connect() as conn:
        with pytest.raises(Exception, match="append-only"):
            await conn.execute(text("UPDATE audit_log SET status = 200"))
    async with gw.engine.connect() as conn:
        with pytest.raises(Exception, match="append-only"):
            await conn.execute(text("DELETE FROM audit_log"))


async def test_every_one_of_many_concurrent_mutations_gets_its_audit_row(gw: Gateway) -> None:
    # Rows of calls ending together are committed together: none may be lost or merged.
    viewer = await gw.token("viewer")
    agent = f"burst-{uuid.uuid4().hex[:6]}"
    answers = await asyncio.gather(
        *(
            gw.client.post(
                "/api/v1/teams/",
                json={"name": f"Team {i}"},
                headers={**gw.auth(viewer["token"]), "User-Agent": f"{agent}-{i}"},
            )
            for i in range(40)
        )
    )
    assert {a.status_code for a in answers} == {403}
    audit = await gw.client.get(
        "/api/v1/audit/",
        params={"actor": viewer["name"], "page_size": 100},
        headers=gw.auth(gw.admin),
    )
    agents = [r["user_agent"] for r in audit.json()["results"] if r["user_agent"].startswith(agent)]
    assert sorted(agents) == sorted(f"{agent}-{i}" for i in range(40))


async def test_documentation_is_served_without_any_cdn(gw: Gateway) -> None:
    schema = await gw.client.get("/api/schema/")
    assert schema.status_code == 200
    assert "/api/v1/tokens" in schema.json()["paths"]
    for page, asset in (
        ("/api/docs/", "/api/static/swagger-ui/swagger-ui-bundle.js"),
        ("/api/redoc/", "/api/static/redoc/redoc.standalone.js"),
    ):
        html = (await gw.client.get(page)).text
        assert asset in html and "https://" not in html
        script = await gw.client.get(asset)
        assert script.status_code == 200 and len(script.content) > 100_000


async def test_imas_token_creates_lists_and_revokes(
    gw: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    from imas_cli.__main__ import build_parser
    from imas_cli.gateway import api_client
    from imas_cli.tokens import run

    def as_(token: str) -> Any:
        """The command's client, on the gateway app."""
        return api_client("http://imas", token, transport=httpx.ASGITransport(app=gw.app))

    def args(*argv: str) -> Any:
        return build_parser().parse_args(["token", *argv])

    name = f"ci-{uuid.uuid4().hex[:6]}"
    created = args("create", "--name", name, "--role", "integration", "--rate-limit", "50")
    assert await run(created, as_(gw.admin)) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("imas_")
    assert await run(args("list"), as_(gw.admin)) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if name in row)
    token_id = line.split()[0]
    assert secret[:12] in line and "integration" in line and secret not in line
    assert await run(args("revoke", token_id), as_(gw.admin)) == 0
    verified = await gw.client.post("/api/token/verify/", json={"token": secret})
    assert verified.status_code == 401
    assert await run(args("list"), as_(secret)) == 1
    assert "401" in capsys.readouterr().err
