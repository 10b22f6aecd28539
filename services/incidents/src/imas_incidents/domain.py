"""Pure incident rules: identifiers, lifecycle, edits, tags, comments, catalog checks, KPIs.

No I/O here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from imas_contracts import FieldError
from imas_contracts.incidents import SEVERITIES, Comment, IncidentSnapshot, Ref
from imas_runtime import patterns
from imas_runtime.errors import Conflict, Invalid, ServiceError


class Forbidden(ServiceError):
    """Allowed to someone else (e.g. editing another person's comment); 403 at the API."""

    code = "forbidden"


OPEN_STATUSES: tuple[str, ...] = ("TRIGGERED", "ACKNOWLEDGED")
"""An alert attaches to an incident in one of these states; otherwise it opens a new one."""

CRITICAL_SEVERITIES: tuple[str, ...] = ("SEV1_CRITICAL", "SEV2_HIGH")

_SHORT_ID = re.compile(r"^(?:INC-)?([0-9A-F]{8})$", re.IGNORECASE)


def short_id(incident_id: uuid.UUID) -> str:
    """The first 8 hex characters of the UUID, upper case (shown as ``INC-XXXXXXXX``)."""
    return incident_id.hex[:8].upper()


@dataclass(frozen=True)
class IncidentRef:
    """How a user named an incident: a full UUID or a short id."""

    uuid: uuid.UUID | None = None
    short_id: str | None = None


def parse_ref(text: str) -> IncidentRef:
    """Accept a UUID, a short id, or ``INC-<short id>``; anything else is invalid."""
    text = text.strip()
    match = _SHORT_ID.match(text)
    if match:
        return IncidentRef(short_id=match.group(1).upper())
    try:
        return IncidentRef(uuid=uuid.UUID(text))
    except ValueError:
        raise Invalid.field(
            "id", "must be an incident UUID, a short id or INC-<short id>"
        ) from None


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def with_kpis(incident: IncidentSnapshot) -> IncidentSnapshot:
    """MTTD = created - detected; MTTA = acknowledged - created; MTTR = resolved - created."""
    return msgspec.structs.replace(
        incident,
        mttd_seconds=seconds_between(incident.detected_at, incident.created_at),
        mtta_seconds=seconds_between(incident.created_at, incident.acknowledged_at),
        mttr_seconds=seconds_between(incident.created_at, incident.resolved_at),
    )


# The earliest detection time taken: PostgreSQL and the drivers store much earlier ones, but an
# incident detected in the year 1 made the incident list and the metrics fail for everyone.
EARLIEST_DETECTION = datetime(1970, 1, 1, tzinfo=UTC)


def validate_new_incident(
    title: str, service_name: str, severity: str, detected_at: datetime | None = None
) -> None:
    """Refuse what can never make an incident, naming each offending field."""
    errors: list[FieldError] = []
    if detected_at is not None and detected_at.utcoffset() is None:
        errors.append(FieldError(field="detected_at", message="needs a UTC offset (+02:00 or Z)"))
    elif detected_at is not None and detected_at < EARLIEST_DETECTION:
        errors.append(FieldError(field="detected_at", message="must be after 1970-01-01"))
    if not title.strip():
        errors.append(FieldError(field="title", message="must not be empty"))
    if not service_name.strip():
        errors.append(FieldError(field="service_name", message="must not be empty"))
    if severity not in SEVERITIES:
        errors.append(
            FieldError(field="severity", message=f"must be one of {', '.join(SEVERITIES)}")
        )
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def attached_message(alert_source: str, alert_count: int) -> str:
    return f"Duplicate alert received from {alert_source} (occurrence {alert_count})"


def new_snapshot(values: dict[str, Any]) -> IncidentSnapshot:
    """The snapshot of an incident about to be inserted with ``values`` (its row's columns)."""
    team = (
        Ref(id=str(values["team_id"]), name=values["team_name"]) if values.get("team_id") else None
    )
    return with_kpis(
        IncidentSnapshot(
            id=str(values["id"]),
            short_id=values["short_id"],
            title=values["title"],
            description=values["description"],
            service=Ref(id=str(values["service_id"]), name=values["service_name"]),
            team=team,
            severity=values["severity"],
            status=values["status"],
            dedup_key=values["dedup_key"],
            alert_count=values["alert_count"],
            impacted_scopes=[Ref(id=s["id"], name=s["name"]) for s in values["impacted_scopes"]],
            tags=list(values["tags"]),
            detected_at=values["detected_at"],
            created_at=values["created_at"],
        )
    )


def attached_message_template(alert_source: str) -> str:
    """:func:`attached_message` as a SQL ``format()`` template awaiting the alert count."""
    return attached_message(alert_source.replace("%", "%%"), 0).replace(
        "(occurrence 0)", "(occurrence %s)"
    )


def created_message(
    alert_source: str, held_by: str = "", held_until: datetime | None = None
) -> str:
    """The first line of a new incident's timeline; it says when its paging is held by the
    maintenance of its service (``held_by``, until ``held_until``)."""
    line = f"Incident created from {alert_source}"
    if not held_by or held_until is None:
        return line
    return (
        f"{line} during the {held_by} until {held_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC: "
        "nobody is paged and its escalation waits until then (if it is still open)"
    )


# -- lifecycle -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """An allowed move: from which states, to which one, and the timestamp it sets once."""

    allowed_from: tuple[str, ...]
    to: str
    stamps: str | None


TRANSITIONS: dict[str, Transition] = {
    "acknowledge": Transition(("TRIGGERED",), "ACKNOWLEDGED", "acknowledged_at"),
    "mitigate": Transition(("TRIGGERED", "ACKNOWLEDGED"), "MITIGATED", "mitigated_at"),
    "resolve": Transition(("TRIGGERED", "ACKNOWLEDGED", "MITIGATED"), "RESOLVED", "resolved_at"),
    "reopen": Transition(("RESOLVED",), "TRIGGERED", None),
}

_PAST = {
    "acknowledge": "acknowledged",
    "mitigate": "mitigated",
    "resolve": "resolved",
    "reopen": "reopened",
}


def plan_transition(
    action: str, incident: IncidentSnapshot, now: datetime
) -> tuple[str, dict[str, datetime]]:
    """The new status and the timestamps to set, or ``Conflict`` naming why it is refused.

    Timestamps already set are never overwritten (a reopened incident keeps its first
    acknowledgement and resolution times).
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Invalid.field("action", f"must be one of {', '.join(TRANSITIONS)}")
    if incident.status not in transition.allowed_from:
        raise Conflict(
            f"cannot {action} incident INC-{incident.short_id}: it is {incident.status}"
            f" ({action} is allowed from {', '.join(transition.allowed_from)})",
            [FieldError(field="status", message=f"is {incident.status}")],
        )
    stamps: dict[str, datetime] = {}
    if transition.stamps and getattr(incident, transition.stamps) is None:
        stamps[transition.stamps] = now
    return transition.to, stamps


def transition_message(action: str, previous: str, status: str, note: str) -> str:
    text = f"Incident {_PAST[action]} ({previous} → {status})"
    return f"{text}: {note.strip()}" if note.strip() else text


def reopen_conflict(incident: IncidentSnapshot, open_short_id: str) -> Conflict:
    """Reopening while another incident is open for the same key would make two open ones."""
    return Conflict(
        f"cannot reopen incident INC-{incident.short_id}: incident INC-{open_short_id} is open"
        f" for the same service and dedup key; work on that one or resolve it first",
        [FieldError(field="status", message=f"INC-{open_short_id} is open for the same key")],
    )


# -- edits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One edit: the column it sets, its new value, and the timeline line that records it."""

    field: str
    value: object
    event_type: str
    message: str


def plan_update(
    incident: IncidentSnapshot,
    *,
    title: str | None,
    description: str | None,
    severity: str | None,
    lead: str | None,
    scopes: list[Ref] | None,
    add_tags: list[str],
    remove_tags: list[str],
) -> list[Change]:
    """The changes an edit makes (none for values equal to the current ones)."""
    changes: list[Change] = []
    if title is not None:
        if not title.strip():
            raise Invalid.field("title", "must not be empty")
        if len(title) > 500:
            raise Invalid.field("title", "must be at most 500 characters")
        if title.strip() != incident.title:
            changes.append(
                Change("title", title.strip(), "TITLE_CHANGED", f"Title changed to '{title}'")
            )
    if description is not None and description != incident.description:
        changes.append(
            Change("description", description, "DESCRIPTION_CHANGED", "Description edited")
        )
    if severity is not None and severity != incident.severity:
        if severity not in SEVERITIES:
            raise Invalid.field("severity", f"must be one of {', '.join(SEVERITIES)}")
        changes.append(
            Change(
                "severity",
                severity,
                "SEVERITY_CHANGE",
                f"Severity changed from {incident.severity} to {severity}",
            )
        )
    if lead is not None and (lead.strip() or None) != incident.lead:
        new_lead = lead.strip() or None
        message = f"Lead assigned to {new_lead}" if new_lead else "Lead unassigned"
        changes.append(Change("lead", new_lead, "LEAD_ASSIGNED", message))
    if scopes is not None:
        before = {s.name for s in incident.impacted_scopes}
        after = {s.name for s in scopes}
        if before != after:
            value = [{"id": s.id, "name": s.name} for s in sorted(scopes, key=lambda s: s.name)]
            for name in sorted(after - before):
                changes.append(
                    Change("impacted_scopes", value, "SCOPE_ADDED", f"Scope {name} added")
                )
            for name in sorted(before - after):
                changes.append(
                    Change("impacted_scopes", value, "SCOPE_REMOVED", f"Scope {name} removed")
                )
    tags = merged_tags(incident.tags, add_tags, remove_tags)
    if tags != sorted(incident.tags):
        for tag in sorted(set(tags) - set(incident.tags)):
            changes.append(Change("tags", tags, "TAG_ADDED", f"Tag {tag} added"))
        for tag in sorted(set(incident.tags) - set(tags)):
            changes.append(Change("tags", tags, "TAG_REMOVED", f"Tag {tag} removed"))
    return changes


_TAG = re.compile(r"^[\w][\w.:/-]{0,62}$")
# Tag rules search the title, ignoring case, as they always have.
TAG_MODE = patterns.SEARCH_IGNORING_CASE


def clean_tag(tag: str, field: str = "tags") -> str:
    tag = tag.strip().lower()
    if not _TAG.match(tag):
        raise Invalid.field(
            field, f"'{tag}' is not a tag (letters, digits, . _ : / -; at most 63 characters)"
        )
    return tag


def merged_tags(current: list[str], add: list[str], remove: list[str]) -> list[str]:
    gone = {clean_tag(t, "remove_tags") for t in remove}
    return sorted((set(current) | {clean_tag(t, "add_tags") for t in add}) - gone)


def auto_tags(title: str, rules: list[tuple[str, str]]) -> list[str]:
    """Tags whose rule (``(tag, regex)``) matches anywhere in the title, ignoring case. A
    pattern the engine refuses (stored before patterns were checked) tags nothing."""
    return sorted({tag for tag, pattern in rules if patterns.matches(pattern, title, TAG_MODE)})


def check_pattern(pattern: str, field: str) -> None:
    patterns.check_pattern(pattern, field, TAG_MODE)


# -- comments ----------------------------------------------------------------------------------


def check_comment_body(body: str) -> str:
    if not body.strip():
        raise Invalid.field("body", "must not be empty")
    if len(body) > 10_000:
        raise Invalid.field("body", "must be at most 10000 characters")
    return body.strip()


def check_author(comment: Comment, actor_id: str, verb: str) -> None:
    """Only a comment's author edits or deletes it, known by identity (``author_id``), never by
    name: anyone can be named anything. A comment written before identities were recorded has
    none, and no one edits it."""
    if not comment.author_id or comment.author_id != actor_id:
        raise Forbidden.field("comment", f"only its author ({comment.author}) can {verb} a comment")


def note_message(body: str) -> str:
    return body if len(body) <= 500 else body[:497] + "..."


# -- catalog -----------------------------------------------------------------------------------


def slugify(name: str) -> str:
    """``Backend Payment`` → ``backend-payment``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "team"


def check_tier(tier: int, field: str = "criticality_tier") -> None:
    if not 1 <= tier <= 4:
        raise Invalid.field(field, "must be between 1 (most critical) and 4")


def diff_fields(current: dict[str, object], wanted: dict[str, object]) -> list[str]:
    """Names of the fields whose wanted value differs from the current one."""
    return sorted(k for k, v in wanted.items() if current.get(k) != v)


# -- KPIs --------------------------------------------------------------------------------------


def percent_change(previous: float | None, current: float | None) -> float | None:
    """Change from ``previous`` to ``current`` in percent; None when it has no meaning."""
    if previous is None or current is None or previous == 0:
        return None
    return round((current - previous) / previous * 100.0, 2)


def check_window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise Invalid.field("to", "must be after the start of the window")
    if (end - start).days > 3660:
        raise Invalid.field("window", "must be at most ten years long")


MAX_CHANGE_SUMMARY = 1024


def check_change(summary: str, service_name: str) -> None:
    """A change names its service and says what changed (PagerDuty's 1,024 characters)."""
    if not service_name.strip():
        raise Invalid.field("service_name", "is required")
    if not summary.strip():
        raise Invalid.field("summary", "is required")
    if len(summary) > MAX_CHANGE_SUMMARY:
        raise Invalid.field("summary", f"must be at most {MAX_CHANGE_SUMMARY} characters")


def change_message(summary: str, first_link: str | None) -> str:
    """The ``CHANGE`` line an unresolved incident of the service gets."""
    link = f" ({first_link})" if first_link else ""
    return f"Change: {summary.strip()}{link}"
