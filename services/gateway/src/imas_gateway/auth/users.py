"""Users: argon2 passwords, roles and the bootstrap admin (their API is ``api.users``).

Passwords are write-only: they are hashed with argon2 on the way in and never returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from imas_gateway import store as gateway_store
from imas_gateway import users_store as store
from imas_gateway.auth.oidc import SignedIn, SignInRefused
from imas_gateway.auth.passwords import Passwords
from imas_gateway.auth.tokens import Authenticator
from imas_gateway.domain import PEOPLE_ROLES, Holder, holder_of
from imas_runtime.errors import Conflict, Invalid, NotFound

USER_ROLES = ("viewer", "operator", "responder", "manager", "admin")
BOOTSTRAP_ADMIN = "admin"
MIN_PASSWORD = 8


def user_json(row: Any) -> dict[str, object]:
    """A user as the API shows it: never the password or its hash."""
    return {
        "id": str(row.id),
        "username": row.username,
        "full_name": row.full_name,
        "email": row.email,
        "role": row.role,
        "email_verified": row.email_verified,
        "active": row.active,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
        "last_login_at": row.last_login_at.isoformat() if row.last_login_at else None,
    }


# Users who sign in with single sign-on have no password: no password matches this hash.
NO_PASSWORD = "!single-sign-on"


class RevokedTokens(msgspec.Struct, kw_only=True):
    """How many tokens were revoked."""

    revoked: int


class UserBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Create (username, password and role required) or PATCH (any field) a user."""

    username: str | msgspec.UnsetType = msgspec.UNSET
    password: str | msgspec.UnsetType = msgspec.UNSET
    role: str | msgspec.UnsetType = msgspec.UNSET
    full_name: str | msgspec.UnsetType = msgspec.UNSET
    email: str | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


async def user_values(body: UserBody, passwords: Passwords, *, creating: bool) -> dict[str, Any]:
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
    if "email" in values:
        values["email_verified"] = True  # an admin vouches for the e-mails they set
    if "role" in values and values["role"] not in USER_ROLES:
        raise Invalid.field("role", f"must be one of {', '.join(USER_ROLES)}")
    if isinstance(body.password, str):
        if len(body.password) < MIN_PASSWORD:
            raise Invalid.field("password", f"must be at least {MIN_PASSWORD} characters")
        values["password_hash"] = await passwords.hash(body.password)
    return values


# A change to any of these ends the user's sessions (see ``users.credentials_version``).
CREDENTIALS = ("role", "password_hash", "active")


