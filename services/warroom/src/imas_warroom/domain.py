"""Pure warroom rules: room names, runbook matching and guided steps, timeline wording."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from imas_contracts.incidents import Action, IncidentSnapshot
from imas_contracts.warroom import RunbookSpec, StepState
from imas_runtime import patterns
from imas_runtime.errors import Conflict, Invalid
from imas_runtime.patterns import StoredPattern

SEVERITY_LABELS = {
    "SEV1_CRITICAL": "SEV1 critical",
    "SEV2_HIGH": "SEV2 high",
    "SEV3_MEDIUM": "SEV3 medium",
    "SEV4_LOW": "SEV4 low",
}
# Slack allows 80 characters in a channel name, Discord 100: keep to the smaller.
MAX_CHANNEL = 80
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def channel_name(short_id: str, service: str, attempt: int = 0) -> str:
    """``inc-{short_id}-{service}``: lower case, only letters, digits, ``-`` and ``_``.

    ``attempt`` > 0 adds a suffix, for when the platform says the name is taken.
    """
    base = _UNSAFE.sub("-", f"inc-{short_id}-{service}".lower()).strip("-")
    base = re.sub(r"-{2,}", "-", base)
    suffix = f"-{attempt + 1}" if attempt else ""
    return base[: MAX_CHANNEL - len(suffix)].rstrip("-") + suffix


def wants_room(severity: str, severities: frozenset[str]) -> bool:
    return severity in severities


def document_title(incident: IncidentSnapshot) -> str:
    return f"INC-{incident.short_id} - {incident.title}"


def incident_link(public_url: str, incident: IncidentSnapshot) -> str:
    return f"{public_url.rstrip('/')}/incidents/{incident.id}"


def lid_link(public_url: str, incident_id: str) -> str:
    return f"{public_url.rstrip('/')}/incidents/{incident_id}/lid"


def runbook_link(public_url: str, incident_id: str) -> str:
    return f"{public_url.rstrip('/')}/api/v1/incidents/{incident_id}/runbook/"


# Why an incident that calls for a war room has none.
NO_CHAT_PLATFORM = (
    "no chat platform is configured (WARROOM_CHAT: slack or discord), so no room was opened"
)


# -- timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line the LID's timeline will show."""

    key: str
    at: datetime
    kind: str
    message: str
    actor: str | None = None


def status_message(action: str, incident: IncidentSnapshot, note: str) -> str:
    text = {
        "triggered": f"Incident opened: {incident.title} ({SEVERITY_LABELS[incident.severity]})",
        "acknowledged": "Acknowledged",
        "mitigated": "Mitigated",
        "resolved": "Resolved",
        "reopened": "Reopened",
    }[action]
    return f"{text}: {note}" if note else text


# Fields whose change has its own line (the document and the room were created), or that the
# LID does not show: an edit touching only these says nothing.
_UNTOLD = frozenset({"lid_link", "war_room_link", "tags"})


def update_message(incident: IncidentSnapshot, changed: Sequence[str]) -> str:
    """What an edit of the incident did, in words (``Severity set to SEV2 high; lead set to
    Alice Martin``); empty when nothing worth a LID line changed."""
    told = {
        "title": f"title set to '{incident.title}'",
        "description": "description edited",
        "severity": f"severity set to {SEVERITY_LABELS[incident.severity]}",
        "lead": f"lead set to {incident.lead or 'nobody'}",
        "impacted_scopes": "impacted scopes set to "
        + (", ".join(s.name for s in incident.impacted_scopes) or "none"),
    }
    parts = [told.get(c, f"{c.replace('_', ' ')} changed") for c in changed if c not in _UNTOLD]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


# -- runbooks ----------------------------------------------------------------------------------

# A runbook's ``alert_pattern`` matches anywhere in the incident's title, ignoring case.
PATTERN_MODE = patterns.SEARCH_IGNORING_CASE


