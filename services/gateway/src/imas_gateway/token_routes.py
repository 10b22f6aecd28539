"""API tokens over HTTP: ``/api/v1/tokens/`` (admins) and ``/api/token/obtain|verify|revoke|
regenerate/`` (the token's holder)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from imas_gateway import api_params as params
from imas_gateway.auth import authenticate, role
from imas_gateway.docs_routes import PAGED
from imas_gateway.domain import (
    PUBLIC,
    NewTokenJson,
    Principal,
    TokenCreate,
    TokenJson,
    VerifiedTokenJson,
    check_token_create,
    token_json,
)
from imas_gateway.problems import RateLimited, Unauthorized
from imas_gateway.ratelimit import Limit, RateLimiter
from imas_gateway.usecases import Tokens
from imas_gateway.users import verify_password
from imas_runtime.errors import Invalid

# Password guesses allowed per username (and per client address) per minute.
OBTAIN_LIMIT = Limit.per_window(10, 60)


def _tokens(request: Request[Any, Any, Any]) -> Tokens:
    tokens: Tokens = request.app.state.tokens
    return tokens


_DEPENDENCIES = {
    "principal": Provide(authenticate),
    "tokens": Provide(_tokens, sync_to_thread=False),
}


class TokenController(Controller):
    """Create (the secret is in this answer only), list and revoke API tokens."""

    path = "/api/v1/tokens"
    tags = ["tokens"]
    opt = role("admin", answer=TokenJson)
    dependencies = _DEPENDENCIES

    @post(
        "/",
        status_code=201,
        summary="Create an API token (shown once)",
        opt={"body": TokenCreate, "answer": NewTokenJson},
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
    ) -> dict[str, Any]:
        """Body: ``name``, ``role`` (viewer, operator, responder, manager, admin, integration),
        optional ``expires_at`` or ``expires_in_days``, ``scopes`` (route tags such as
        ``incidents``), ``rate_limit`` requests per ``rate_window`` seconds."""
        spec = check_token_create(
            params.decode_body(await request.body(), TokenCreate), datetime.now(UTC)
        )
        return await tokens.create(spec, created_by=principal.name)

    @get("/", summary="API tokens (never their secrets)", opt=PAGED)
    async def list_tokens(
        self,
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
        include_revoked: bool = Parameter(default=False, description="Revoked ones too"),
    ) -> dict[str, Any]:
        results = await tokens.list(include_revoked=include_revoked)
        return {"count": len(results), "next": None, "previous": None, "results": results}

    @delete("/{token_id:str}/", status_code=204, summary="Revoke an API token")
    async def revoke(
        self, principal: NamedDependency[Principal], tokens: NamedDependency[Tokens], token_id: str
    ) -> None:
        """It stops working at once on this gateway, within seconds on the others."""
        await tokens.revoke(token_id)


class Credentials(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: str
    password: str
    name: str = ""
    expires_in_days: int = 30


class TokenBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: str


async def _known(tokens: Tokens, body: bytes) -> Any:
    row = await tokens.active(params.decode_body(body, TokenBody).token)
    if row is None:
        raise Unauthorized.field("token", "unknown, revoked or expired")
    return row


class TokenAuthController(Controller):
    path = "/api/token"
    tags = ["tokens"]
    opt = role(PUBLIC)
    dependencies = _DEPENDENCIES

    @post(
        "/obtain/",
        status_code=200,
        summary="Exchange a username and password for a token",
        opt={"body": Credentials, "answer": NewTokenJson},
    )
    async def obtain(
        self, request: Request[Any, Any, Any], tokens: NamedDependency[Tokens]
    ) -> dict[str, Any]:
        """Body ``{"username", "password"}`` (optional ``name``, ``expires_in_days``, 30 by
        default); the token carries the user's role. 401 for wrong credentials, 429 after ten
        attempts a minute for one username."""
        body = params.decode_body(await request.body(), Credentials)
        limiter: RateLimiter = request.app.state.rate_limiter
        verdict = await limiter.hit(f"obtain:{body.username.strip().lower()}", OBTAIN_LIMIT)
        if not verdict.allowed:
            raise RateLimited("too many attempts for this username", verdict.headers())
        user = await verify_password(request.app.state.runtime.engine, body.username, body.password)
        if user is None:
            raise Unauthorized.field("password", "wrong username or password")
        user_id = user.user_id or user.token_id.removeprefix("user:") or None
        spec = check_token_create(
            TokenCreate(
                name=body.name or f"{user.name} (obtained)",
                role=user.role,
                expires_in_days=body.expires_in_days,
            ),
            datetime.now(UTC),
        )
        return await tokens.create(spec, created_by=user.name, user_id=user_id)

    @post(
        "/verify/",
        status_code=200,
        summary="Whether a token is valid, and what it is",
        opt={"body": TokenBody, "answer": VerifiedTokenJson},
    )
    async def verify(
        self, request: Request[Any, Any, Any], tokens: NamedDependency[Tokens]
    ) -> dict[str, Any]:
        """Body ``{"token"}``; 200 with the token's details, 401 when it is not valid."""
        return {"valid": True, **token_json(await _known(tokens, await request.body()))}

    @post(
        "/revoke/",
        status_code=200,
        summary="Revoke the token given",
        opt={"body": TokenBody, "answer": TokenJson},
    )
    async def revoke(
        self, request: Request[Any, Any, Any], tokens: NamedDependency[Tokens]
    ) -> dict[str, Any]:
        """Body ``{"token"}``: whoever holds a token may revoke it."""
        row = await _known(tokens, await request.body())
        return await tokens.revoke(str(row.id))

    @post(
        "/regenerate/",
        status_code=200,
        summary="Replace the calling token with a new one",
        opt=role("viewer", integration=True, answer=NewTokenJson),
    )
    async def regenerate(
        self,
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
    ) -> dict[str, Any]:
        """Authenticated by the token to replace (``Authorization``): it is revoked and a new
        one with the same role, scopes, limits and lifetime is returned, once."""
        if not principal.token_id or principal.token_id.startswith("user:"):
            raise Invalid.field("Authorization", "send the token to regenerate")
        return await tokens.regenerate(principal.token_id)


TOKEN_ROUTES = [TokenController, TokenAuthController]
