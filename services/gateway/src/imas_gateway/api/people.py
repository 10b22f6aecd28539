"""``/api/v1/people/``: the catalog's people (see ``api.catalog``), each person's shifts as
an iCal feed, their contact methods and their notification rules.

Viewers read; changing any of it needs the manager role. Notification rules belong to the
notifier; contact methods are part of the person in the catalog (the incidents service), so
they are read and written there and reach the notifier with ``catalog.changed``. A person is
named by id or by e-mail.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from imas_contracts.catalog import (
    CatalogEntries,
    ListCatalog,
    PersonEntry,
    PersonSpec,
    SaveCatalogEntry,
)
from imas_contracts.escalation import CalendarReply, GetCalendar
from imas_contracts.notifier import (
    DeletePersonRules,
    GetPersonRules,
    NotificationRule,
    PersonNotificationRules,
    PutPersonRules,
)
from imas_gateway.api.catalog import CatalogController, catalog_entry, kind_types
from imas_gateway.api.maintenance_calendar import team_windows
from imas_gateway.api.schedules import ICALENDAR, calendar_response
from imas_gateway.auth.guard import Role, role
from imas_gateway.domain import Principal, message_json
from imas_gateway.http import parsing as params
from imas_gateway.http.upstream import Upstream
from imas_runtime.errors import Invalid, NotFound

MANAGER = Role.MANAGER
# ``voice`` (a number for calls only) beside ``phone`` (calls and SMS).
CONTACT_TYPES = ("email", "sms", "phone", "voice", "slack", "discord", "teams", "ntfy")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_CONTACT_METHODS = 20


class ContactMethodBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One way to reach a person: a channel and the address on it."""

    type: str
    address: str


class ContactMethodsBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every way to reach a person, in order."""

    contact_methods: list[ContactMethodBody]


class NotificationRulesBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A person's notification rules, in order."""

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
        if kind in ("sms", "phone", "voice") and not _E164.fullmatch(address):
            raise Invalid.field(
                f"contact_methods[{i}].address", "must be a phone number in E.164 (+33612345678)"
            )
        cleaned.append({"type": kind, "address": address})
    if len({(m["type"], m["address"]) for m in cleaned}) != len(cleaned):
        raise Invalid.field("contact_methods", "must not repeat a method")
    return cleaned


class PersonController(CatalogController):
    path = "/api/v1/people"
    tags = ["catalog"]
    kind = "person"
    opt = role(Role.VIEWER, answer=PersonEntry)
    signature_namespace = kind_types(PersonSpec)


class PersonCalendarController(Controller):
    path = "/api/v1/people"
    tags = ["on-call"]
    opt = role(Role.VIEWER)

    @get(
        "/{person_id:str}/calendar.ics",
        summary="A person's shifts as an iCal feed, with the maintenance windows of the "
        "services of their teams",
        media_type=ICALENDAR,
    )
    async def person_calendar(
        self, mesh: NamedDependency[Upstream], person_id: FromPath[str]
    ) -> Response[str]:
        reply = await mesh.ask(GetCalendar(person_id=person_id), CalendarReply)
        person = await catalog_entry(mesh, "person", person_id)
        listed = await mesh.ask(ListCatalog(kind="team"), CatalogEntries)
        teams = {
            t.id
            for t in listed.teams
            if person["id"] in {m.id for m in t.members}
            or (t.manager is not None and t.manager.id == person["id"])
        }
        body = await team_windows(mesh, teams, reply.body)
        return calendar_response(msgspec.structs.replace(reply, body=body))


class PersonPagingController(Controller):
    """A person's contact methods (kept in the catalog) and notification rules (kept by the
    notifier); ``entry_id`` is the person's id or e-mail, as for ``/api/v1/people/``."""

    path = "/api/v1/people/{entry_id:str}"
    tags = ["notifications"]
    opt = role(Role.VIEWER)

    @get("/contact-methods/", summary="A person's contact methods")
    async def contact_methods(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        person = await catalog_entry(mesh, "person", entry_id)
        return {"person_id": person["id"], "contact_methods": person["contact_methods"]}

    @put(
        "/contact-methods/",
        summary="Replace a person's contact methods",
        opt=role(MANAGER),
    )
    async def replace_contact_methods(
        self,
        data: JSONBody[ContactMethodsBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        return await self._save_methods(
            mesh, principal, entry_id, check_contact_methods(data.contact_methods), replace=True
        )

    @post(
        "/contact-methods/",
        status_code=201,
        summary="Add a contact method",
        opt=role(MANAGER),
    )
    async def add_contact_method(
        self,
        data: JSONBody[ContactMethodBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        return await self._save_methods(
            mesh, principal, entry_id, check_contact_methods([data]), replace=False
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
        entry_id: FromPath[str],
        position: FromPath[int],
    ) -> dict[str, Any]:
        person = await catalog_entry(mesh, "person", entry_id)
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
        person = await catalog_entry(mesh, "person", entry_id)
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
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        person = await catalog_entry(mesh, "person", entry_id)
        return message_json(
            await mesh.ask(GetPersonRules(person_id=person["id"]), PersonNotificationRules)
        )

    @put(
        "/notification-rules/",
        summary="Replace a person's notification rules (e.g. ntfy now, SMS after 1 minute)",
        opt=role(MANAGER),
    )
    async def replace_notification_rules(
        self,
        data: JSONBody[NotificationRulesBody],
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        person = await catalog_entry(mesh, "person", entry_id)
        command = PutPersonRules(person_id=person["id"], rules=data.rules)
        return message_json(await mesh.ask(command, PersonNotificationRules))

    @delete(
        "/notification-rules/",
        status_code=200,
        summary="Drop a person's notification rules (back to the routing rules' channels)",
        opt=role(MANAGER),
    )
    async def remove_notification_rules(
        self,
        principal: NamedDependency[Principal],
        mesh: NamedDependency[Upstream],
        entry_id: FromPath[str],
    ) -> dict[str, Any]:
        person = await catalog_entry(mesh, "person", entry_id)
        command = DeletePersonRules(person_id=person["id"])
        return message_json(await mesh.ask(command, PersonNotificationRules))