def validate_runbook(spec: RunbookSpec, prefix: str = "") -> None:
    """Refuse a runbook that could never be used, naming the field (after ``prefix``, e.g.
    ``runbooks[2].`` in an import)."""
    if not spec.name.strip():
        raise Invalid.field(f"{prefix}name", "must not be empty")
    if spec.alert_pattern:
        patterns.check_pattern(spec.alert_pattern, f"{prefix}alert_pattern", PATTERN_MODE)
    if not spec.service and not spec.alert_pattern:
        raise Invalid.field(f"{prefix}service", "give a service or an alert_pattern, or both")
    if not spec.steps:
        raise Invalid.field(f"{prefix}steps", "a runbook needs at least one step")
    for i, step in enumerate(spec.steps):
        if not step.title.strip():
            raise Invalid.field(f"{prefix}steps[{i}].title", "must not be empty")


RUNBOOK_FIELDS = ("service", "alert_pattern", "severities", "description", "steps")


def changed_runbook_fields(current: RunbookSpec | None, new: RunbookSpec) -> list[str]:
    """The fields an import would change on the stored runbook (all of them for a new one)."""
    if current is None:
        return list(RUNBOOK_FIELDS)
    return [f for f in RUNBOOK_FIELDS if getattr(current, f) != getattr(new, f)]


def _pattern_matches(pattern: str, title: str) -> bool:
    # A pattern the engine refuses (stored before patterns were checked) matches no title.
    return bool(pattern) and patterns.matches(pattern, title, PATTERN_MODE)


def stored_patterns(runbooks: Sequence[RunbookSpec]) -> list[StoredPattern]:
    """The runbooks' patterns, each named by its runbook."""
    return [
        StoredPattern(r.name, "alert_pattern", r.alert_pattern) for r in runbooks if r.alert_pattern
    ]


def match_runbooks(
    runbooks: Sequence[RunbookSpec], service: str, title: str, severity: str | None
) -> list[RunbookSpec]:
    """Runbooks for an incident, best first: the service's own (those whose pattern matches the
    title first, then those without a pattern), then any runbook whose pattern matches."""
    fits = [r for r in runbooks if not r.severities or severity is None or severity in r.severities]
    own = [r for r in fits if r.service == service]
    ranked = [r for r in own if _pattern_matches(r.alert_pattern, title)]
    ranked += [r for r in own if not r.alert_pattern]
    ranked += [r for r in fits if not r.service and _pattern_matches(r.alert_pattern, title)]
    return ranked


def apply_step(
    runbook: RunbookSpec,
    states: dict[int, StepState],
    step: int,
    action: str,
    *,
    actor: str | None,
    note: str,
    confirm: bool,
    now: datetime,
) -> StepState:
    """The new state of ``step`` (1-based) after ``action``; refusals name the field."""
    if not 1 <= step <= len(runbook.steps):
        raise Invalid.field("step", f"must be between 1 and {len(runbook.steps)}")
    spec = runbook.steps[step - 1]
    current = states.get(step) or StepState(
        index=step,
        title=spec.title,
        critical=spec.critical,
        requires_confirmation=spec.requires_confirmation,
    )
    if current.status in ("done", "skipped"):
        raise Conflict(f"step {step} is already {current.status}")
    needs_confirmation = spec.critical or spec.requires_confirmation
    if action == "start":
        if current.status == "started":
            raise Conflict(f"step {step} is already started")
        status, started, finished = "started", now, None
    elif action in ("done", "skip"):
        if action == "done" and needs_confirmation and not confirm:
            kind = "critical" if spec.critical else "marked 'requires confirmation'"
            raise Invalid.field("confirm", f"step {step} is {kind}: confirm it is done")
        status = "done" if action == "done" else "skipped"
        started, finished = current.started_at or now, now
    else:
        raise Invalid.field("action", "must be one of start, done, skip")
    return StepState(
        index=step,
        title=spec.title,
        status=status,  # type: ignore[arg-type]  # one of those set above
        critical=spec.critical,
        requires_confirmation=spec.requires_confirmation,
        actor=actor,
        note=note or current.note,
        started_at=started,
        finished_at=finished,
    )


def step_states(runbook: RunbookSpec, known: dict[int, StepState]) -> list[StepState]:
    """Every step of ``runbook``, pending where nothing was done yet."""
    return [
        known.get(i)
        or StepState(
            index=i,
            title=s.title,
            critical=s.critical,
            requires_confirmation=s.requires_confirmation,
        )
        for i, s in enumerate(runbook.steps, start=1)
    ]


