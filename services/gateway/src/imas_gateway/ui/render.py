"""Jinja rendering of the dashboard, its filters, and what each role may do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import litestar
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Response

from imas_contracts.notifier import recipient_label
from imas_gateway.http.request import session_of

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# Roles in increasing power; an action needs at least the role named here.
RANKS = {"viewer": 0, "operator": 1, "responder": 2, "manager": 3, "admin": 4}
NEEDS = {
    "acknowledge": "operator",
    "mitigate": "responder",
    "resolve": "responder",
    "reopen": "responder",
    "comment": "responder",
    "tag": "responder",
    "create": "responder",
    "runbook": "responder",
    # Running an incident from its page: the API's roles for the same calls.
    "edit": "responder",
    "escalate": "operator",
    "responders": "responder",
    "lid": "responder",
    "roles": "responder",
    "updates": "responder",
    "follow": "viewer",
    "admin": "admin",
}


def can(role: str, action: str) -> bool:
    return RANKS.get(role, -1) >= RANKS[NEEDS[action]]


def duration(seconds: float | None) -> str:
    """``4m 10s``, ``2h 05m``, ``3d 4h``; an em dash when not measured yet."""
    if seconds is None:
        return "—"
    total = int(seconds)
    if total < 60:
        return f"{total}s"
    if total < 3600:
        return f"{total // 60}m {total % 60:02d}s"
    if total < 86400:
        return f"{total // 3600}h {total % 3600 // 60:02d}m"
    return f"{total // 86400}d {total % 86400 // 3600}h"


def when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def short(value: datetime | str | None) -> str:
    """A moment in a narrow column: ``07 Dec 17:31:29``."""
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%d %b %H:%M:%S")


def until(value: datetime) -> str:
    """The end of a shift, short: ``Mon 14 Dec 09:00 UTC``."""
    return value.astimezone(UTC).strftime("%a %d %b %H:%M UTC")


def minutes(value: float) -> str:
    """``15 min``, ``1.5 min``."""
    return f"{value:g} min"


def a_or_an(noun: str) -> str:
    """``an integration``, ``a team``, ``a user``."""
    return f"{'an' if noun[:1].lower() in 'aeio' else 'a'} {noun}"


def severity_label(severity: str) -> str:
    """``SEV1_CRITICAL`` → ``SEV1 critical``."""
    head, _, tail = severity.partition("_")
    return f"{head} {tail.lower()}".strip()


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(
    duration=duration,
    when=when,
    short=short,
    until=until,
    sev=severity_label,
    minutes=minutes,
    recipient=recipient_label,
    a_or_an=a_or_an,
)
env.globals.update(can=can)


def render(
    request: litestar.Request[Any, Any, Any],
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    """A page (or an htmx fragment) with the signed-in user and their CSRF token in context."""
    session = session_of(request.scope)
    html = env.get_template(template).render(
        user=session,
        role=session.role if session else "",
        csrf=session.csrf if session else context.pop("csrf", ""),
        path=request.url.path,
        **context,
    )
    return Response(html, status_code=status_code, media_type="text/html")
