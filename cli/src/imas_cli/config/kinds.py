"""Every kind of configuration entry, in the order they are applied: an entry comes after
the ones it names (people before the teams they manage, schedules before the policies that
page them). Deletions go the other way."""

from __future__ import annotations

from typing import Any

from imas_cli.config.access import Tokens, Users
from imas_cli.config.alerting import AlertRules, Silences
from imas_cli.config.catalog import People, Scopes, Services, TagRules, Teams
from imas_cli.config.documents import IncidentRoles, LidExporters, Runbooks
from imas_cli.config.kind import Kind
from imas_cli.config.oncall import Policies, Schedules
from imas_cli.config.paging import Integrations, Providers, RoutingRules

KINDS: tuple[Kind[Any], ...] = (
    People(),
    Teams(),
    Services(),
    Scopes(),
    TagRules(),
    Schedules(),
    Policies(),
    Providers(),
    RoutingRules(),
    Integrations(),
    AlertRules(),
    Silences(),
    LidExporters(),
    Runbooks(),
    IncidentRoles(),
    Users(),
    Tokens(),
)
BY_SECTION: dict[str, Kind[Any]] = {kind.section: kind for kind in KINDS}
# The kinds whose names other entries use, and the kind of name each one gives.
NAMED = {"people": "person", "teams": "team", "scopes": "scope", "schedules": "schedule"}
# The sections whose names each section's entries use: fetched to check and resolve them.
NEEDS = {
    "teams": ("people",),
    "services": ("teams",),
    "schedules": ("teams", "people"),
    "escalation_policies": ("teams", "people", "schedules"),
    "routing_rules": ("teams", "scopes", "people"),
}
