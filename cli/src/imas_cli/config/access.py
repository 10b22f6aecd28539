"""Who may use IMAS: dashboard users (a password referenced, set once) and API tokens (their
secret made by IMAS, shown once, never made again by apply)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import msgspec

from imas_cli.config.kind import (
    Kind,
    Names,
    Refusal,
    SecretRef,
    Spec,
    check_secret_refs,
    refuse_literal_secrets,
)

UserRole = Literal["viewer", "operator", "responder", "manager", "admin"]
TokenRole = Literal["viewer", "operator", "responder", "manager", "admin", "integration"]
# The token the gateway makes from IMAS_BOOTSTRAP_ADMIN_TOKEN: IMAS's own, never pruned.
BOOTSTRAP_TOKEN = "bootstrap admin"


class UserSpec(Spec, frozen=True, kw_only=True):
    """A person who signs in to the dashboard. ``email`` links them to the catalog person with
    that e-mail (whose pages they acknowledge as themselves). ``password`` is a reference,
    set when the user is created, and again only with ``--reset-password USERNAME``."""

    username: str
    role: UserRole
    full_name: str = ""
    email: str = ""
    active: bool = True
    password: SecretRef | None = None


class Users(Kind[UserSpec]):
    section = "users"
    document = "User"
    noun = "user"
    spec = UserSpec
    has_secrets = True
    single_secret = "password"

    def key(self, spec: UserSpec) -> str:
        return spec.username

    def precheck(self, data: dict[str, Any]) -> list[Refusal]:
        return refuse_literal_secrets(data, ("password",))

    def check(self, spec: UserSpec) -> list[Refusal]:
        if not spec.username.strip():
            return [Refusal("username", "must not be empty")]
        if spec.password is None:
            return []
        return check_secret_refs({"": spec.password}, "password")

    def normalize(self, spec: UserSpec) -> UserSpec:
        return msgspec.structs.replace(
            spec,
            username=spec.username.strip(),
            full_name=spec.full_name.strip(),
            email=spec.email.strip().lower(),
        )

    def creation_problems(self, spec: UserSpec) -> list[Refusal]:
        if spec.password is None:
            return [
                Refusal(
                    "password",
                    "a new user needs one: password: {from_env: VARIABLE} or {from_file: PATH}",
                )
            ]
        return []

    def resend(self, spec: UserSpec, update_secrets: bool, reset: frozenset[str]) -> bool:
        # A password is applied once: --update-secrets (providers' rotations) never resets
        # every user's, only --reset-password names those to set again.
        return spec.username.casefold() in reset

    def from_live(self, raw: dict[str, Any], names: Names) -> UserSpec:
        return self.normalize(self.convert({**raw, "email": raw.get("email") or ""}))

    def secrets(self, spec: UserSpec) -> dict[str, SecretRef]:
        return {"password": spec.password} if spec.password is not None else {}

    def stored_secrets(self, live: UserSpec) -> set[str]:
        return {"password"}  # IMAS holds one for every user, never shows it

    def comparable(self, spec: UserSpec) -> UserSpec:
        return msgspec.structs.replace(spec, password=None)

    def placeholders(self, spec: UserSpec) -> UserSpec:
        return msgspec.structs.replace(spec, password=None)  # exports hold no password

    def body(self, spec: UserSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            f: getattr(spec, f) for f in ("username", "role", "full_name", "email", "active")
        }
        if secrets.get("password"):
            data["password"] = secrets["password"]
        return data


class TokenSpec(Spec, frozen=True, kw_only=True):
    """An API token of no user (a CI job's, a script's). IMAS makes its secret once, when it
    is created: written to ``secret_file`` (relative to the YAML file, owner-only), else to
    ``--secrets-file``, else printed once on stderr. Role, scopes, limits and expiry change
    in place; the secret never does."""

    name: str
    role: TokenRole
    scopes: list[str] = []
    rate_limit: int | None = None
    rate_window: float | None = None
    expires_at: datetime | None = None
    secret_file: str = ""
    # Fields changed in place (PATCH); the name is the match.
    updatable: ClassVar[tuple[str, ...]] = (
        "role",
        "scopes",
        "rate_limit",
        "rate_window",
        "expires_at",
    )


class Tokens(Kind[TokenSpec]):
    section = "tokens"
    document = "Token"
    noun = "token"
    spec = TokenSpec

    def check(self, spec: TokenSpec) -> list[Refusal]:
        if not spec.name.strip():
            return [Refusal("name", "must not be empty")]
        if spec.expires_at is not None and spec.expires_at.tzinfo is None:
            return [Refusal("expires_at", "needs a UTC offset (+02:00 or Z)")]
        if any(not s.strip() for s in spec.scopes):
            return [Refusal("scopes", "must not contain empty names")]
        return []

    def normalize(self, spec: TokenSpec) -> TokenSpec:
        return msgspec.structs.replace(
            spec, name=spec.name.strip(), scopes=sorted({s.strip() for s in spec.scopes})
        )

    def made_by_imas(self, raw: dict[str, Any]) -> bool:
        return raw.get("name") == BOOTSTRAP_TOKEN and not raw.get("created_by")

    def over(self, spec: TokenSpec) -> bool:
        return spec.expires_at is not None and spec.expires_at <= datetime.now(UTC)

    def comparable(self, spec: TokenSpec) -> TokenSpec:
        return msgspec.structs.replace(spec, secret_file="")  # where the files keep it only

    def placeholders(self, spec: TokenSpec) -> TokenSpec:
        return msgspec.structs.replace(spec, secret_file="")

    def body(self, spec: TokenSpec, names: Names, secrets: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {"name": spec.name}
        for field in TokenSpec.updatable:
            value = getattr(spec, field)
            data[field] = value.isoformat() if isinstance(value, datetime) else value
        return data
