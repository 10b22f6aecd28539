"""The configuration as the gateway's public API has it: read, create, replace, delete each
kind through ``imas_client`` (the client generated from the OpenAPI document), so the caller's
token, its role and the audit log apply to every change.

Everything here speaks in plain dicts (the API's JSON); the kinds turn them into entries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from imas_client import AuthenticatedClient
from imas_client.api.alert_rules import (
    api_v1_alert_rules_create,
    api_v1_alert_rules_id_remove,
    api_v1_alert_rules_id_replace,
    api_v1_alert_rules_list_all,
)
from imas_client.api.catalog import (
    api_v1_people_create,
    api_v1_people_entry_id_remove,
    api_v1_people_entry_id_replace,
    api_v1_people_list_entries,
    api_v1_scopes_create,
    api_v1_scopes_entry_id_remove,
    api_v1_scopes_entry_id_replace,
    api_v1_scopes_list_entries,
    api_v1_services_create,
    api_v1_services_entry_id_maintenance_start_maintenance,
    api_v1_services_entry_id_remove,
    api_v1_services_entry_id_replace,
    api_v1_services_list_entries,
    api_v1_tag_rules_create,
    api_v1_tag_rules_list_rules,
    api_v1_tag_rules_rule_id_remove,
    api_v1_tag_rules_rule_id_replace,
    api_v1_teams_create,
    api_v1_teams_entry_id_remove,
    api_v1_teams_entry_id_replace,
    api_v1_teams_list_entries,
)
from imas_client.api.incident_document import (
    api_v1_lid_exporters_exporter_id_remove,
    api_v1_lid_exporters_list_exporters,
)
from imas_client.api.integrations import (
    api_v1_integrations_create,
    api_v1_integrations_id_remove,
    api_v1_integrations_id_update,
    api_v1_integrations_list_all,
)
from imas_client.api.notifications import (
    api_v1_notification_providers_create,
    api_v1_notification_providers_list,
    api_v1_notification_providers_ref_remove,
    api_v1_notification_providers_ref_replace,
    api_v1_routing_rules_create,
    api_v1_routing_rules_list_rules,
    api_v1_routing_rules_rule_id_remove,
    api_v1_routing_rules_rule_id_replace,
)
from imas_client.api.notifications import (
    api_v1_people_entry_id_notification_rules_notification_rules as get_rules,
)
from imas_client.api.notifications import (
    api_v1_people_entry_id_notification_rules_remove_notification_rules as drop_rules,
)
from imas_client.api.notifications import (
    api_v1_people_entry_id_notification_rules_replace_notification_rules as put_rules,
)
from imas_client.api.on_call import (
    api_v1_escalation_policies_create,
    api_v1_escalation_policies_list_policies,
    api_v1_escalation_policies_policy_id_remove,
    api_v1_escalation_policies_policy_id_replace,
    api_v1_schedules_create,
    api_v1_schedules_list_schedules,
    api_v1_schedules_schedule_id_remove,
    api_v1_schedules_schedule_id_replace,
)
from imas_client.api.runbooks import (
    api_v1_runbooks_list_runbooks,
    api_v1_runbooks_runbook_id_remove,
)
from imas_client.api.silences import (
    api_v1_silences_create,
    api_v1_silences_id_remove,
    api_v1_silences_list_all,
)
from imas_client.api.tokens import (
    api_token_verify_verify,
    api_v1_tokens_create,
    api_v1_tokens_list_tokens,
    api_v1_tokens_token_id_revoke,
    api_v1_tokens_token_id_update,
)
from imas_client.api.users import (
    api_v1_users_create,
    api_v1_users_list_users,
    api_v1_users_ref_remove,
    api_v1_users_ref_update,
)
from imas_client.api.war_room import (
    api_v1_incident_roles_read,
    api_v1_incident_roles_replace,
)
from imas_client.models import (
    AlertRule,
    IntegrationCreate,
    IntegrationPatch,
    Maintenance,
    NotificationRulesBody,
    PersonSpec,
    PolicySpec,
    Problem,
    ProviderBody,
    RolesBody,
    RoutingRuleBody,
    ScheduleSpec,
    ScopeFields,
    ServiceFields,
    Silence,
    TagRuleSpec,
    TeamFields,
    TokenBody,
    TokenCreate,
    TokenPatch,
    UserBody,
)
from imas_client.types import Response, Unset

PAGE_SIZE = 500
# Notification rules are read one person at a time: this many at once.
CONCURRENCY = 8


@dataclass
class Refused(Exception):
    """The gateway refused a call: its status, its detail and the fields it named."""

    status: int
    detail: str
    errors: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        named = "; ".join(
            m if f in ("", "body", "Authorization") else f"{f}: {m}" for f, m in self.errors
        )
        return f"refused ({self.status}): {named or self.detail}"


def _refused(status: int, parsed: Any, content: bytes) -> Refused:
    if isinstance(parsed, Problem):
        return Refused(status, parsed.detail, [(e.field, e.message) for e in parsed.errors])
    return Refused(status, content.decode("utf-8", "replace")[:300] or "no detail")


def _done(response: Response[Any]) -> None:
    if int(response.status_code) >= 300:
        raise _refused(int(response.status_code), response.parsed, response.content)


def _role(entry: dict[str, Any]) -> dict[str, Any]:
    return {"name": entry["name"], "description": entry.get("description", "")}


def _dict(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.to_dict()
    return data


Fetch = Callable[[int], Awaitable[Response[Any]]]


async def _pages(fetch: Fetch) -> list[dict[str, Any]]:
    """Every result of a paged list."""
    results: list[dict[str, Any]] = []
    number = 1
    while True:
        response = await fetch(number)
        page: Any = response.parsed
        if response.status_code != 200 or not hasattr(page, "results"):
            raise _refused(int(response.status_code), page, response.content)
        results += [_dict(item) for item in page.results]
        if not page.next_ or isinstance(page.next_, Unset):
            return results
        number += 1


class Gateway:
    """The configuration calls of the public API, by section (``teams``, ``schedules`` ...)."""

    def __init__(self, client: AuthenticatedClient) -> None:
        self.client = client

    async def entries(self, section: str) -> list[dict[str, Any]]:
        """Every entry of ``section`` as the API shows it."""
        listing: Callable[[], Awaitable[list[dict[str, Any]]]] = getattr(self, f"_list_{section}")
        return await listing()

    async def create(self, section: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create an entry; the API's answer (with its id)."""
        making: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]] = getattr(
            self, f"_create_{section}"
        )
        return await making(body)

    async def replace(self, section: str, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saving: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]] = getattr(
            self, f"_replace_{section}"
        )
        return await saving(id_, body)

    async def delete(self, section: str, id_: str) -> None:
        deleting: Callable[[str], Awaitable[None]] = getattr(self, f"_delete_{section}")
        await deleting(id_)

    # -- people, with their notification rules ---------------------------------------------------

    async def _list_people(self) -> list[dict[str, Any]]:
        return await _pages(
            lambda n: api_v1_people_list_entries.asyncio_detailed(
                client=self.client, page=n, page_size=PAGE_SIZE
            )
        )

    async def notification_rules(self, people: list[dict[str, Any]]) -> None:
        """Add each person's ``notification_rules`` (empty when they follow the routing
        rules' channels)."""
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(person: dict[str, Any]) -> None:
            async with limit:
                answer = await get_rules.asyncio_detailed(person["id"], client=self.client)
            found = _dict(_answer(answer))
            person["notification_rules"] = found.get("rules", []) if found.get("custom") else []

        await asyncio.gather(*(one(p) for p in people))

    async def set_notification_rules(self, person_id: str, rules: list[dict[str, Any]]) -> None:
        """Replace a person's rules; none sends them back to the routing rules' channels."""
        if rules:
            body = NotificationRulesBody.from_dict({"rules": rules})
            _done(await put_rules.asyncio_detailed(person_id, client=self.client, body=body))
        else:
            _done(await drop_rules.asyncio_detailed(person_id, client=self.client))

    async def _create_people(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_people_create.asyncio_detailed(
            client=self.client, body=PersonSpec.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_people(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_people_entry_id_replace.asyncio_detailed(
            id_, client=self.client, body=PersonSpec.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_people(self, id_: str) -> None:
        _done(await api_v1_people_entry_id_remove.asyncio_detailed(id_, client=self.client))

    # -- teams, services, scopes ------------------------------------------------------------------

    async def _list_teams(self) -> list[dict[str, Any]]:
        return await _pages(
            lambda n: api_v1_teams_list_entries.asyncio_detailed(
                client=self.client, page=n, page_size=PAGE_SIZE
            )
        )

    async def _create_teams(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_teams_create.asyncio_detailed(
            client=self.client, body=TeamFields.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_teams(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_teams_entry_id_replace.asyncio_detailed(
            id_, client=self.client, body=TeamFields.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_teams(self, id_: str) -> None:
        _done(await api_v1_teams_entry_id_remove.asyncio_detailed(id_, client=self.client))

    async def _list_services(self) -> list[dict[str, Any]]:
        return await _pages(
            lambda n: api_v1_services_list_entries.asyncio_detailed(
                client=self.client, page=n, page_size=PAGE_SIZE
            )
        )

    async def _create_services(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_services_create.asyncio_detailed(
            client=self.client, body=ServiceFields.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_services(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_services_entry_id_replace.asyncio_detailed(
            id_, client=self.client, body=ServiceFields.from_dict(body)
        )
        return _dict(_answer(saved))

    async def set_maintenance(self, service_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Put a service in maintenance (or plan one): ``{until, starts_at, reason}``."""
        body = {k: v for k, v in body.items() if v is not None}
        saved = await api_v1_services_entry_id_maintenance_start_maintenance.asyncio_detailed(
            service_id, client=self.client, body=Maintenance.from_dict(body)
        )
        return _dict(_answer(saved))

    # -- the incident roles: one list, changed an entry at a time ---------------------------------

    async def _list_incident_roles(self) -> list[dict[str, Any]]:
        """The roles set through the API, each with its name as id (none: the default)."""
        found = _dict(
            _answer(await api_v1_incident_roles_read.asyncio_detailed(client=self.client))
        )
        if not found.get("custom"):
            return []
        return [{"id": r["name"], **r} for r in found.get("roles", [])]

    async def _put_incident_roles(self, roles: list[dict[str, Any]]) -> None:
        body = RolesBody.from_dict({"roles": roles})
        _answer(await api_v1_incident_roles_replace.asyncio_detailed(client=self.client, body=body))

    async def _create_incident_roles(self, body: dict[str, Any]) -> dict[str, Any]:
        roles = [_role(r) for r in await self._list_incident_roles()]
        await self._put_incident_roles([*roles, _role(body)])
        return {"id": body["name"], **body}

    async def _replace_incident_roles(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        roles = [
            _role(body) if r["id"] == id_ else _role(r) for r in await self._list_incident_roles()
        ]
        await self._put_incident_roles(roles)
        return {"id": id_, **body}

    async def _delete_incident_roles(self, id_: str) -> None:
        roles = [_role(r) for r in await self._list_incident_roles() if r["id"] != id_]
        await self._put_incident_roles(roles)

    async def _delete_services(self, id_: str) -> None:
        _done(await api_v1_services_entry_id_remove.asyncio_detailed(id_, client=self.client))

    async def _list_scopes(self) -> list[dict[str, Any]]:
        return await _pages(
            lambda n: api_v1_scopes_list_entries.asyncio_detailed(
                client=self.client, page=n, page_size=PAGE_SIZE
            )
        )

    async def _create_scopes(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_scopes_create.asyncio_detailed(
            client=self.client, body=ScopeFields.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_scopes(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_scopes_entry_id_replace.asyncio_detailed(
            id_, client=self.client, body=ScopeFields.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_scopes(self, id_: str) -> None:
        _done(await api_v1_scopes_entry_id_remove.asyncio_detailed(id_, client=self.client))

    async def _list_tag_rules(self) -> list[dict[str, Any]]:
        listed = await api_v1_tag_rules_list_rules.asyncio_detailed(client=self.client)
        return [_dict(r) for r in _answer(listed).results]

    async def _create_tag_rules(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_tag_rules_create.asyncio_detailed(
            client=self.client, body=TagRuleSpec.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_tag_rules(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_tag_rules_rule_id_replace.asyncio_detailed(
            id_, client=self.client, body=TagRuleSpec.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_tag_rules(self, id_: str) -> None:
        _done(await api_v1_tag_rules_rule_id_remove.asyncio_detailed(id_, client=self.client))

    # -- on call ----------------------------------------------------------------------------------

    async def _list_schedules(self) -> list[dict[str, Any]]:
        listed = await api_v1_schedules_list_schedules.asyncio_detailed(client=self.client)
        return [_dict(s) for s in _answer(listed).schedules or []]

    async def _create_schedules(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_schedules_create.asyncio_detailed(
            client=self.client, body=ScheduleSpec.from_dict(body)
        )
        return _dict(_answer(made).schedule)

    async def _replace_schedules(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_schedules_schedule_id_replace.asyncio_detailed(
            id_, client=self.client, body=ScheduleSpec.from_dict(body)
        )
        return _dict(_answer(saved).schedule)

    async def _delete_schedules(self, id_: str) -> None:
        _done(await api_v1_schedules_schedule_id_remove.asyncio_detailed(id_, client=self.client))

    async def _list_escalation_policies(self) -> list[dict[str, Any]]:
        listed = await api_v1_escalation_policies_list_policies.asyncio_detailed(client=self.client)
        return [_dict(p) for p in _answer(listed).policies or []]

    async def _create_escalation_policies(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_escalation_policies_create.asyncio_detailed(
            client=self.client, body=PolicySpec.from_dict(body)
        )
        return _dict(_answer(made).policy)

    async def _replace_escalation_policies(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_escalation_policies_policy_id_replace.asyncio_detailed(
            id_, client=self.client, body=PolicySpec.from_dict(body)
        )
        return _dict(_answer(saved).policy)

    async def _delete_escalation_policies(self, id_: str) -> None:
        _done(
            await api_v1_escalation_policies_policy_id_remove.asyncio_detailed(
                id_, client=self.client
            )
        )

    # -- paging ----------------------------------------------------------------------------------

    async def _list_notification_providers(self) -> list[dict[str, Any]]:
        listed = await api_v1_notification_providers_list.asyncio_detailed(client=self.client)
        return [_dict(p) for p in _answer(listed).results or []]

    async def _create_notification_providers(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_notification_providers_create.asyncio_detailed(
            client=self.client, body=ProviderBody.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_notification_providers(
        self, id_: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        saved = await api_v1_notification_providers_ref_replace.asyncio_detailed(
            id_, client=self.client, body=ProviderBody.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_notification_providers(self, id_: str) -> None:
        _done(
            await api_v1_notification_providers_ref_remove.asyncio_detailed(id_, client=self.client)
        )

    async def _list_routing_rules(self) -> list[dict[str, Any]]:
        listed = await api_v1_routing_rules_list_rules.asyncio_detailed(client=self.client)
        return list(_dict(_answer(listed)).get("results", []))

    async def _create_routing_rules(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_routing_rules_create.asyncio_detailed(
            client=self.client, body=RoutingRuleBody.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_routing_rules(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_routing_rules_rule_id_replace.asyncio_detailed(
            id_, client=self.client, body=RoutingRuleBody.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_routing_rules(self, id_: str) -> None:
        _done(await api_v1_routing_rules_rule_id_remove.asyncio_detailed(id_, client=self.client))

    async def _list_integrations(self) -> list[dict[str, Any]]:
        listed = await api_v1_integrations_list_all.asyncio_detailed(client=self.client)
        return [_dict(i) for i in _answer(listed).results]

    async def _create_integrations(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_integrations_create.asyncio_detailed(
            client=self.client, body=IntegrationCreate.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_integrations(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        patch = {k: v for k, v in body.items() if k != "type"}
        saved = await api_v1_integrations_id_update.asyncio_detailed(
            id_,
            client=self.client,
            body=IntegrationPatch.from_dict(patch),
        )
        return _dict(_answer(saved))

    async def _delete_integrations(self, id_: str) -> None:
        _done(await api_v1_integrations_id_remove.asyncio_detailed(id_, client=self.client))

    # -- alerts -----------------------------------------------------------------------------------

    async def _list_alert_rules(self) -> list[dict[str, Any]]:
        listed = await api_v1_alert_rules_list_all.asyncio_detailed(client=self.client)
        return [_dict(r) for r in _answer(listed).results]

    async def _create_alert_rules(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_alert_rules_create.asyncio_detailed(
            client=self.client, body=AlertRule.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_alert_rules(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_alert_rules_id_replace.asyncio_detailed(
            id_, client=self.client, body=AlertRule.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_alert_rules(self, id_: str) -> None:
        _done(await api_v1_alert_rules_id_remove.asyncio_detailed(id_, client=self.client))

    async def _list_silences(self) -> list[dict[str, Any]]:
        listed = await api_v1_silences_list_all.asyncio_detailed(
            client=self.client, include_expired=True
        )
        return [_dict(s) for s in _answer(listed).results]

    async def _create_silences(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_silences_create.asyncio_detailed(
            client=self.client, body=Silence.from_dict(body)
        )
        return _dict(_answer(made))

    async def _delete_silences(self, id_: str) -> None:
        _done(await api_v1_silences_id_remove.asyncio_detailed(id_, client=self.client))

    # -- documents (exporters' and runbooks' bodies are not in the OpenAPI document yet) -----------

    async def _list_lid_exporters(self) -> list[dict[str, Any]]:
        listed = await api_v1_lid_exporters_list_exporters.asyncio_detailed(client=self.client)
        return list(_dict(_answer(listed)).get("results", []))

    async def _create_lid_exporters(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._raw("POST", "/api/v1/lid-exporters/", body)

    async def _replace_lid_exporters(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._raw("PUT", f"/api/v1/lid-exporters/{id_}/", body)

    async def _delete_lid_exporters(self, id_: str) -> None:
        _done(
            await api_v1_lid_exporters_exporter_id_remove.asyncio_detailed(id_, client=self.client)
        )

    async def _list_runbooks(self) -> list[dict[str, Any]]:
        return await _pages(
            lambda n: api_v1_runbooks_list_runbooks.asyncio_detailed(
                client=self.client, page=n, page_size=PAGE_SIZE
            )
        )

    async def _create_runbooks(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._raw("POST", "/api/v1/runbooks/", body)

    async def _replace_runbooks(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._raw("PUT", f"/api/v1/runbooks/{id_}/", body)

    async def _delete_runbooks(self, id_: str) -> None:
        _done(await api_v1_runbooks_runbook_id_remove.asyncio_detailed(id_, client=self.client))

    # -- who may use IMAS: users and API tokens (of no user) --------------------------------------

    async def whoami(self) -> dict[str, Any]:
        """The token this client sends, as the gateway knows it (its id, its user's id)."""
        token = str(self.client.token)
        answer = await api_token_verify_verify.asyncio_detailed(
            client=self.client, body=TokenBody(token=token)
        )
        return _dict(_answer(answer))

    async def _list_users(self) -> list[dict[str, Any]]:
        listed = await api_v1_users_list_users.asyncio_detailed(client=self.client)
        return list(_dict(_answer(listed)).get("results", []))

    async def _create_users(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_users_create.asyncio_detailed(
            client=self.client, body=UserBody.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_users(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        saved = await api_v1_users_ref_update.asyncio_detailed(
            id_, client=self.client, body=UserBody.from_dict(body)
        )
        return _dict(_answer(saved))

    async def _delete_users(self, id_: str) -> None:
        _done(await api_v1_users_ref_remove.asyncio_detailed(id_, client=self.client))

    async def _list_tokens(self) -> list[dict[str, Any]]:
        # A user's tokens (signed in, obtained) are theirs, not configuration.
        listed = await api_v1_tokens_list_tokens.asyncio_detailed(client=self.client)
        return [t for t in map(_dict, _answer(listed).results) if not t.get("user_id")]

    async def _create_tokens(self, body: dict[str, Any]) -> dict[str, Any]:
        made = await api_v1_tokens_create.asyncio_detailed(
            client=self.client, body=TokenCreate.from_dict(body)
        )
        return _dict(_answer(made))

    async def _replace_tokens(self, id_: str, body: dict[str, Any]) -> dict[str, Any]:
        changes = {k: v for k, v in body.items() if k != "name"}
        saved = await api_v1_tokens_token_id_update.asyncio_detailed(
            id_, client=self.client, body=TokenPatch.from_dict(changes)
        )
        return _dict(_answer(saved))

    async def _delete_tokens(self, id_: str) -> None:
        _done(await api_v1_tokens_token_id_revoke.asyncio_detailed(id_, client=self.client))

    async def _raw(
        self, method: str, url: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A call whose body the OpenAPI document does not describe: the client's own
        connection (same base URL, token and timeout), JSON in and out."""
        http = self.client.get_async_httpx_client()
        response = await http.request(method, url, json=body)
        if response.status_code >= 300:
            try:
                parsed: Any = Problem.from_dict(response.json())
            except (ValueError, KeyError, TypeError):
                parsed = None
            raise _refused(response.status_code, parsed, response.content)
        answer: dict[str, Any] = response.json() if response.content else {}
        return answer


def _answer(response: Response[Any]) -> Any:
    """The parsed answer of a 2xx, or :class:`Refused`."""
    if (
        int(response.status_code) >= 300
        or response.parsed is None
        or isinstance(response.parsed, Problem)
    ):
        raise _refused(int(response.status_code), response.parsed, response.content)
    return response.parsed
