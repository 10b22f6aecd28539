"""Tokens belong to users: what happens to a user happens to their tokens, at once, on every
gateway; tokens of users live a bounded time; the bootstrap token follows its variable; and
``imas token`` manages the tokens of one user.

One gateway per module (see ``gateway_setup``), a second one where a test needs two.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from imas_gateway.app import create_app
from imas_gateway.settings import GatewaySettings
from imas_runtime.db import ensure_database
from imas_testing import discard_database, eventually
from tests.integration.gateway_setup import Gateway, running_gateway

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def gw(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Gateway]:
    async with running_gateway(nats_url, postgres_url, redis_url) as gateway:
        yield gateway


async def _status(gw: Gateway, token: str, path: str = "/api/v1/users/") -> int:
    return (await gw.client.get(path, headers=gw.auth(token))).status_code


async def test_a_deleted_admins_token_stops_at_once_and_cannot_be_regenerated(
    gw: Gateway,
) -> None:
    username = await gw.user("admin")
    token = (await gw.obtain(username))["token"]
    assert await _status(gw, token) == 200  # remembered by the gateway from now on
    deleted = await gw.client.delete(f"/api/v1/users/{username}/", headers=gw.auth(gw.admin))
    assert deleted.status_code == 204
    assert await _status(gw, token) == 401
    regenerated = await gw.client.post("/api/token/regenerate/", headers=gw.auth(token))
    assert regenerated.status_code == 401
    verified = await gw.client.post("/api/token/verify/", json={"token": token})
    assert verified.status_code == 401
    listed = await gw.client.get(
        "/api/v1/tokens/", params={"include_revoked": "true"}, headers=gw.auth(gw.admin)
    )
    mine = [t for t in listed.json()["results"] if t["prefix"] == token[:12]]
    assert len(mine) == 1 and mine[0]["revoked_at"]


async def test_a_demoted_users_token_never_carries_more_than_their_current_role(
    gw: Gateway,
) -> None:
    username = await gw.user("admin")
    token = (await gw.obtain(username))["token"]
    assert await _status(gw, token) == 200
    demoted = await gw.client.patch(
        f"/api/v1/users/{username}/", json={"role": "viewer"}, headers=gw.auth(gw.admin)
    )
    assert demoted.status_code == 200
    assert await _status(gw, token) == 403
    assert await _status(gw, token, "/api/v1/tokens/") == 403
    verified = await gw.client.post("/api/token/verify/", json={"token": token})
    assert verified.json()["role"] == "viewer"
    # Promoted again, the token gets back the role it was issued with, no more.
    promoted = await gw.client.patch(
        f"/api/v1/users/{username}/", json={"role": "admin"}, headers=gw.auth(gw.admin)
    )
    assert promoted.status_code == 200
    assert await _status(gw, token) == 200


async def test_a_disabled_users_tokens_stop_until_they_are_enabled_again(gw: Gateway) -> None:
    username = await gw.user("manager")
    token = (await gw.obtain(username))["token"]
    assert await _status(gw, token, "/api/v1/teams/") == 503  # let through; nothing behind
    for active, expected in ((False, 401), (True, 503)):
        changed = await gw.client.patch(
            f"/api/v1/users/{username}/", json={"active": active}, headers=gw.auth(gw.admin)
        )
        assert changed.status_code == 200
        assert await _status(gw, token, "/api/v1/teams/") == expected


async def test_a_token_named_after_an_admin_acts_as_its_own_user(gw: Gateway) -> None:
    username = await gw.user("viewer")
    token = await gw.obtain(username, name="bootstrap admin")
    assert token["name"] == "bootstrap admin" and token["role"] == "viewer"
    refused = await gw.client.post(
        "/api/v1/teams/", json={"name": "Mine"}, headers=gw.auth(token["token"])
    )
    assert refused.status_code == 403
    audit = await gw.client.get(
        "/api/v1/audit/", params={"route": "/api/v1/teams"}, headers=gw.auth(gw.admin)
    )
    row = next(r for r in audit.json()["results"] if r["token_id"] == token["id"])
    assert row["actor"] == username and row["user_id"] == token["user_id"]


async def test_obtained_tokens_live_at_most_the_maximum_and_regenerating_keeps_their_expiry(
    gw: Gateway,
) -> None:
    username = await gw.user("responder")
    too_long = await gw.client.post(
        "/api/token/obtain/",
        json={"username": username, "password": "correct horse battery", "expires_in_days": 3650},
    )
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "expires_in_days"
    assert "90" in too_long.json()["errors"][0]["message"]
    token = await gw.obtain(username, expires_in_days=90)
    expires = datetime.fromisoformat(token["expires_at"])
    assert expires <= datetime.now(UTC) + timedelta(days=90, minutes=1)
    # Regenerating again and again never moves the expiry on.
    secret = token["token"]
    for _ in range(2):
        answer = await gw.client.post("/api/token/regenerate/", headers=gw.auth(secret))
        assert answer.status_code == 200, answer.text
        assert answer.json()["expires_at"] == token["expires_at"]
        assert answer.json()["user_id"] == token["user_id"]
        secret = answer.json()["token"]
    assert await _status(gw, secret, "/api/v1/incidents/") == 503


async def test_another_gateway_forgets_a_deleted_users_token_at_once(
    gw: Gateway, nats_url: str, postgres_url: str, redis_url: str
) -> None:
    # The second gateway would remember a token for an hour: only the broadcast can stop it.
    async with running_gateway(
        nats_url,
        postgres_url,
        redis_url,
        database=gw.database,
        bootstrap_admin_token=gw.admin,
        token_cache_seconds=3600,
    ) as other:
        username = await gw.user("admin")
        token = (await gw.obtain(username))["token"]
        assert await _status(other, token) == 200
        deleted = await gw.client.delete(f"/api/v1/users/{username}/", headers=gw.auth(gw.admin))
        assert deleted.status_code == 204

        async def refused() -> None:
            assert await _status(other, token) == 401

        await eventually(refused, timeout=10)


async def test_imas_token_lists_and_revokes_the_tokens_of_one_user(
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

    alice, bob = await gw.user("responder"), await gw.user("responder")
    mine = [(await gw.obtain(alice, name=f"laptop {i}"))["token"] for i in range(2)]
    theirs = (await gw.obtain(bob))["token"]
    assert await run(args("list", "--user", alice), as_(gw.admin)) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert sorted(line.split()[1] for line in lines) == sorted(t[:12] for t in mine)
    assert all(alice in line for line in lines)
    assert await run(args("revoke", "--user", alice), as_(gw.admin)) == 0
    assert "revoked 2 token(s)" in capsys.readouterr().out
    assert [await _status(gw, t, "/api/v1/incidents/") for t in mine] == [401, 401]
    assert await _status(gw, theirs, "/api/v1/incidents/") == 503
    assert await run(args("list", "--user", "nobody-at-all"), as_(gw.admin)) == 1
    assert "400" in capsys.readouterr().err


async def test_the_bootstrap_token_follows_its_variable(
    nats_url: str, postgres_url: str, redis_url: str
) -> None:
    database = f"t_gwboot_{uuid.uuid4().hex[:8]}"
    first, second = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    common: dict[str, Any] = {"database": database}
    try:
        async with running_gateway(
            nats_url, postgres_url, redis_url, bootstrap_admin_token=first, **common
        ) as gw:
            assert await _status(gw, first) == 200
            revoked = await gw.client.post("/api/token/revoke/", json={"token": first})
            assert revoked.status_code == 200
        # Still the variable's value at the next start: valid again.
        async with running_gateway(
            nats_url, postgres_url, redis_url, bootstrap_admin_token=first, **common
        ) as gw:
            assert await _status(gw, first) == 200
        # A new value replaces the old one.
        async with running_gateway(
            nats_url, postgres_url, redis_url, bootstrap_admin_token=second, **common
        ) as gw:
            assert await _status(gw, second) == 200
            assert await _status(gw, first) == 401
        # Emptied: no bootstrap token at all.
        async with running_gateway(
            nats_url, postgres_url, redis_url, bootstrap_admin_token="", **common
        ) as gw:
            assert await _status(gw, second) == 401
            assert await _status(gw, first) == 401
    finally:
        discard_database(postgres_url, database)


@pytest.mark.parametrize("value", ["imas-dev-admin-token", "x" * 31])
async def test_a_bootstrap_token_under_32_characters_is_refused_at_start(
    value: str, postgres_url: str
) -> None:
    settings = GatewaySettings(service="gateway", database="unused", bootstrap_admin_token=value)
    with pytest.raises(ValueError, match="at least 32 characters"):
        create_app(settings)


async def test_tokens_issued_before_the_maximum_existed_are_brought_within_it(
    nats_url: str, postgres_url: str, redis_url: str
) -> None:
    database = f"t_gwcap_{uuid.uuid4().hex[:8]}"
    await ensure_database(postgres_url, database)
    try:
        async with running_gateway(nats_url, postgres_url, redis_url, database=database) as gw:
            username = await gw.user("viewer")
            token = await gw.obtain(username)
            async with gw.engine.begin() as conn:
                await conn.execute(
                    text(
                        "UPDATE api_tokens SET expires_at = now() + interval '10 years'"
                        " WHERE user_id IS NOT NULL"
                    )
                )
            admin = gw.admin
        async with running_gateway(
            nats_url, postgres_url, redis_url, database=database, bootstrap_admin_token=admin
        ) as gw:
            listed = await gw.client.get(
                "/api/v1/tokens/", params={"user": username}, headers=gw.auth(admin)
            )
            [found] = listed.json()["results"]
            assert found["id"] == token["id"]
            expires = datetime.fromisoformat(found["expires_at"])
            assert expires <= datetime.now(UTC) + timedelta(days=90, minutes=1)
            # The admin's own token (of no user) keeps its lifetime.
            admins = [
                r
                for r in (await gw.client.get("/api/v1/tokens/", headers=gw.auth(admin))).json()[
                    "results"
                ]
                if r["user_id"] is None
            ]
            assert admins and all(r["expires_at"] is None for r in admins)
    finally:
        discard_database(postgres_url, database)
