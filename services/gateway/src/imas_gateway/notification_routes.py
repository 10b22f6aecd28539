"""Who gets paged, over what: routing rules, and each person's contact methods and
notification rules.

Viewers read; changing any of it needs the manager role. Routing rules and notification rules
belong to the notifier; contact methods are part of the person in the catalog (the incidents
service), so they are read and written there and reach the notifier with ``catalog.changed``.
Teams, scopes and people may be named by id or by name (a team's slug, a person's e-mail);
rules store their ids.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency

from imas_contracts.catalog import CatalogEntries, ListCatalog, PersonSpec, SaveCatalogEntry
from imas_contracts.notifier import (
    DeletePersonRules,
    DeleteRoutingRule,
    GetPersonRules,
    ListRoutingRules,
    NotificationRule,
    PersonNotificationRules,
    PutPersonRules,
    PutRoutingRule,
    RoutingRuleList,
    RoutingRuleView,
    RoutingTarget,
)
from imas_gateway import api_params as params
from imas_gateway.auth import role
from imas_gateway.domain import Principal, message_json
from imas_gateway.upstream import MESH_DEPENDENCIES, Upstream
from imas_runtime.errors import Invalid, NotFound, RequestFailed

MANAGER = "manager"
CONTACT_TYPES = ("email", "sms", "phone", "slack", "discord", "teams", "ntfy")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_CONTACT_METHODS = 20


class RoutingRuleBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A routing rule as written: ``team_id`` and ``scope_id`` take an id or a name,
    ``responder`` a person's id or e-mail; empty matches anything."""

    target: RoutingTarget
    team_id: str = ""
    severity: str = ""
    scope_id: str = ""
    channels: list[str] = []
    responder: str = ""


class ContactMethodBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    type: str
    address: str


class ContactMethodsBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    contact_methods: list[ContactMethodBody]


class NotificationRulesBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rules: list[NotificationRule]


def check_contact_methods(methods: list[ContactMethodBody]) -> list[dict[str, str]]:
    """Contact methods that can page: a known type and an address of its kind."""
    if len(methods) > MAX_CONTACT_METHODS:
        raise Invalid.field("contact_methods", f"at most {MAX_CONTACT_METHODS}")
    cleaned = []
    for i, method in enumerate(methods):
        kind, address = method.type.strip().lower(), method.address.strip()
        if kind not in CONTACT_TYPES:
            raise Invalid.field(
                f"contact_methods[{i}].type", f"must be one of {', '.join(CONTACT_TYPES)}"
            )
        if not address or len(address) > 320:
            raise Invalid.field(f"contact_methods[{i}].address", "must be 1 to 320 characters")
        if kind == "email" and "@" not in address:
            raise Invalid.field(f"contact_methods[{i}].address", "must be an e-mail address")
        if kind in ("sms", "phone") and not _E164.fullmatch(address):
            raise Invalid.field(
                f"contact_methods[{i}].address", "must be a phone number in E.164 (+33612345678)"
            )
        cleaned.append({"type": kind, "address": address})
    if len({(m["type"], m["address"]) for m in cleaned}) != len(cleaned):
        raise Invalid.field("contact_methods", "must not repeat a method")
    return cleaned


async def _catalog_entry(mesh: Upstream, kind: str, ref: str) -> dict[str, Any]:
    """One catalog entry by id or name (NotFound otherwise)."""
    found = await mesh.ask(ListCatalog(kind=kind, id=ref), CatalogEntries)  # type: ignore[arg-type]
    entries: list[dict[str, Any]] = msgspec.to_builtins(
        {"team": found.teams, "scope": found.scopes, "person": found.people}[kind]
    )
    if not entries:
        raise NotFound(f"no {kind} {ref}")
    return entries[0]


async def _catalog_id(mesh: Upstream, kind: str, ref: str, field: str) -> str:
    """The id of the entry ``ref`` names; '' for ''; 400 naming ``field`` when unknown."""
    if not ref.strip():
        return ""
    try:
        return str((await _catalog_entry(mesh, kind, ref.strip()))["id"])
    except RequestFailed as exc:
        if exc.code in ("not_found", "invalid"):
            raise Invalid.field(field, f"no {kind} '{ref}'") from None
        raise
    except NotFound:
        raise Invalid.field(field, f"no {kind} '{ref}'") from None


async def _put_rule(mesh: Upstream, body: bytes, rule_id: str = "") -> dict[str, Any]:
    rule = params.decode_body(body, RoutingRuleBody)
    command = PutRoutingRule(
        id=rule_id,
        target=rule.target,
        team_id=await _catalog_id(mesh, "team", rule.team_id, "team_id"),
        severity=rule.severity,
        scope_id=await _catalog_id(mesh, "scope", rule.scope_id, "scope_id"),
        channels=rule.channels,
        responder=await _catalog_id(mesh, "person", rule.responder, "responder"),
    )
    return message_json((await mesh.ask(command, RoutingRuleView)).rule)


