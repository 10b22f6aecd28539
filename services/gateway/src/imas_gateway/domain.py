"""Pure gateway rules: tokens, the API's incident payloads and how they are validated."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from imas_contracts import FieldError
from imas_contracts.incidents import SEVERITIES, IncidentSnapshot, IncidentView, TimelineEntry
from imas_runtime.errors import Invalid

T = TypeVar("T")

# People's roles, each one allowed everything the roles before it are allowed.
PEOPLE_ROLES = ("viewer", "operator", "responder", "manager", "admin")
# Machines posting alerts: webhooks and incident creation only.
INTEGRATION = "integration"
ROLES = (*PEOPLE_ROLES, INTEGRATION)
# Routes anyone may call (their callers prove themselves another way: signatures, secrets).
PUBLIC = "public"
# Tokens for machines (and admins) get the high rate limit by default, people's the low one.
SERVICE_ROLES = ("admin", INTEGRATION)


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API token (``token_id``) or a dashboard session (``user_id``).

    ``scopes`` (route tags) narrow what a token may reach; empty means every route its role
    allows. ``rate_limit`` requests per ``rate_window`` seconds override the role's default.
    """

    token_id: str
    name: str
    role: str
    user_id: str | None = None
    username: str = ""
    scopes: tuple[str, ...] = ()
    rate_limit: int | None = None
    rate_window: int | None = None

    @property
    def limit_key(self) -> str:
        return f"token:{self.token_id}" if self.token_id else f"user:{self.user_id or self.name}"


def role_allows(role: str, required: str, *, integration: bool = False) -> bool:
    """Whether ``role`` may call a route declared for ``required`` (and ``integration``)."""
    if required == PUBLIC:
        return True
    if role == INTEGRATION:
        return integration
    if role not in PEOPLE_ROLES or required not in PEOPLE_ROLES:
        return False
    return PEOPLE_ROLES.index(role) >= PEOPLE_ROLES.index(required)


def new_token() -> str:
    """A fresh API token: 256 bits of randomness behind a recognisable ``imas_`` prefix."""
    return "imas_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens carry 256 bits of randomness, so a plain SHA-256 is a safe, fast lookup key."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    """Enough of the token to tell tokens apart in lists and logs, never enough to use it."""
    return token[:12]


_AUTH = re.compile(r"^\s*(Token|Bearer)\s+(\S+)\s*$", re.IGNORECASE)


def token_from_header(value: str | None) -> str | None:
    """The token of ``Authorization: Token <t>`` or ``Authorization: Bearer <t>``."""
    if not value:
        return None
    match = _AUTH.match(value)
    return match.group(2) if match else None


class TokenCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``POST /api/v1/tokens/``."""

    name: str
    role: str
    expires_at: datetime | None = None
    expires_in_days: int | None = None
    scopes: list[str] = []
    rate_limit: int | None = None
    rate_window: float | None = None


def check_token_create(spec: TokenCreate, now: datetime) -> TokenCreate:
    """Every problem of a token request as an ``Invalid`` naming its field."""
    errors: list[FieldError] = []
    if not spec.name.strip() or len(spec.name) > 200:
        errors.append(FieldError(field="name", message="must be 1 to 200 characters"))
    if spec.role not in ROLES:
        errors.append(FieldError(field="role", message=f"must be one of {', '.join(ROLES)}"))
    if spec.expires_at is not None and (spec.expires_at.tzinfo is None or spec.expires_at <= now):
        errors.append(FieldError(field="expires_at", message="must be a future time with zone"))
    if spec.expires_in_days is not None and not 1 <= spec.expires_in_days <= 3650:
        errors.append(FieldError(field="expires_in_days", message="must be between 1 and 3650"))
    if any(not s.strip() for s in spec.scopes):
        errors.append(FieldError(field="scopes", message="must not contain empty names"))
    if spec.rate_limit is not None and not 1 <= spec.rate_limit <= 1_000_000:
        errors.append(FieldError(field="rate_limit", message="must be between 1 and 1000000"))
    if spec.rate_window is not None and not 0.1 <= spec.rate_window <= 86_400:
        errors.append(FieldError(field="rate_window", message="must be 0.1 to 86400 seconds"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return spec


def token_principal(row: Any) -> Principal:
    return Principal(
        token_id=str(row.id),
        name=row.name,
        role=row.role,
        user_id=str(row.user_id) if row.user_id else None,
        scopes=tuple(row.scopes or ()),
        rate_limit=row.rate_limit,
        rate_window=row.rate_window,
    )


class TokenJson(msgspec.Struct, kw_only=True):
    """An API token as the API lists it: never its secret or its hash. Times are ISO 8601."""

    id: str
    name: str
    role: str
    prefix: str
    scopes: list[str]
    rate_limit: int | None
    rate_window: float | None
    created_by: str
    user_id: str | None
    created_at: str | None
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class NewTokenJson(TokenJson, kw_only=True):
    """A token just made: the only answer that ever holds its secret (``token``)."""

    token: str


class VerifiedTokenJson(TokenJson, kw_only=True):
    valid: bool


def token_json(row: Any) -> dict[str, Any]:
    """A token as the API lists it (a ``TokenJson``)."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    shown = TokenJson(
        id=str(row.id),
        name=row.name,
        role=row.role,
        prefix=row.prefix,
        scopes=list(row.scopes or ()),
        rate_limit=row.rate_limit,
        rate_window=row.rate_window,
        created_by=row.created_by,
        user_id=str(row.user_id) if row.user_id else None,
        created_at=when(row.created_at),
        expires_at=when(row.expires_at),
        last_used_at=when(row.last_used_at),
        revoked_at=when(row.revoked_at),
    )
    return msgspec.to_builtins(shown)  # type: ignore[no-any-return]


class IncidentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """``POST /api/v1/incidents/``: the brief's body, plus optional dedup key, tags and scopes."""

    title: str
    service_name: str
    severity: str
    description: str = ""
    detected_at: datetime | None = None
    dedup_key: str = ""
    tags: list[str] = []
    impacted_scopes: list[str] = []


_create_decoder = msgspec.json.Decoder(IncidentCreate)
_MISSING = re.compile(r"Object missing required field `([^`]+)`")
_AT = re.compile(r"- at `\$\.?([^`\[]*)")


def _field_of(error: msgspec.ValidationError) -> tuple[str, str]:
    text = str(error)
    missing = _MISSING.search(text)
    if missing:
        field = missing.group(1)
        at = _AT.search(text)
        prefix = f"{at.group(1)}." if at and at.group(1) else ""
        return prefix + field, "is required"
    at = _AT.search(text)
    message = text.split(" - at ")[0]
    return (at.group(1) if at else ""), message


def parse_incident_create(body: bytes) -> IncidentCreate:
    """Decode and validate a create body; every problem is an ``Invalid`` naming its field."""
    try:
        payload = _create_decoder.decode(body)
    except msgspec.ValidationError as exc:
        field, message = _field_of(exc)
        if field == "severity":
            message = f"must be one of {', '.join(SEVERITIES)}"
        raise Invalid.field(field or "body", message) from None
    except msgspec.DecodeError:
        raise Invalid.field("body", "must be a JSON object") from None
    errors: list[FieldError] = []
    if not payload.title.strip():
        errors.append(FieldError(field="title", message="must not be empty"))
    if len(payload.title) > 500:
        errors.append(FieldError(field="title", message="must be at most 500 characters"))
    if not payload.service_name.strip():
        errors.append(FieldError(field="service_name", message="must not be empty"))
    if payload.severity not in SEVERITIES:
        errors.append(
            FieldError(field="severity", message=f"must be one of {', '.join(SEVERITIES)}")
        )
    if len(payload.dedup_key) > 255:
        errors.append(FieldError(field="dedup_key", message="must be at most 255 characters"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return payload


class Page(msgspec.Struct, Generic[T], kw_only=True):
    """A page of a list: how many match in all, links to the next and previous pages (None at
    either end), and this page's results."""

    count: int
    next: str | None
    previous: str | None
    results: list[T]


class Results(msgspec.Struct, Generic[T], kw_only=True):
    """A whole, short list: how many, and which."""

    count: int
    results: list[T]


class IncidentJson(IncidentSnapshot, frozen=True, kw_only=True):
    """An incident as the public API shows it: its snapshot, plus the service's name and
    whether it is critical (SEV1 or SEV2) and open (not RESOLVED)."""

    service_name: str
    is_critical: bool
    is_open: bool


class IncidentDetailJson(IncidentJson, frozen=True, kw_only=True):
    """An incident with its timeline."""

    timeline: list[TimelineEntry]


def _shown(incident: IncidentSnapshot) -> IncidentJson:
    return IncidentJson(
        **msgspec.structs.asdict(incident),
        service_name=incident.service.name,
        is_critical=incident.severity in ("SEV1_CRITICAL", "SEV2_HIGH"),
        is_open=incident.status != "RESOLVED",
    )


def incident_json(incident: IncidentSnapshot) -> dict[str, object]:
    """An incident as the public API shows it (an ``IncidentJson``)."""
    return msgspec.to_builtins(_shown(incident))  # type: ignore[no-any-return]


def incident_detail_json(view: IncidentView) -> dict[str, object]:
    """An incident with its timeline (an ``IncidentDetailJson``)."""
    detail = IncidentDetailJson(
        **msgspec.structs.asdict(_shown(view.incident)), timeline=view.timeline
    )
    return msgspec.to_builtins(detail)  # type: ignore[no-any-return]


def message_json(message: msgspec.Struct) -> dict[str, Any]:
    """A service's reply as the API shows it: its fields, without the message's type tag."""
    data: dict[str, Any] = msgspec.to_builtins(message)
    data.pop("type", None)
    return data
