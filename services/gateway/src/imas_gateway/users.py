"""Users: argon2 passwords, roles, the bootstrap admin and the admin-only ``/api/v1/users/``.

Passwords are write-only: they are hashed with argon2 on the way in and never returned.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_gateway import users_store as store
from imas_gateway.api_params import decode_body
from imas_gateway.auth import authenticate, role
from imas_gateway.domain import Principal
from imas_gateway.oidc import SignedIn, SignInRefused
from imas_runtime.errors import Conflict, Invalid, NotFound

USER_ROLES = ("viewer", "operator", "responder", "manager", "admin")
BOOTSTRAP_ADMIN = "admin"
MIN_PASSWORD = 8

_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


async def hash_password(password: str) -> str:
    """argon2id, off the event loop: hashing is deliberately slow."""
    return await asyncio.to_thread(_hasher.hash, password)


async def password_matches(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def user_principal(row: Any) -> Principal:
    """The principal of a signed-in user."""
    return Principal(
        token_id="", name=row.username, role=row.role, user_id=str(row.id), username=row.username
    )


def user_json(row: Any) -> dict[str, object]:
    """A user as the API shows it: never the password or its hash."""
    return {
        "id": str(row.id),
        "username": row.username,
        "full_name": row.full_name,
        "email": row.email,
        "role": row.role,
        "active": row.active,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "last_login_at": row.last_login_at.isoformat() if row.last_login_at else None,
    }


async def verify_password(engine: AsyncEngine, username: str, password: str) -> Principal | None:
    """The principal of an active user whose password matches, else None (records the login)."""
    async with engine.connect() as conn:
        row = await store.find_user(conn, username.strip()) if username.strip() else None
    if row is None or not row.active:
        await password_matches(_DUMMY_HASH, password)
        return None
    if not await password_matches(row.password_hash, password):
        return None
    async with engine.begin() as conn:
        await store.touch_login(conn, row.id)
    return user_principal(row)


async def ensure_bootstrap_admin(engine: AsyncEngine, password: str) -> None:
    """Make ``admin`` an active admin with this password (``IMAS_BOOTSTRAP_ADMIN_PASSWORD``);
    safe to run at every start."""
    hashed = await hash_password(password)
    async with engine.begin() as conn:
        row = await store.find_user(conn, BOOTSTRAP_ADMIN)
        if row is None:
            values = {"username": BOOTSTRAP_ADMIN, "password_hash": hashed, "role": "admin"}
            if await store.insert_user(conn, values) is not None:
                return
            row = await store.find_user(conn, BOOTSTRAP_ADMIN)
        assert row is not None  # inserted by us or by a concurrent start
        if not await password_matches(row.password_hash, password) or row.role != "admin":
            await store.update_user(
                conn, row.id, {"password_hash": hashed, "role": "admin", "active": True}
            )


# Users who sign in with single sign-on have no password: no password matches this hash.
NO_PASSWORD = "!single-sign-on"


async def single_sign_on_user(engine: AsyncEngine, who: SignedIn, default_role: str) -> Principal:
    """The user the OIDC provider signed in. Known by their subject: name and email follow
    the provider, and the role too when the role claim names one. Otherwise created, with the
    claim's role or ``default_role`` (none: refused). A disabled user, or a username held by
    another account, is refused."""
    async with engine.begin() as conn:
        row = await store.find_by_oidc_subject(conn, who.subject)
        if row is None:
            role = who.role or default_role
            if role not in USER_ROLES:
                raise SignInRefused("no IMAS role is given to you: ask an administrator")
            if not who.username:
                raise SignInRefused("the provider gave no username, email or subject")
            values = {
                "username": who.username,
                "password_hash": NO_PASSWORD,
                "role": role,
                "full_name": who.full_name,
                "email": who.email,
                "oidc_subject": who.subject,
            }
            row = await store.insert_user(conn, values)
            if row is None:
                raise SignInRefused(f"the username {who.username} belongs to another account")
        else:
            changes = {"full_name": who.full_name or row.full_name, "email": who.email or row.email}
            if who.role:
                changes["role"] = who.role
            row = await store.update_user(conn, row.id, changes)
        if not row.active:
            raise SignInRefused("this account is disabled")
        await store.touch_login(conn, row.id)
    return user_principal(row)


class UserBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Create (username, password and role required) or PATCH (any field) a user."""

    username: str | msgspec.UnsetType = msgspec.UNSET
    password: str | msgspec.UnsetType = msgspec.UNSET
    role: str | msgspec.UnsetType = msgspec.UNSET
    full_name: str | msgspec.UnsetType = msgspec.UNSET
    email: str | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


