"""Pure gateway rules: tokens, the API's incident payloads and how they are validated."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

import msgspec

from imas_contracts import FieldError
from imas_contracts.incidents import SEVERITIES, IncidentSnapshot, IncidentView
from imas_runtime.errors import Invalid

ROLES = ("admin", "responder", "viewer", "integration")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's name and role."""

    token_id: str
    name: str
    role: str


def hash_token(token: str) -> str:
    """Tokens carry 256 bits of randomness, so a plain SHA-256 is a safe, fast lookup key."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[:6]


_AUTH = re.compile(r"^\s*(Token|Bearer)\s+(\S+)\s*$", re.IGNORECASE)


def token_from_header(value: str | None) -> str | None:
    """The token of ``Authorization: Token <t>`` or ``Authorization: Bearer <t>``."""
    if not value:
        return None
    match = _AUTH.match(value)
    return match.group(2) if match else None


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


def incident_json(incident: IncidentSnapshot) -> dict[str, object]:
    """An incident as the public API shows it."""
    data = msgspec.to_builtins(incident)
    data["service_name"] = incident.service.name
    data["is_critical"] = incident.severity in ("SEV1_CRITICAL", "SEV2_HIGH")
    data["is_open"] = incident.status != "RESOLVED"
    return data  # type: ignore[no-any-return]


def incident_detail_json(view: IncidentView) -> dict[str, object]:
    data = incident_json(view.incident)
    data["timeline"] = msgspec.to_builtins(view.timeline)
    return data
