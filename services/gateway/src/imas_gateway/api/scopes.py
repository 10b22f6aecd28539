"""``/api/v1/scopes/``: the catalog's impact scopes (see ``api.catalog``)."""

from __future__ import annotations

from imas_contracts.catalog import ScopeEntry, ScopeFields
from imas_gateway.api.catalog import CatalogController, kind_types
from imas_gateway.auth.guard import Role, role


class ScopeController(CatalogController):
    path = "/api/v1/scopes"
    tags = ["catalog"]
    kind = "scope"
    opt = role(Role.VIEWER, answer=ScopeEntry)
    signature_namespace = kind_types(ScopeFields)