def next_step(states: Sequence[StepState]) -> int | None:
    return next((s.index for s in states if s.status in ("pending", "started")), None)


def step_message(runbook: RunbookSpec, state: StepState, outcome: str) -> str:
    verb = {"started": "started", "done": "done", "skipped": "skipped"}.get(outcome, outcome)
    text = f"Runbook '{runbook.name}' step {state.index} ({state.title}) {verb}"
    return f"{text}: {state.note}" if state.note and outcome != "started" else text


# -- chat commands -----------------------------------------------------------------------------

INCIDENT_VERBS = (
    "ack",
    "resolve",
    "mitigate",
    "status",
    "list",
    "escalate",
    "create",
    "role",
    "update",
    "help",
)
_REF = re.compile(r"^(?:INC-)?[0-9a-f]{8}$|^[0-9a-f-]{36}$", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """``/incident <verb> [INC-id] [note]`` once parsed."""

    verb: str
    ref: str | None = None
    note: str = ""


def parse_incident_command(text: str) -> Command:
    """Split ``ack``, ``resolve INC-1A2B3C4D fixed by failover``, ``status``... An unknown
    verb is kept as is: the caller answers with the help."""
    words = text.strip().split()
    if not words:
        return Command(verb="help")
    verb = words[0].lower()
    verb = {"acknowledge": "ack", "resolved": "resolve", "mitigated": "mitigate"}.get(verb, verb)
    rest = words[1:]
    ref = None
    if rest and _REF.match(rest[0]):
        ref = rest[0].upper() if rest[0].upper().startswith("INC-") else rest[0]
        rest = rest[1:]
    return Command(verb=verb, ref=ref, note=" ".join(rest))


HELP = (
    "*IMAS commands*\n"
    "`/incident ack [INC-id]`: acknowledge (the incident of this war room by default)\n"
    "`/incident mitigate [INC-id]`: mark mitigated\n"
    "`/incident resolve [INC-id] <note>`: resolve, with a note\n"
    "`/incident escalate [INC-id]`: page the next escalation level now\n"
    "`/incident create [SEV1-4] [service:<name>] <title>`: open an incident\n"
    "`/incident role [INC-id] <role> @someone`: give a role (commander, scribe...); "
    "`none` takes it back\n"
    "`/incident update [INC-id] <text>`: send a status update to the incident's subscribers\n"
    "`/incident status [INC-id]`: status, severity, lead and links\n"
    "`/incident list`: open incidents\n"
    "`/oncall [team]`: who is on call"
)

ACTIONS: dict[str, Action] = {"ack": "acknowledge", "mitigate": "mitigate", "resolve": "resolve"}

# The roles of IMAS users, each allowed what the ones before it are (as in the gateway), and
# the least role each chat command needs: the same as the API route doing the same thing.
ROLES = ("viewer", "operator", "responder", "manager", "admin")
REQUIRED_ROLE = {
    "ack": "operator",
    "escalate": "operator",
    "mitigate": "responder",
    "resolve": "responder",
    "create": "responder",
    "role": "responder",
    "update": "responder",
    "status": "viewer",
    "list": "viewer",
    "oncall": "viewer",
}


def role_allows(role: str, verb: str) -> bool:
    """Whether an IMAS user of ``role`` may run chat command ``verb``."""
    needed = REQUIRED_ROLE.get(verb, "admin")
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


# Slack (``<@U0ALICE>``, ``<@U0ALICE|alice>``) and Discord (``<@123>``, ``<@!123>``) mentions.
_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
NOBODY = ("none", "nobody", "-")


def parse_role_command(text: str) -> tuple[str, str, str]:
    """``scribe @alice`` → (role, chat user id, name): the mentioned chat user's id when
    the person is a mention, else the name as written (without its ``@``)."""
    role, _, who = text.strip().partition(" ")
    who = who.strip()
    mention = _MENTION.match(who)
    if mention:
        return role.lower(), mention.group(1), ""
    return role.lower(), "", who.removeprefix("@")


# A role is one word (``/incident role <role> @someone`` reads the first word as the role).
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_ROLES = 20
MAX_ROLE_DESCRIPTION = 500


def role_definitions(roles: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The incident roles (name, description) as stored: names stripped and in lower case,
    each once; ``Invalid`` naming ``roles[i].name`` (or ``.description``, or ``roles``)."""
    if len(roles) > MAX_ROLES:
        raise Invalid.field("roles", f"at most {MAX_ROLES} roles")
    found: list[tuple[str, str]] = []
    for i, (raw, description) in enumerate(roles):
        name = raw.strip().lower()
        if not _ROLE_NAME.match(name):
            raise Invalid.field(
                f"roles[{i}].name",
                "one word of letters, digits, - or _ (at most 40), starting with a letter",
            )
        if name in (n for n, _ in found):
            raise Invalid.field(f"roles[{i}].name", f"'{name}' is given twice")
        if len(description) > MAX_ROLE_DESCRIPTION:
            raise Invalid.field(
                f"roles[{i}].description", f"at most {MAX_ROLE_DESCRIPTION} characters"
            )
        found.append((name, description.strip()))
    return found


@dataclass(frozen=True)
class NewIncident:
    """``/incident create [SEV2] [service:<name>] <title>`` once parsed."""

    title: str
    severity: str | None = None
    service: str | None = None


_SEVERITY_WORD = re.compile(r"^sev([1-4])(?:_[a-z]+)?$", re.IGNORECASE)
_SERVICE_WORD = re.compile(r"^(?:service|svc):(.+)$", re.IGNORECASE)
SEVERITY_BY_LEVEL = {"1": "SEV1_CRITICAL", "2": "SEV2_HIGH", "3": "SEV3_MEDIUM", "4": "SEV4_LOW"}


def parse_new_incident(text: str) -> NewIncident:
    """Severity and service words may come anywhere; the other words are the title."""
    severity = service = None
    title: list[str] = []
    for word in text.split():
        level = _SEVERITY_WORD.match(word)
        named = _SERVICE_WORD.match(word)
        if level and severity is None:
            severity = SEVERITY_BY_LEVEL[level.group(1)]
        elif named and service is None:
            service = named.group(1)
        else:
            title.append(word)
    return NewIncident(title=" ".join(title), severity=severity, service=service)


def next_escalation_level(levels: Sequence[int], fired: Sequence[int]) -> int | None:
    """The first level of the policy above every level already paged; None past the last."""
    above = max(fired, default=-1)
    return next((level for level in sorted(levels) if level > above), None)


# -- LID export --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExporterRules:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    secrets: tuple[str, ...]


EXPORTER_RULES = {
    "confluence": ExporterRules(
        required=("base_url", "space_key", "email"), optional=("parent_id",), secrets=("api_token",)
    ),
    "google_docs": ExporterRules(
        required=(),
        optional=("base_url", "drive_url", "folder_id", "subject"),
        secrets=("service_account",),
    ),
}
_URL = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


def check_exporter(name: str, kind: str, config: dict[str, str], secrets: set[str]) -> None:
    """Refuse an exporter that could not work, naming the field (``config.<key>``...)."""
    if not name.strip():
        raise Invalid.field("name", "must not be empty")
    rules = EXPORTER_RULES.get(kind)
    if rules is None:
        raise Invalid.field("kind", f"must be one of {', '.join(EXPORTER_RULES)}")
    known = (*rules.required, *rules.optional)
    for key in config:
        if key not in known:
            raise Invalid.field(f"config.{key}", f"unknown setting (known: {', '.join(known)})")
    for key in rules.required:
        if not str(config.get(key, "")).strip():
            raise Invalid.field(f"config.{key}", "is required")
    for key in ("base_url", "drive_url"):
        if config.get(key) and not _URL.match(config[key]):
            raise Invalid.field(f"config.{key}", "must be an http(s) URL")
    for key in rules.secrets:
        if key not in secrets:
            raise Invalid.field(f"secrets.{key}", "is required")
    for key in secrets - set(rules.secrets):
        raise Invalid.field(f"secrets.{key}", f"unknown secret (known: {', '.join(rules.secrets)})")
