"""API tokens over HTTP: ``/api/v1/tokens/`` (admins) and ``/api/token/obtain|verify|revoke|
regenerate/`` (the token's holder)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from imas_gateway.api.docs import PAGED
from imas_gateway.auth.guard import Role, role
from imas_gateway.auth.throttle import SignInThrottle
from imas_gateway.auth.tokens import Tokens
from imas_gateway.domain import (
    PUBLIC,
    NewTokenJson,
    Principal,
    TokenCreate,
    TokenJson,
    TokenPatch,
    VerifiedTokenJson,
    check_token_create,
)
from imas_gateway.http.problems import Unauthorized
from imas_gateway.http.request import Request
from imas_runtime.errors import Invalid, NotFound


class TokenController(Controller):
    """Create (the secret is in this answer only), list and revoke API tokens."""

    path = "/api/v1/tokens"
    tags = ["tokens"]
    opt = role(Role.ADMIN, answer=TokenJson)

    @post(
        "/",
        status_code=201,
        summary="Create an API token (shown once)",
        opt={"answer": NewTokenJson},
    )
    async def create(
        self,
        data: JSONBody[TokenCreate],
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
    ) -> dict[str, Any]:
        """Body: ``name``, ``role`` (viewer, operator, responder, manager, admin, integration),
        optional ``expires_at`` or ``expires_in_days``, ``scopes`` (route tags such as
        ``incidents``), ``rate_limit`` requests per ``rate_window`` seconds."""
        spec = check_token_create(data, datetime.now(UTC))
        return await tokens.create(spec, created_by=principal.name)

    @get("/", summary="API tokens (never their secrets)", opt=PAGED)
    async def list_tokens(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
        include_revoked: bool = Parameter(default=False, description="Revoked ones too"),
        user: str = Parameter(default="", description="Only the tokens of this user (name or id)"),
    ) -> dict[str, Any]:
        user_id = await _user_id(request, user) if user else None
        results = await tokens.list(include_revoked=include_revoked, user_id=user_id)
        return {"count": len(results), "next": None, "previous": None, "results": results}

    @patch("/{token_id:str}/", summary="Change an API token (role, scopes, limits, expiry)")
    async def update(
        self,
        data: JSONBody[TokenPatch],
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
        token_id: FromPath[str],
    ) -> dict[str, Any]:
        """Body: any of ``role``, ``scopes``, ``rate_limit``, ``rate_window``, ``expires_at``
        (``null`` clears a limit or the expiry). The secret never changes; a user's token and
        the bootstrap token are refused (400)."""
        return await tokens.update(token_id, data)

    @delete("/{token_id:str}/", status_code=204, summary="Revoke an API token")
    async def revoke(
        self,
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
        token_id: FromPath[str],
    ) -> None:
        """It stops working at once on this gateway, within seconds on the others."""
        await tokens.revoke(token_id)


async def _user_id(request: Request, ref: str) -> Any:
    try:
        return await request.gateway.users.id_of(ref)
    except NotFound:
        raise Invalid.field("user", f"no user '{ref}'") from None


class Credentials(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /api/token/obtain/``: ``name`` is a label for the token, never who it is."""

    username: str
    password: str
    name: str = ""
    expires_in_days: int = 30


class TokenBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    token: str


async def _known(tokens: Tokens, body: TokenBody) -> dict[str, Any]:
    found = await tokens.active(body.token)
    if found is None:
        raise Unauthorized.field("token", "unknown, revoked or expired")
    return found


class TokenAuthController(Controller):
    path = "/api/token"
    tags = ["tokens"]
    opt = role(PUBLIC)

    @post(
        "/obtain/",
        status_code=200,
        summary="Exchange a username and password for a token",
        opt={"answer": NewTokenJson},
    )
    async def obtain(
        self, data: JSONBody[Credentials], request: Request, tokens: NamedDependency[Tokens]
    ) -> dict[str, Any]:
        """Body ``{"username", "password"}`` (optional ``name``, a label, and
        ``expires_in_days``: 30 by default, at most the gateway's ``token_max_days``, 90 by
        default). The token belongs to the user: it carries their role, never more than their
        current one, and stops when they are deleted or disabled. 401 for wrong credentials;
        429 with ``Retry-After`` after too many failures from the caller's address or for the
        username (see ``imas_gateway.auth.throttle``)."""
        max_days = request.gateway.settings.token_max_days
        if not 1 <= data.expires_in_days <= max_days:
            raise Invalid.field("expires_in_days", f"must be between 1 and {max_days}")
        throttle: SignInThrottle = request.gateway.sign_in
        attempt = await throttle.attempt(request.scope, data.username)
        user = await request.gateway.users.verify_password(data.username, data.password)
        if user is None:
            raise Unauthorized.field("password", "wrong username or password")
        await throttle.succeeded(attempt)
        spec = check_token_create(
            TokenCreate(
                name=data.name or f"{user.username} (obtained)",
                role=user.role,
                expires_in_days=data.expires_in_days,
            ),
            datetime.now(UTC),
        )
        return await tokens.create(spec, created_by=user.username, user_id=user.user_id)

    @post(
        "/verify/",
        status_code=200,
        summary="Whether a token is valid, and what it is",
        opt={"answer": VerifiedTokenJson},
    )
    async def verify(
        self, data: JSONBody[TokenBody], tokens: NamedDependency[Tokens]
    ) -> dict[str, Any]:
        """Body ``{"token"}``; 200 with the token's details, 401 when it is not valid."""
        return {"valid": True, **(await _known(tokens, data))}

    @post(
        "/revoke/",
        status_code=200,
        summary="Revoke the token given",
        opt={"answer": TokenJson},
    )
    async def revoke(
        self, data: JSONBody[TokenBody], tokens: NamedDependency[Tokens]
    ) -> dict[str, Any]:
        """Body ``{"token"}``: whoever holds a token may revoke it."""
        found = await _known(tokens, data)
        return await tokens.revoke(str(found["id"]))

    @post(
        "/regenerate/",
        status_code=200,
        summary="Replace the calling token with a new one",
        opt=role(Role.VIEWER, integration=True, answer=NewTokenJson),
    )
    async def regenerate(
        self,
        principal: NamedDependency[Principal],
        tokens: NamedDependency[Tokens],
    ) -> dict[str, Any]:
        """Authenticated by the token to replace (``Authorization``): it is revoked and a new
        one with the same role, scopes, limits and expiry is returned, once."""
        if not principal.token_id:
            raise Invalid.field("Authorization", "send the token to regenerate")
        return await tokens.regenerate(principal.token_id)
