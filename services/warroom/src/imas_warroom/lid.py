"""The LID as text: a Markdown + Jinja template rendered from what warroom knows, and its HTML.

Templates are edited by admins, so they run in Jinja's sandbox: a template can read the values
it is given, never call into the process. Markdown is rendered without raw HTML, so an
incident title can never inject markup into the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt

from imas_contracts.incidents import IncidentSnapshot
from imas_contracts.warroom import ActionItem, RunbookSpec, StepState
from imas_runtime.errors import Invalid
from imas_warroom.domain import SEVERITY_LABELS, Item

DEFAULT_TEMPLATE = """\
# {{ title }}

| | |
|---|---|
| **Status** | {{ incident.status }} |
| **Severity** | {{ severity_label }} |
| **Service** | {{ incident.service.name }} |
| **Team** | {{ incident.team.name if incident.team else "—" }} |
| **Lead** | {{ incident.lead or "unassigned" }} |
{%- for holder in roles %}
| **{{ holder.role | title }}** | {{ holder.name }} |
{%- endfor %}
| **Incident** | [{{ links.incident }}]({{ links.incident }}) |
{%- if links.war_room %}
| **War room** | [{{ links.war_room }}]({{ links.war_room }}) |
{%- endif %}
{%- if runbook %}
| **Runbook** | [{{ runbook.name }}]({{ links.runbook }}) |
{%- endif %}

## Summary

{{ incident.description or incident.title }}

{% if status_updates -%}
## Status updates

{% for update in status_updates -%}
- {{ update.at }}, {{ update.actor or "IMAS" }}: {{ update.message }}
{% endfor %}
{% endif -%}
## Impact

{% if incident.impacted_scopes -%}
Impacted scopes: {{ incident.impacted_scopes | map(attribute="name") | join(", ") }}.
{% else -%}
No impacted scope declared yet.
{% endif %}
{{ incident.alert_count }} alert(s) received for {{ incident.service.name }}.

## Key metrics

| MTTD | MTTA | MTTR |
|---|---|---|
| {{ kpis.mttd }} | {{ kpis.mtta }} | {{ kpis.mttr }} |

## Severity history

{% for change in severity_history -%}
- {{ change.at }}: {{ change.label }}
{% endfor %}
## Timeline

| Time (UTC) | Event | By |
|---|---|---|
{% for item in timeline -%}
| {{ item.at }} | {{ item.message }} | {{ item.actor or "" }} |
{% endfor %}
{%- if runbook %}
## Runbook: {{ runbook.name }}

{% for step in runbook.steps -%}
{{ step.index }}. [{{ "x" if step.status in ("done", "skipped") else " " }}] \
{{ step.title }} — {{ step.status }}{% if step.actor %} by {{ step.actor }}{% endif %}\
{% if step.note %} ({{ step.note }}){% endif %}
{% endfor %}
{%- endif %}
## Participants

{% for person in participants -%}
- {{ person }}
{% else -%}
- nobody yet
{% endfor %}
## Root cause

{{ root_cause or "_To be written._" }}

## Resolution

{{ resolution or "_To be written._" }}

## Action items

