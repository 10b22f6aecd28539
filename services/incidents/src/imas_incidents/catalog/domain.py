"""Pure catalog rules: what each entry's columns are, validation, and the view of a row."""

from __future__ import annotations

from typing import Any

import msgspec

from imas_contracts import FieldError
from imas_contracts.catalog import (
    ContactMethod,
    PersonEntry,
    PersonSpec,
    Ref,
    ScopeEntry,
    ScopeFields,
    ServiceEntry,
    ServiceFields,
    TagRuleSpec,
    TeamEntry,
    TeamFields,
)
from imas_contracts.incidents import ScopeSpec, ServiceSpec, TeamSpec
from imas_incidents.domain import check_pattern, clean_tag, slugify
from imas_runtime.errors import Invalid

Values = dict[str, Any]


def _require(errors: list[FieldError], field: str, value: str) -> None:
    if not value.strip():
        errors.append(FieldError(field=field, message="must not be empty"))


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def team_values(spec: TeamSpec | TeamFields, prefix: str = "") -> Values:
    errors: list[FieldError] = []
    _require(errors, f"{prefix}name", spec.name)
    _raise(errors)
    channel = spec.chat_channel if isinstance(spec, TeamFields) else spec.slack_channel
    return {
        "name": spec.name.strip(),
        "slug": slugify(spec.slug or spec.name),
        "email": spec.email,
        "slack_channel": channel,
    }


def service_values(spec: ServiceSpec | ServiceFields, prefix: str = "") -> Values:
    """Columns of a service, except ``team_id`` (resolved from ``spec.team`` by the caller)."""
    errors: list[FieldError] = []
    _require(errors, f"{prefix}name", spec.name)
    if not 1 <= spec.criticality_tier <= 4:
        errors.append(
            FieldError(
                field=f"{prefix}criticality_tier", message="must be between 1 (most critical) and 4"
            )
        )
    for name in ("runbook_url", "repository_url", "monitoring_url"):
        url = getattr(spec, name)
        if url and not url.startswith(("http://", "https://")):
            errors.append(FieldError(field=f"{prefix}{name}", message="must be an http(s) URL"))
    _raise(errors)
    return {
        "name": spec.name.strip(),
        "description": spec.description,
        "criticality_tier": spec.criticality_tier,
        "runbook_url": spec.runbook_url,
        "repository_url": spec.repository_url,
        "monitoring_url": spec.monitoring_url,
        "active": spec.active,
    }


def scope_values(spec: ScopeSpec | ScopeFields, prefix: str = "") -> Values:
    errors: list[FieldError] = []
    _require(errors, f"{prefix}name", spec.name)
    for email in spec.mandatory_emails:
        if "@" not in email:
            errors.append(
                FieldError(field=f"{prefix}mandatory_emails", message=f"'{email}' is not an email")
            )
    _raise(errors)
    return {"name": spec.name.strip(), "mandatory_emails": list(spec.mandatory_emails)}


def person_values(spec: PersonSpec, prefix: str = "") -> Values:
    errors: list[FieldError] = []
    _require(errors, f"{prefix}name", spec.name)
    if "@" not in spec.email:
        errors.append(FieldError(field=f"{prefix}email", message="must be an email address"))
    for i, method in enumerate(spec.contact_methods):
        if not method.address.strip():
            errors.append(
                FieldError(
                    field=f"{prefix}contact_methods[{i}].address", message="must not be empty"
                )
            )
    roles = clean_roles(spec.roles, f"{prefix}roles", errors)
    _raise(errors)
    return {
        "name": spec.name.strip(),
        "email": spec.email.strip().lower(),
        "phone": spec.phone,
        "chat_user_ids": dict(spec.chat_user_ids),
        "time_zone": spec.time_zone,
        "contact_methods": msgspec.to_builtins(spec.contact_methods),
        "roles": roles,
    }


MAX_ROLE_LENGTH = 64


def clean_roles(roles: list[str], field: str, errors: list[FieldError]) -> list[str]:
    """Roles in lower case, each once, in the order given (``CTO`` and ``cto`` are one)."""
    cleaned: list[str] = []
    for i, role in enumerate(roles):
        word = " ".join(role.split()).lower()
        if not word or len(word) > MAX_ROLE_LENGTH:
            message = f"must be 1 to {MAX_ROLE_LENGTH} characters"
            errors.append(FieldError(field=f"{field}[{i}]", message=message))
        elif word not in cleaned:
            cleaned.append(word)
    return cleaned


def team_people(spec: TeamSpec | TeamFields) -> tuple[str | None, list[str]]:
    """The manager and members a team names (ids or e-mails), blanks dropped, each once."""
    manager = (spec.manager or "").strip() or None
    members = list(dict.fromkeys(m.strip() for m in spec.members if m.strip()))
    return manager, members


def tag_rule_values(spec: TagRuleSpec, prefix: str = "") -> Values:
    check_pattern(spec.pattern, f"{prefix}pattern")
    return {"tag": clean_tag(spec.tag, f"{prefix}tag"), "pattern": spec.pattern}


def team_entry(row: Any) -> TeamEntry:
    manager = Ref(id=str(row.manager_id), name=row.manager_name) if row.manager_id else None
    return TeamEntry(
        id=str(row.id),
        name=row.name,
        slug=row.slug or slugify(row.name),
        email=row.email,
        chat_channel=row.slack_channel,
        manager=manager,
        members=[Ref(id=str(m["id"]), name=m["name"]) for m in row.members],
    )


def service_entry(row: Any) -> ServiceEntry:
    team = Ref(id=str(row.team_id), name=row.team_name) if row.team_id else None
    return ServiceEntry(
        id=str(row.id),
        name=row.name,
        description=row.description,
        team=team,
        criticality_tier=row.criticality_tier,
        runbook_url=row.runbook_url,
        repository_url=row.repository_url,
        monitoring_url=row.monitoring_url,
        active=row.active,
        maintenance_until=row.maintenance_until,
        maintenance_reason=row.maintenance_reason if row.maintenance_until else "",
        maintenance_since=row.maintenance_since if row.maintenance_until else None,
    )


def scope_entry(row: Any) -> ScopeEntry:
    return ScopeEntry(id=str(row.id), name=row.name, mandatory_emails=list(row.mandatory_emails))


def person_entry(row: Any) -> PersonEntry:
    return PersonEntry(
        id=str(row.id),
        name=row.name,
        email=row.email,
        phone=row.phone,
        chat_user_ids=dict(row.chat_user_ids),
        time_zone=row.time_zone,
        contact_methods=[ContactMethod(**m) for m in row.contact_methods],
        roles=list(row.roles),
    )
