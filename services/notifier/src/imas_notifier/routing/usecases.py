"""Use cases of the routing rules (who hears of an incident, over what) and of each person's
notification rules (push now, SMS after a minute, …), as data changed over the API.

A change applies to the next incident routed; pages already recorded keep their channels.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

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
    RoutingRuleSpec,
    RoutingRuleView,
)
from imas_notifier import store
from imas_notifier.routing import domain as routing
from imas_notifier.routing.domain import DEFAULT_RULES, Directory, RoutingRule
from imas_runtime.errors import Conflict, Invalid, NotFound

DEFAULT_ID_PREFIX = "default-"


def default_id(position: int) -> str:
    """Built-in rules are numbered in :data:`DEFAULT_RULES` order: ``default-1``, …"""
    return f"{DEFAULT_ID_PREFIX}{position + 1}"


def _spec(
    rule: RoutingRule, directory: Directory, *, rule_id: str, default: bool
) -> RoutingRuleSpec:
    team = directory.teams.get(rule.team_id)
    scope = directory.scopes.get(rule.scope_id)
    responder = directory.person(rule.responder) if rule.responder else None
    return RoutingRuleSpec(
        id=rule_id,
        target=rule.target,  # type: ignore[arg-type]  # checked on save
        team_id=rule.team_id,
        severity=rule.severity,
        scope_id=rule.scope_id,
        channels=list(rule.channels),
        responder=rule.responder,
        default=default,
        team_name=team.name if team else "",
        scope_name=scope.name if scope else "",
        responder_name=responder.name if responder else "",
    )


def _person_view(person_id: str, rules: list[tuple[str, float]] | None) -> PersonNotificationRules:
    return PersonNotificationRules(
        person_id=person_id,
        rules=[NotificationRule(channel=c, delay_minutes=d) for c, d in rules or []],
        custom=rules is not None,
    )


class RulesUseCases:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- routing rules --------------------------------------------------------------------------

    async def list_routing_rules(self, query: ListRoutingRules) -> RoutingRuleList:
        """Stored rules, then the built-in defaults (``default-N``, read-only)."""
        async with self.engine.connect() as conn:
            stored = await store.load_rules(conn)
            directory = await store.load_directory(conn)
        specs = [_spec(r, directory, rule_id=r.id, default=False) for r in stored]
        specs += [
            _spec(r, directory, rule_id=default_id(i), default=True)
            for i, r in enumerate(DEFAULT_RULES)
        ]
        if query.id:
            specs = [s for s in specs if s.id == query.id]
            if not specs:
                raise NotFound(f"no routing rule {query.id}")
        return RoutingRuleList(rules=specs)

    async def put_routing_rule(self, cmd: PutRoutingRule) -> RoutingRuleView:
        """Create or replace a stored rule; 409 when another stored rule matches the same
        (target, team, severity, scope). Built-in rules are overridden, not edited."""
        if cmd.id.startswith(DEFAULT_ID_PREFIX):
            raise Conflict(
                f"{cmd.id} is built in: create a rule with the same match to override it"
            )
        rule_id = self._rule_uuid(cmd.id) if cmd.id else None
        rule = RoutingRule(
            target=cmd.target,
            channels=tuple(cmd.channels),
            team_id=cmd.team_id.strip(),
            severity=cmd.severity.strip(),
            scope_id=cmd.scope_id.strip(),
            responder=cmd.responder.strip(),
            id=str(rule_id) if rule_id else "",
        )
        routing.check_rule(rule)
        async with self.engine.begin() as conn:
            if rule_id is not None and await store.get_rule(conn, rule_id) is None:
                raise NotFound(f"no routing rule {cmd.id}")
            same = await store.rule_with_match(conn, rule)
            if same is not None and same.id != rule.id:
                raise Conflict(
                    f"routing rule {same.id} already matches this target, team, severity and "
                    "scope: change that one"
                )
            saved = await store.save_rule(conn, rule)
            directory = await store.load_directory(conn)
        return RoutingRuleView(rule=_spec(saved, directory, rule_id=saved.id, default=False))

    async def delete_routing_rule(self, cmd: DeleteRoutingRule) -> RoutingRuleView:
        if cmd.id.startswith(DEFAULT_ID_PREFIX):
            raise Conflict(f"{cmd.id} is built in: override it with a rule of the same match")
        rule_id = self._rule_uuid(cmd.id)
        async with self.engine.begin() as conn:
            found = await store.get_rule(conn, rule_id)
            if found is None:
                raise NotFound(f"no routing rule {cmd.id}")
            await store.delete_rule(conn, rule_id)
            directory = await store.load_directory(conn)
        return RoutingRuleView(rule=_spec(found, directory, rule_id=found.id, default=False))

    @staticmethod
    def _rule_uuid(value: str) -> uuid.UUID:
        found = store.parse_uuid(value)
        if found is None:
            raise NotFound(f"no routing rule {value}")
        return found

    # -- people's notification rules -------------------------------------------------------------

    async def get_person_rules(self, query: GetPersonRules) -> PersonNotificationRules:
        async with self.engine.connect() as conn:
            rules = await store.load_person_rules(conn, query.person_id)
        return _person_view(query.person_id, rules)

    async def put_person_rules(self, cmd: PutPersonRules) -> PersonNotificationRules:
        """Replace a person's rules: each is a channel and a delay in minutes."""
        if not cmd.person_id.strip():
            raise Invalid.field("person_id", "must not be empty")
        rules = [(r.channel, float(r.delay_minutes)) for r in cmd.rules]
        routing.check_person_rules(rules)
        rules.sort(key=lambda rule: (rule[1], rule[0]))
        async with self.engine.begin() as conn:
            await store.put_person_rules(
                conn, cmd.person_id, [{"type": c, "delay_minutes": d} for c, d in rules]
            )
        return _person_view(cmd.person_id, rules)

    async def delete_person_rules(self, cmd: DeletePersonRules) -> PersonNotificationRules:
        """Back to the routing rules' channels. Safe to run twice."""
        async with self.engine.begin() as conn:
            await store.delete_person_rules(conn, cmd.person_id)
        return _person_view(cmd.person_id, None)