{% for item in action_items -%}
- [{{ "x" if item.done else " " }}] {{ item.title }}\
{% if item.owner %} — {{ item.owner }}{% endif %}{% if item.due %} (due {{ item.due }}){% endif %}
{% else -%}
_None yet._
{% endfor %}
"""

# How a status update's LID line starts (see ``imas_warroom.stakeholders``).
UPDATE_PREFIX = "Status update: "

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Facts:
    """Everything a LID shows, gathered by the use cases."""

    incident: IncidentSnapshot
    links: dict[str, str | None]
    timeline: Sequence[Item]
    severity_history: Sequence[tuple[str, datetime]]
    runbook: RunbookSpec | None = None
    steps: Sequence[StepState] = ()
    root_cause: str = ""
    resolution: str = ""
    action_items: Sequence[ActionItem] = ()
    participants: Sequence[str] = field(default_factory=tuple)
    # (role, name) of the incident's roles that someone holds, in the configured order.
    roles: Sequence[tuple[str, str]] = field(default_factory=tuple)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def participants(facts: Facts) -> list[str]:
    """The lead, the holders of the incident's roles, then everyone who acted in the
    timeline, each once."""
    names: list[str] = []
    holders = (name for _, name in facts.roles)
    everyone = (facts.incident.lead, *holders, *(i.actor for i in facts.timeline))
    for name in (*everyone, *facts.participants):
        if name and name not in names:
            names.append(name)
    return names


def context(facts: Facts) -> dict[str, Any]:
    incident = facts.incident
    runbook = None
    if facts.runbook is not None:
        runbook = {
            "name": facts.runbook.name,
            "steps": [msgspec.to_builtins(s) for s in facts.steps],
        }
    return {
        "title": f"INC-{incident.short_id} - {incident.title}",
        "incident": msgspec.to_builtins(incident),
        "severity_label": SEVERITY_LABELS.get(incident.severity, incident.severity),
        "links": dict(facts.links),
        "kpis": {
            "mttd": _duration(incident.mttd_seconds),
            "mtta": _duration(incident.mtta_seconds),
            "mttr": _duration(incident.mttr_seconds),
        },
        "severity_history": [
            {"at": _when(at), "severity": sev, "label": SEVERITY_LABELS.get(sev, sev)}
            for sev, at in facts.severity_history
        ],
        "timeline": [
            {"at": _when(i.at), "kind": i.kind, "message": _cell(i.message), "actor": i.actor}
            for i in facts.timeline
        ],
        "runbook": runbook,
        "participants": participants(facts),
        "roles": [{"role": role, "name": name} for role, name in facts.roles],
        "status_updates": [
            {"at": _when(i.at), "message": i.message.removeprefix(UPDATE_PREFIX), "actor": i.actor}
            for i in facts.timeline
            if i.kind == "STATUS_UPDATE"
        ],
        "root_cause": facts.root_cause,
        "resolution": facts.resolution,
        "action_items": [msgspec.to_builtins(a) for a in facts.action_items],
    }


def _cell(text: str) -> str:
    # A pipe or a line break would end the Markdown table cell.
    return text.replace("|", "\\|").replace("\n", " ")


def render(template: str, facts: Facts) -> str:
    """The LID in Markdown; a broken template raises ``Invalid`` naming ``body``."""
    try:
        return _env.from_string(template).render(context(facts))
    except TemplateError as exc:
        raise Invalid.field("body", f"the template does not render: {exc}") from None


def check_template(template: str, sample: Facts) -> None:
    """Refuse a template that does not compile or cannot render a typical incident."""
    render(template, sample)


def to_xhtml(markdown: str) -> str:
    """The LID's body as XHTML (what Confluence's storage format accepts)."""
    xhtml: str = _markdown.render(markdown)
    return xhtml


def to_body_html(markdown: str) -> str:
    """The LID's body as HTML, for a page of its own (raw HTML in the Markdown is escaped)."""
    body: str = _markdown.render(markdown)
    return body


def to_html(markdown: str, title: str) -> str:
    """A standalone HTML page of the LID."""
    body = to_body_html(markdown)
    safe_title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{safe_title}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}</style>"
        f"</head><body>\n{body}</body></html>\n"
    )


def _sample() -> Facts:
    from imas_contracts.catalog import Ref

    at = datetime(2026, 2, 5, 18, 30)
    incident = IncidentSnapshot(
        id="00000000-0000-0000-0000-000000000000",
        short_id="00000000",
        title="Redis Cluster Down",
        service=Ref(id="s", name="redis-prod"),
        team=Ref(id="t", name="SRE Core"),
        severity="SEV1_CRITICAL",
        status="RESOLVED",
        lead="Alice",
        impacted_scopes=[Ref(id="x", name="Security")],
        detected_at=at,
        created_at=at,
        mttd_seconds=60.0,
        mtta_seconds=120.0,
        mttr_seconds=3600.0,
    )
    return Facts(
        incident=incident,
        links={"incident": "http://i", "lid": "http://l", "runbook": "http://r", "war_room": None},
        timeline=[Item(key="k", at=at, kind="STATUS_CHANGE", message="Opened", actor="Alice")],
        severity_history=[("SEV1_CRITICAL", at)],
        runbook=RunbookSpec(name="Redis", service="redis-prod", steps=[]),
        action_items=[ActionItem(title="Add a replica", owner="Bob")],
    )


SAMPLE = _sample()
"""A typical incident, to prove a new template renders before it is saved."""