async def user_values(body: UserBody, *, creating: bool) -> dict[str, Any]:
    """The columns to write, validated; raises ``Invalid`` naming the field."""
    if creating:
        for name in ("username", "password", "role"):
            if getattr(body, name) is msgspec.UNSET:
                raise Invalid.field(name, "is required")
    values: dict[str, Any] = {
        name: getattr(body, name)
        for name in ("username", "role", "full_name", "email", "active")
        if getattr(body, name) is not msgspec.UNSET
    }
    if "username" in values:
        values["username"] = values["username"].strip()
        if not values["username"] or len(values["username"]) > 150:
            raise Invalid.field("username", "must be 1 to 150 characters")
    if "role" in values and values["role"] not in USER_ROLES:
        raise Invalid.field("role", f"must be one of {', '.join(USER_ROLES)}")
    if isinstance(body.password, str):
        if len(body.password) < MIN_PASSWORD:
            raise Invalid.field("password", f"must be at least {MIN_PASSWORD} characters")
        values["password_hash"] = await hash_password(body.password)
    return values


class UserDirectory:
    """The users use cases; every change signs the user out of the dashboard (their sessions
    are dropped), so a new role or password applies at once."""

    def __init__(self, engine: AsyncEngine, sign_out: Any = None) -> None:
        self.engine = engine
        self.sign_out = sign_out

    async def list(self) -> list[dict[str, object]]:
        async with self.engine.connect() as conn:
            return [user_json(row) for row in await store.list_users(conn)]

    async def get(self, ref: str) -> dict[str, object]:
        async with self.engine.connect() as conn:
            return user_json(await self._found(conn, ref))

    async def create(self, body: UserBody) -> dict[str, object]:
        """409 when the username is taken."""
        values = await user_values(body, creating=True)
        async with self.engine.begin() as conn:
            row = await store.insert_user(conn, values)
        if row is None:
            raise Conflict.field("username", f"'{values['username']}' is taken")
        return user_json(row)

    async def update(self, ref: str, body: UserBody) -> dict[str, object]:
        values = await user_values(body, creating=False)
        async with self.engine.begin() as conn:
            row = await self._found(conn, ref)
            renamed = values.get("username", row.username) != row.username
            if renamed and await store.find_user(conn, values["username"]) is not None:
                raise Conflict.field("username", f"'{values['username']}' is taken")
            row = await store.update_user(conn, row.id, values) if values else row
        await self._sign_out(row.id)
        return user_json(row)

    async def delete(self, ref: str) -> None:
        async with self.engine.begin() as conn:
            row = await self._found(conn, ref)
            await store.delete_user(conn, row.id)
        await self._sign_out(row.id)

    async def _found(self, conn: Any, ref: str) -> Any:
        row = await store.find_user(conn, ref)
        if row is None:
            raise NotFound(f"no user '{ref}'")
        return row

    async def _sign_out(self, user_id: uuid.UUID) -> None:
        if self.sign_out is not None:
            await self.sign_out(str(user_id))


def _directory(request: Request[Any, Any, Any]) -> UserDirectory:
    directory: UserDirectory = request.app.state.users
    return directory


class UsersController(Controller):
    """``/api/v1/users/``: admins only; ``password`` is accepted, never returned."""

    path = "/api/v1/users"
    tags = ["users"]
    opt = role("admin")
    dependencies = {
        "principal": Provide(authenticate),
        "users": Provide(_directory, sync_to_thread=False),
    }

    @get("/", summary="Users")
    async def list_users(
        self, principal: NamedDependency[Principal], users: NamedDependency[UserDirectory]
    ) -> dict[str, object]:
        results = await users.list()
        return {"count": len(results), "next": None, "previous": None, "results": results}

    @post("/", status_code=201, summary="Create a user", opt={"body": UserBody})
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
    ) -> dict[str, object]:
        """Body: ``username``, ``password`` (at least 8 characters), ``role`` (viewer, operator,
        responder, manager, admin), optional ``full_name``, ``email``, ``active``."""
        return await users.create(decode_body(await request.body(), UserBody))

    @get("/{ref:str}/", summary="A user")
    async def detail(
        self, principal: NamedDependency[Principal], users: NamedDependency[UserDirectory], ref: str
    ) -> dict[str, object]:
        return await users.get(ref)

    @patch(
        "/{ref:str}/", summary="Change a user (role, password, active, ...)", opt={"body": UserBody}
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        users: NamedDependency[UserDirectory],
        ref: str,
    ) -> dict[str, object]:
        return await users.update(ref, decode_body(await request.body(), UserBody))

    @delete("/{ref:str}/", summary="Delete a user")
    async def remove(
        self, principal: NamedDependency[Principal], users: NamedDependency[UserDirectory], ref: str
    ) -> None:
        await users.delete(ref)
