"""Configuration pages: runbooks, integrations (webhook URLs, a new one's secret shown once)
and notification providers ("send test").

Roles follow the API: every role reads runbooks and integrations; creating and deleting
integrations, and everything about providers, is for admins. Pages an admin alone may see are
refused to others (403), not only left out of the menu.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.response import Redirect

from imas_contracts.catalog import CatalogEntries, ListCatalog
from imas_contracts.ingest import (
    SOURCES,
    CreateIntegration,
    DeleteIntegration,
    Integration,
    IntegrationList,
    IntegrationReply,
    ListIntegrations,
)
from imas_contracts.notifier import (
    ListProviders,
    ProviderList,
    ProviderTestResult,
    SendProviderTest,
)
from imas_contracts.warroom import GetRunbook, ListRunbooks, RunbookList, RunbookView
from imas_gateway.alert_config_routes import _integration_json
from imas_gateway.problems import Forbidden
from imas_gateway.ui.auth_pages import current, posted
from imas_gateway.ui.render import can, render
from imas_gateway.ui.sessions import Session
from imas_gateway.upstream import upstream
from imas_runtime.errors import ServiceError

# Shown in a listed integration's URL where its secret goes: secrets are only in the answer
# to the integration's creation.
SECRET_PLACEHOLDER = "<secret>"


def require_admin(session: Session) -> None:
    if not can(session.role, "admin"):
        raise Forbidden.field("role", f"this page is for admins (you are {session.role})")


# -- runbooks ---------------------------------------------------------------------------------


@get("/runbooks", include_in_schema=False)
async def runbooks(request: Request[Any, Any, Any]) -> Response[str]:
    """Runbooks by name; ``?service=`` narrows to one service's."""
    current(request)
    service = request.query_params.get("service", "")
    found = await upstream(request).ask(ListRunbooks(service=service), RunbookList)
    return render(request, "runbooks.html", runbooks=found.runbooks, service=service)


@get("/runbooks/{runbook_id:str}", include_in_schema=False)
async def runbook(request: Request[Any, Any, Any], runbook_id: str) -> Response[str]:
    """One runbook: what it is for and its steps (commands, critical ones, rollbacks)."""
    current(request)
    found = await upstream(request).ask(GetRunbook(id=runbook_id), RunbookView)
    return render(request, "runbook.html", runbook=found.runbook)


# -- integrations -----------------------------------------------------------------------------


def _with_urls(integration: Integration, base: str) -> dict[str, Any]:
    """The integration as the API shows it, with its webhook URL (the placeholder where the
    secret goes, unless this is the answer to its creation)."""
    shown = integration
    if integration.secret is None:
        shown = msgspec.structs.replace(integration, secret=SECRET_PLACEHOLDER)
    data = _integration_json(IntegrationReply(integration=shown), base)
    if integration.secret is None:
        data.pop("secret", None)
        data.pop("routing_key", None)
    return data


async def _integrations_page(
    request: Request[Any, Any, Any],
    *,
    created: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    mesh = upstream(request)
    found = await mesh.ask(ListIntegrations(), IntegrationList)
    services = await mesh.ask(ListCatalog(kind="service"), CatalogEntries)
    base = request.app.state.settings.public_url.rstrip("/")
    return render(
        request,
        "integrations.html",
        status_code=status_code,
        integrations=[_with_urls(i, base) for i in found.integrations],
        created=created,
        errors=errors or {},
        form=form or {},
        sources=SOURCES,
        services=[s.name for s in services.services],
    )


@get("/integrations", include_in_schema=False)
async def integrations(request: Request[Any, Any, Any]) -> Response[str]:
    """Alert sources and their webhook URLs; admins add and delete them."""
    current(request)
    return await _integrations_page(request)


@post("/integrations", include_in_schema=False, status_code=200)
async def integration_create(request: Request[Any, Any, Any]) -> Response[str]:
    """Creates an integration and shows its secret and full webhook URL, this once."""
    session, form = await posted(request)
    require_admin(session)
    command = CreateIntegration(
        name=form.get("name", "").strip(),
        kind=form.get("type", ""),
        service=form.get("service", "").strip(),
    )
    try:
        reply = await upstream(request).ask(command, IntegrationReply)
    except ServiceError as exc:
        if exc.code not in ("invalid", "conflict"):
            raise
        errors = {e.field: e.message for e in exc.errors} or {"": exc.message}
        return await _integrations_page(request, errors=errors, form=form, status_code=400)
    base = request.app.state.settings.public_url.rstrip("/")
    return await _integrations_page(request, created=_with_urls(reply.integration, base))


@post("/integrations/{integration_id:str}/delete", include_in_schema=False, status_code=303)
async def integration_delete(request: Request[Any, Any, Any], integration_id: str) -> Any:
    session, _ = await posted(request)
    require_admin(session)
    await upstream(request).ask(DeleteIntegration(id=integration_id), IntegrationReply)
    return Redirect("/integrations", status_code=303)


# -- notification providers (admins) ----------------------------------------------------------


async def _providers_page(
    request: Request[Any, Any, Any],
    *,
    tested: str = "",
    result: ProviderTestResult | None = None,
    status_code: int = 200,
) -> Response[str]:
    found = await upstream(request).ask(ListProviders(), ProviderList)
    return render(
        request,
        "providers.html",
        status_code=status_code,
        providers=found.providers,
        tested=tested,
        result=result,
    )


@get("/admin/providers", include_in_schema=False)
async def providers(request: Request[Any, Any, Any]) -> Response[str]:
    """Configured providers: kind, settings, the names of their secrets (never the values)."""
    require_admin(current(request))
    return await _providers_page(request)


@post("/admin/providers/{provider_id:str}/test", include_in_schema=False, status_code=200)
async def provider_test(request: Request[Any, Any, Any], provider_id: str) -> Response[str]:
    """Sends a test message now through the provider and shows what it answered."""
    session, form = await posted(request)
    require_admin(session)
    command = SendProviderTest(id=provider_id, recipient=form.get("recipient", "").strip())
    result = await upstream(request).ask(command, ProviderTestResult)
    return await _providers_page(request, tested=provider_id, result=result)


CONFIG_ROUTES = [
    runbooks,
    runbook,
    integrations,
    integration_create,
    integration_delete,
    providers,
    provider_test,
]
