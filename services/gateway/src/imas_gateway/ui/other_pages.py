"""Home and analytics pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar import Response, get
from litestar.response import Redirect

from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.escalation import OnCallReply, WhoIsOnCall
from imas_contracts.incidents import SEVERITIES, STATUSES, IncidentPage, ListIncidents, Status
from imas_contracts.kpis import (
    GetKpiBreakdown,
    GetKpiHeatmap,
    GetKpiSummary,
    GetKpiTopOffenders,
    GetKpiTrend,
    KpiBreakdown,
    KpiHeatmap,
    KpiSummary,
    KpiTopOffenders,
    KpiTrend,
)
from imas_gateway.http.request import Request
from imas_gateway.http.upstream import Upstream
from imas_gateway.ui.auth_pages import current
from imas_gateway.ui.incident_view import optional
from imas_gateway.ui.render import render, severity_label
from imas_gateway.ui.summaries import OnCallNow, heat_grid, on_call_now, severity_counts

OPEN: list[Status] = ["TRIGGERED", "ACKNOWLEDGED", "MITIGATED"]
CATALOG_KINDS = {"services": "service", "teams": "team", "people": "person"}
RANGES = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}


async def _count(mesh: Upstream, **filters: Any) -> int:
    return (await mesh.ask(ListIncidents(limit=1, **filters), IncidentPage)).count


async def _on_call(mesh: Upstream) -> list[OnCallNow]:
    """Who is on call per team, when the escalation service answers."""
    teams = await optional(mesh, ListCatalog(kind="team"), CatalogEntries)
    if not teams:
        return []
    replies = await asyncio.gather(
        *(optional(mesh, WhoIsOnCall(team_id=t.id), OnCallReply) for t in teams.teams)
    )
    return [on_call_now(t.name, reply) for t, reply in zip(teams.teams, replies, strict=True)]


@get(["/dashboard", "/dashboard/"], include_in_schema=False)
async def dashboard() -> Redirect:
    """Where the brief (and its Django original) puts the dashboard: it is the home page.
    Temporary (302), so that browsers do not keep it if the dashboard ever moves there."""
    return Redirect("/", status_code=302)


@get("/", include_in_schema=False)
async def home(request: Request) -> Response[str]:
    """Active incidents (critical ones on a banner), counts, MTTA / MTTR of the last 7 days
    against the 7 before, who is on call; ``?part=live`` is the live part alone."""
    current(request)
    mesh = request.gateway.mesh
    now = datetime.now(UTC)
    active, by_status, by_severity, summary, on_call = await asyncio.gather(
        mesh.ask(ListIncidents(status=OPEN, limit=50), IncidentPage),
        asyncio.gather(*(_count(mesh, status=[s]) for s in STATUSES)),
        asyncio.gather(*(_count(mesh, status=OPEN, severity=[s]) for s in SEVERITIES)),
        optional(mesh, GetKpiSummary(start=now - timedelta(days=7), end=now), KpiSummary),
        _on_call(mesh),
    )
    critical = [i for i in active.results if i.severity in ("SEV1_CRITICAL", "SEV2_HIGH")]
    template = "_home_live.html" if request.query_params.get("part") == "live" else "home.html"
    return render(
        request,
        template,
        active=active,
        critical=critical,
        by_status=list(zip(STATUSES, by_status, strict=True)),
        by_severity=list(zip(SEVERITIES, by_severity, strict=True)),
        summary=summary,
        on_call=on_call,
    )


@get("/analytics", include_in_schema=False)
async def analytics(request: Request) -> Response[str]:
    """Trend, by severity, top offenders and the weekday-by-hour heatmap over ``?range=``."""
    current(request)
    chosen = request.query_params.get("range", "30d")
    days = RANGES.get(chosen, 30)
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    mesh = request.gateway.mesh
    summary, trend, by_severity, offenders, heatmap = await asyncio.gather(
        mesh.ask(GetKpiSummary(start=start, end=end), KpiSummary),
        mesh.ask(
            GetKpiTrend(bucket="day" if days <= 30 else "week", start=start, end=end), KpiTrend
        ),
        mesh.ask(GetKpiBreakdown(group_by="severity", start=start, end=end), KpiBreakdown),
        mesh.ask(GetKpiTopOffenders(start=start, end=end), KpiTopOffenders),
        mesh.ask(GetKpiHeatmap(start=start, end=end), KpiHeatmap),
    )
    severities = severity_counts(by_severity)
    charts = {
        "trend": msgspec.to_builtins(trend),
        "severity": [{"key": s, "label": severity_label(s), "count": n} for s, n in severities],
        "offenders": msgspec.to_builtins(offenders),
    }
    return render(
        request,
        "analytics.html",
        summary=summary,
        offenders=offenders,
        severities=severities,
        heat=heat_grid(heatmap),
        chosen=chosen,
        ranges=list(RANGES),
        # "</" never closes the script element the JSON sits in.
        charts=msgspec.json.encode(charts).decode().replace("</", "<\\/"),
    )


OTHER_ROUTES = [dashboard, home, analytics]