class UserDirectory:
    """The users use cases. Deleting a user revokes their tokens; disabling them, or changing
    their role or password, ends their sessions: all at once, on every gateway (see
    ``Authenticator.changed``). Tokens of a disabled user stop working until they are enabled
    again, and never carry more than the user's current role."""

    def __init__(
        self,
        engine: AsyncEngine,
        authenticator: Authenticator,
        passwords: Passwords,
        sign_out: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.engine = engine
        self.authenticator = authenticator
        self.passwords = passwords
        self.sign_out = sign_out

    async def verify_password(self, username: str, password: str) -> Holder | None:
        """The active user whose password matches, else None (records the login, and hashes
        the password again when its hash is outdated)."""
        name = username.strip()
        async with self.engine.connect() as conn:
            row = await store.find_user(conn, name) if name else None
        if row is None or not row.active:
            await self.passwords.no_one_matches(password)
            return None
        if not await self.passwords.matches(row.password_hash, password):
            return None
        rehashed = None
        if self.passwords.outdated(row.password_hash):
            rehashed = await self.passwords.hash(password)
        async with self.engine.begin() as conn:
            await store.touch_login(conn, row.id, password_hash=rehashed)
        return holder_of(row)

    async def ensure_bootstrap_admin(self, password: str) -> None:
        """Make ``admin`` an active admin with this password (``IMAS_BOOTSTRAP_ADMIN_PASSWORD``);
        safe to run at every start."""
        hashed = await self.passwords.hash(password)
        async with self.engine.begin() as conn:
            row = await store.find_user(conn, BOOTSTRAP_ADMIN)
            if row is None:
                values = {"username": BOOTSTRAP_ADMIN, "password_hash": hashed, "role": "admin"}
                if await store.insert_user(conn, values) is not None:
                    return
                row = await store.find_user(conn, BOOTSTRAP_ADMIN)
            assert row is not None  # inserted by us or by a concurrent start
            if not await self.passwords.matches(row.password_hash, password) or row.role != "admin":
                await store.update_user(
                    conn,
                    row.id,
                    {"password_hash": hashed, "role": "admin", "active": True},
                    end_sessions=True,
                )

    async def list(self) -> list[dict[str, object]]:
        async with self.engine.connect() as conn:
            return [user_json(row) for row in await store.list_users(conn)]

    async def acting_as(self, email: str) -> tuple[str, str] | None:
        """(role, user id) of the IMAS user a catalog person with ``email`` acts as: the
        active user whose *verified* e-mail it is (set by an admin, or verified by the single
        sign-on provider: anyone can claim an e-mail at a provider that does not check it).
        Several such users: the one with the least role. None when there is none."""
        wanted = email.strip().lower()
        if not wanted:
            return None
        found = [
            (str(user["role"]), str(user["id"]))
            for user in await self.list()
            if user["active"]
            and user["email_verified"]
            and str(user["email"]).strip().lower() == wanted
            and user["role"] in PEOPLE_ROLES
        ]
        return min(found, key=lambda f: PEOPLE_ROLES.index(f[0]), default=None)

    async def get(self, ref: str) -> dict[str, object]:
        async with self.engine.connect() as conn:
            return user_json(await self._found(conn, ref))

    async def id_of(self, ref: str) -> uuid.UUID:
        """The id of the user ``ref`` (a username or an id); 404 when there is none."""
        async with self.engine.connect() as conn:
            found: uuid.UUID = (await self._found(conn, ref)).id
            return found

    async def create(self, body: UserBody) -> dict[str, object]:
        """409 when the username is taken."""
        values = await user_values(body, self.passwords, creating=True)
        async with self.engine.begin() as conn:
            row = await store.insert_user(conn, values)
        if row is None:
            raise Conflict.field("username", f"'{values['username']}' is taken")
        return user_json(row)

    async def update(self, ref: str, body: UserBody) -> dict[str, object]:
        values = await user_values(body, self.passwords, creating=False)
        async with self.engine.begin() as conn:
            row = await self._found(conn, ref)
            renamed = values.get("username", row.username) != row.username
            if renamed and await store.find_user(conn, values["username"]) is not None:
                raise Conflict.field("username", f"'{values['username']}' is taken")
            ends_sessions = "password_hash" in values or any(
                name in values and values[name] != getattr(row, name) for name in CREDENTIALS
            )
            if values:
                row = await store.update_user(conn, row.id, values, end_sessions=ends_sessions)
        await self._changed(row.id)
        return user_json(row)

    async def delete(self, ref: str) -> None:
        """The user goes, and every token of theirs is revoked with them."""
        async with self.engine.begin() as conn:
            row = await self._found(conn, ref)
            await gateway_store.revoke_user_tokens(conn, row.id)
            await store.delete_user(conn, row.id)
        await self._changed(row.id)

    async def revoke_tokens(self, ref: str) -> int:
        """Revoke every token of the user still in use; how many."""
        async with self.engine.begin() as conn:
            row = await self._found(conn, ref)
            revoked = await gateway_store.revoke_user_tokens(conn, row.id)
        await self.authenticator.changed(token_ids=[str(t) for t in revoked])
        return len(revoked)

    async def single_sign_on(
        self, who: SignedIn, *, default_role: str, roles_from_claim: bool
    ) -> Holder:
        """The user the OIDC provider signed in, known by their subject; created on their
        first sign-in with the claim's role or ``default_role`` (none: refused). Name and
        e-mail follow the provider, and so does ``email_verified``. When roles come from the
        claim (``roles_from_claim``), the role follows it at every sign-in, down as well as
        up: a claim that names no IMAS role any more gives ``default_role``, or, without one,
        refuses the sign-in. A new role ends the user's other sessions. A disabled user, or a
        username held by another account, is refused."""
        role = who.role or default_role
        refusal = ""
        async with self.engine.begin() as conn:
            row = await store.find_by_oidc_subject(conn, who.subject)
            if row is None:
                row = await self._first_sign_in(conn, who, role)
                ended = False
            else:
                changes: dict[str, Any] = {
                    "full_name": who.full_name or row.full_name,
                    "email": who.email or row.email,
                    "email_verified": who.email_verified if who.email else row.email_verified,
                }
                if roles_from_claim and role in USER_ROLES:
                    changes["role"] = role
                elif roles_from_claim:
                    refusal = "no IMAS role is given to you any more: ask an administrator"
                ended = roles_from_claim and changes.get("role") != row.role
                row = await store.update_user(conn, row.id, changes, end_sessions=ended)
            if row.active and not refusal:
                await store.touch_login(conn, row.id)
        if ended:
            await self._changed(row.id)
        if refusal:
            raise SignInRefused(refusal)
        if not row.active:
            raise SignInRefused("this account is disabled")
        return holder_of(row)

    async def _first_sign_in(self, conn: Any, who: SignedIn, role: str) -> Any:
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
            "email_verified": who.email_verified,
            "oidc_subject": who.subject,
        }
        row = await store.insert_user(conn, values)
        if row is None:
            raise SignInRefused(f"the username {who.username} belongs to another account")
        return row

    async def _found(self, conn: Any, ref: str) -> Any:
        row = await store.find_user(conn, ref)
        if row is None:
            raise NotFound(f"no user '{ref}'")
        return row

    async def _changed(self, user_id: uuid.UUID) -> None:
        await self.authenticator.changed(user_ids=[str(user_id)])
        if self.sign_out is not None:
            await self.sign_out(str(user_id))
