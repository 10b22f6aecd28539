"""Admin pages: users (list, add) and API tokens (list, create — the secret shown once —,
revoke). Like ``/api/v1/users/`` and ``/api/v1/tokens/``, admins only: others get a 403 page
and never see the links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Redirect

from imas_gateway.domain import ROLES, TokenCreate, check_token_create
from imas_gateway.ui.auth_pages import current, posted
from imas_gateway.ui.config_pages import require_admin
from imas_gateway.ui.render import render
from imas_gateway.usecases import Tokens
from imas_gateway.users import USER_ROLES, UserBody, UserDirectory
from imas_runtime.errors import Invalid, ServiceError

DEFAULT_TOKEN_DAYS = 90


def _errors(exc: ServiceError) -> dict[str, str]:
    """Field → reason; the message alone under "" when no field is named."""
    return {e.field: e.message for e in exc.errors} or {"": exc.message}


async def _users_page(
    request: Request[Any, Any, Any],
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    users: UserDirectory = request.app.state.users
    return render(
        request,
        "users.html",
        status_code=status_code,
        users=await users.list(),
        roles=USER_ROLES,
        errors=errors or {},
        form=form or {},
    )


@get("/admin/users", include_in_schema=False)
async def users_page(request: Request[Any, Any, Any]) -> Response[str]:
    require_admin(current(request))
    return await _users_page(request)


@post("/admin/users", include_in_schema=False, status_code=303)
async def user_create(request: Request[Any, Any, Any]) -> Any:
    """Adds a user; a refused field is shown next to its input."""
    session, form = await posted(request)
    require_admin(session)
    body = UserBody(
        username=form.get("username", ""),
        password=form.get("password", ""),
        role=form.get("role", ""),
        full_name=form.get("full_name", ""),
        email=form.get("email", ""),
    )
    users: UserDirectory = request.app.state.users
    try:
        await users.create(body)
    except ServiceError as exc:
        kept = {k: v for k, v in form.items() if k != "password"}
        return await _users_page(request, errors=_errors(exc), form=kept, status_code=400)
    return Redirect("/admin/users", status_code=303)


async def _tokens_page(
    request: Request[Any, Any, Any],
    *,
    created: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    tokens: Tokens = request.app.state.tokens
    return render(
        request,
        "tokens.html",
        status_code=status_code,
        tokens=await tokens.list(include_revoked=False),
        roles=ROLES,
        created=created,
        errors=errors or {},
        form=form or {"expires_in_days": str(DEFAULT_TOKEN_DAYS)},
    )


@get("/admin/tokens", include_in_schema=False)
async def tokens_page(request: Request[Any, Any, Any]) -> Response[str]:
    require_admin(current(request))
    return await _tokens_page(request)


def _token_spec(form: dict[str, str]) -> TokenCreate:
    days = form.get("expires_in_days", "").strip()
    if days and not days.isdigit():
        raise Invalid.field("expires_in_days", "must be a whole number of days")
    raw = {
        "name": form.get("name", ""),
        "role": form.get("role", ""),
        "expires_in_days": int(days) if days.isdigit() else None,
        "scopes": [s.strip() for s in form.get("scopes", "").split(",") if s.strip()],
    }
    spec = msgspec.convert(raw, TokenCreate)
    return check_token_create(spec, datetime.now(UTC))


@post("/admin/tokens", include_in_schema=False, status_code=200)
async def token_create(request: Request[Any, Any, Any]) -> Response[str]:
    """Creates a token and shows its secret, this once (only its hash is kept)."""
    session, form = await posted(request)
    require_admin(session)
    tokens: Tokens = request.app.state.tokens
    try:
        created = await tokens.create(_token_spec(form), created_by=session.username)
    except ServiceError as exc:
        return await _tokens_page(request, errors=_errors(exc), form=form, status_code=400)
    return await _tokens_page(request, created=created)


@post("/admin/tokens/{token_id:str}/revoke", include_in_schema=False, status_code=303)
async def token_revoke(request: Request[Any, Any, Any], token_id: str) -> Any:
    """It stops working at once on this gateway, within seconds on the others."""
    session, _ = await posted(request)
    require_admin(session)
    tokens: Tokens = request.app.state.tokens
    await tokens.revoke(token_id)
    return Redirect("/admin/tokens", status_code=303)


ADMIN_ROUTES = [users_page, user_create, tokens_page, token_create, token_revoke]
