"""Jinja rendering of the dashboard, its filters, and what each role may do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response

from imas_gateway.ui.sessions import Session

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


def minutes(value: float) -> str:
    """``15 min``, ``1.5 min``."""
    return f"{value:g} min"


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
env.filters.update(duration=duration, when=when, sev=severity_label, minutes=minutes)
env.globals.update(can=can)


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    """A page (or an htmx fragment) with the signed-in user and their CSRF token in context."""
    session: Session | None = request.scope.get("imas_session")  # type: ignore[assignment]
    html = env.get_template(template).render(
        user=session,
        role=session.role if session else "",
        csrf=session.csrf if session else context.pop("csrf", ""),
        path=request.url.path,
        **context,
    )
    return Response(html, status_code=status_code, media_type="text/html")
