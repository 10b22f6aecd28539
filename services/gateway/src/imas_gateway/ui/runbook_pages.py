"""Runbook pages: every runbook, and one runbook's steps. Readable by every role, like
``/api/v1/runbooks/``."""

from __future__ import annotations

from litestar import Response, get
from litestar.params import FromPath

from imas_contracts.warroom import GetRunbook, ListRunbooks, RunbookList, RunbookView
from imas_gateway.http.request import Request
from imas_gateway.ui.auth_pages import current
from imas_gateway.ui.render import render

# -- runbooks ---------------------------------------------------------------------------------


@get("/runbooks", include_in_schema=False)
async def runbooks(request: Request) -> Response[str]:
    """Runbooks by name; ``?service=`` narrows to one service's."""
    current(request)
    service = request.query_params.get("service", "")
    found = await request.gateway.mesh.ask(ListRunbooks(service=service), RunbookList)
    return render(request, "runbooks.html", runbooks=found.runbooks, service=service)


@get("/runbooks/{runbook_id:str}", include_in_schema=False)
async def runbook(request: Request, runbook_id: FromPath[str]) -> Response[str]:
    """One runbook: what it is for and its steps (commands, critical ones, rollbacks)."""
    current(request)
    found = await request.gateway.mesh.ask(GetRunbook(id=runbook_id), RunbookView)
    return render(request, "runbook.html", runbook=found.runbook)


RUNBOOK_ROUTES = [runbooks, runbook]