class RoutingRuleController(Controller):
    path = "/api/v1/routing-rules"
    tags = ["notifications"]
    opt = role("viewer")
    dependencies = MESH_DEPENDENCIES

    @get("/", summary="Routing rules: stored ones, then the built-in defaults")
    async def list_rules(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream]
    ) -> dict[str, Any]:
        found = await mesh.ask(ListRoutingRules(), RoutingRuleList)
        results = [message_json(r) for r in found.rules]
        return {"count": len(results), "results": results}

    @get("/{rule_id:str}/", summary="One routing rule (built-in ones are default-N)")
    async def read(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], rule_id: str
    ) -> dict[str, Any]:
        found = await mesh.ask(ListRoutingRules(id=rule_id), RoutingRuleList)
        return message_json(found.rules[0])

    @post(
        "/",
        status_code=201,
        summary="Add a routing rule (409 when a stored rule has the same match)",
        opt=role(MANAGER, body=RoutingRuleBody),
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
    ) -> dict[str, Any]:
        return await _put_rule(mesh, await request.body())

    @put(
        "/{rule_id:str}/", summary="Replace a routing rule", opt=role(MANAGER, body=RoutingRuleBody)
    )
    async def replace(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        rule_id: str,
    ) -> dict[str, Any]:
        return await _put_rule(mesh, await request.body(), rule_id)

    @delete(
        "/{rule_id:str}/",
        status_code=200,
        summary="Delete a routing rule (built-in ones can only be overridden)",
        opt=role(MANAGER),
    )
    async def remove(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], rule_id: str
    ) -> dict[str, Any]:
        return message_json((await mesh.ask(DeleteRoutingRule(id=rule_id), RoutingRuleView)).rule)


class PersonPagingController(Controller):
    """A person's contact methods (kept in the catalog) and notification rules (kept by the
    notifier); ``entry_id`` is the person's id or e-mail, as for ``/api/v1/people/``."""

    path = "/api/v1/people/{entry_id:str}"
    tags = ["notifications"]
    opt = role("viewer")
    dependencies = MESH_DEPENDENCIES

    @get("/contact-methods/", summary="A person's contact methods")
    async def contact_methods(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], entry_id: str
    ) -> dict[str, Any]:
        person = await _catalog_entry(mesh, "person", entry_id)
        return {"person_id": person["id"], "contact_methods": person["contact_methods"]}

    @put(
        "/contact-methods/",
        summary="Replace a person's contact methods",
        opt=role(MANAGER, body=ContactMethodsBody),
    )
    async def replace_contact_methods(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), ContactMethodsBody)
        return await self._save_methods(
            mesh, principal, entry_id, check_contact_methods(body.contact_methods), replace=True
        )

    @post(
        "/contact-methods/",
        status_code=201,
        summary="Add a contact method",
        opt=role(MANAGER, body=ContactMethodBody),
    )
    async def add_contact_method(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), ContactMethodBody)
        return await self._save_methods(
            mesh, principal, entry_id, check_contact_methods([body]), replace=False
        )

    @delete(
        "/contact-methods/{position:int}/",
        status_code=200,
        summary="Remove a contact method by its position in the list (1 is the first)",
        opt=role(MANAGER),
    )
    async def remove_contact_method(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: str,
        position: int,
    ) -> dict[str, Any]:
        person = await _catalog_entry(mesh, "person", entry_id)
        methods = list(person["contact_methods"])
        if not 1 <= position <= len(methods):
            raise NotFound(f"no contact method {position} (the person has {len(methods)})")
        del methods[position - 1]
        return await self._write(mesh, principal, person, methods)

    async def _save_methods(
        self,
        mesh: Upstream,
        principal: Principal,
        entry_id: str,
        methods: list[dict[str, str]],
        *,
        replace: bool,
    ) -> dict[str, Any]:
        person = await _catalog_entry(mesh, "person", entry_id)
        if not replace:
            methods = [*person["contact_methods"], *methods]
            check_contact_methods([msgspec.convert(m, ContactMethodBody) for m in methods])
        return await self._write(mesh, principal, person, methods)

    @staticmethod
    async def _write(
        mesh: Upstream, principal: Principal, person: dict[str, Any], methods: list[Any]
    ) -> dict[str, Any]:
        fields = {**params.entry_fields("person", person), "contact_methods": methods}
        command = SaveCatalogEntry(
            kind="person",
            id=person["id"],
            actor=principal.name,
            person=msgspec.convert(fields, PersonSpec),
        )
        saved = (await mesh.ask(command, CatalogEntries)).people[0]
        return {
            "person_id": saved.id,
            "contact_methods": msgspec.to_builtins(saved.contact_methods),
        }

    @get("/notification-rules/", summary="A person's notification rules")
    async def notification_rules(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], entry_id: str
    ) -> dict[str, Any]:
        person = await _catalog_entry(mesh, "person", entry_id)
        return message_json(
            await mesh.ask(GetPersonRules(person_id=person["id"]), PersonNotificationRules)
        )

    @put(
        "/notification-rules/",
        summary="Replace a person's notification rules (e.g. ntfy now, SMS after 1 minute)",
        opt=role(MANAGER, body=NotificationRulesBody),
    )
    async def replace_notification_rules(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: str,
    ) -> dict[str, Any]:
        body = params.decode_body(await request.body(), NotificationRulesBody)
        person = await _catalog_entry(mesh, "person", entry_id)
        command = PutPersonRules(person_id=person["id"], rules=body.rules)
        return message_json(await mesh.ask(command, PersonNotificationRules))

    @delete(
        "/notification-rules/",
        status_code=200,
        summary="Drop a person's notification rules (back to the routing rules' channels)",
        opt=role(MANAGER),
    )
    async def remove_notification_rules(
        self, principal: NamedDependency[Principal], mesh: NamedDependency[Upstream], entry_id: str
    ) -> dict[str, Any]:
        person = await _catalog_entry(mesh, "person", entry_id)
        command = DeletePersonRules(person_id=person["id"])
        return message_json(await mesh.ask(command, PersonNotificationRules))


NOTIFICATION_ROUTES = [RoutingRuleController, PersonPagingController]
