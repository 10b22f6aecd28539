"""What the notifier would not deliver, found before an incident does: pure, no I/O.

The same rules as paging decide (:func:`imas_notifier.domain.undeliverable_reason`): a page
whose channel no provider serves, or to a person without an address for its channel. They
are applied to the pages escalation's steps would send, and to those the routing rules would
send for each team at each severity (the team's channel, its on-call people, the impacted
scopes' e-mails, a stored ticket rule).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from imas_contracts.incidents import SEVERITIES
from imas_contracts.notifier import ConfigProblem, StepPage
from imas_notifier import domain
from imas_notifier.domain import Page
from imas_notifier.routing import domain as routing
from imas_notifier.routing.domain import Directory, RoutingRule
from imas_runtime.catalog import Entity

SEVERITY_LABELS = domain.SEVERITY_LABELS
TARGET_WORDS = {
    "team": "the team's channel",
    "oncall": "the on-call person",
    "scopes": "the impacted scopes",
    "ticket": "the ticket",
}


def check_delivery(
    planned: Sequence[StepPage],
    team_ids: Sequence[str],
    on_call: Mapping[str, Sequence[str]],
    directory: Directory,
    rules: Sequence[RoutingRule],
    configured: Mapping[str, str],
) -> list[ConfigProblem]:
    """Problems of the planned pages, then of each team's routing, each once."""
    problems: dict[tuple[str, ...], ConfigProblem] = {}
    for plan in planned:
        channel = domain.resolve_channel(plan.channel, configured)
        if plan.target == "person":
            person = directory.person(plan.id)
            address = routing.person_address(person, channel) if person else ""
        else:
            address = routing.team_address(directory.teams.get(plan.id), channel)
        page = _page(channel, configured, plan.name or plan.id, address, plan.target)
        _add(problems, page, plan.team_id, _team(directory, plan.team_id), plan.step, plan.id)
    for team_id in team_ids:
        for target, severities, page, subject in _routed(
            team_id, on_call.get(team_id, ()), directory, rules, configured
        ):
            labels = ", ".join(SEVERITY_LABELS[s] for s in severities)
            step = f"routing: {TARGET_WORDS[target]} at {labels}"
            _add(problems, page, team_id, _team(directory, team_id), step, subject)
    return list(problems.values())


def _page(
    channel: str, configured: Mapping[str, str], recipient: str, address: str, target: str
) -> Page:
    provider = domain.choose_provider(channel, configured)
    return Page("check", channel, provider, recipient, "", address, target=target)


def _team(directory: Directory, team_id: str) -> str:
    team = directory.teams.get(team_id)
    return team.name if team else team_id


def _add(
    problems: dict[tuple[str, ...], ConfigProblem],
    page: Page,
    team_id: str,
    team: str,
    step: str,
    subject: str,
) -> None:
    reason = domain.undeliverable_reason(page)
    if not reason:
        return
    kind = "person_without_address" if page.provider else "channel_without_provider"
    subject = subject if page.provider else page.channel
    problems.setdefault(
        (kind, team_id, step, page.channel, subject),
        ConfigProblem(
            kind=kind,
            subject=subject,
            team_id=team_id,
            team=team,
            step=step,
            channel=page.channel,
            message=f"{step} pages over {page.channel}, but {reason}",
        ),
    )


def _routed(
    team_id: str,
    on_call: Sequence[str],
    directory: Directory,
    rules: Sequence[RoutingRule],
    configured: Mapping[str, str],
) -> Iterator[tuple[str, list[str], Page, str]]:
    """(target, severities, page, subject) of what the team's routing would page, one per
    (target, channel, recipient) with the severities it is paged at."""
    found: dict[tuple[str, str, str], tuple[list[str], Page]] = {}
    team = directory.teams.get(team_id)
    for severity in SEVERITIES:
        for target, page, subject in _routed_at(
            team_id, team, severity, on_call, directory, rules, configured
        ):
            entry = found.setdefault((target, page.channel, subject), ([], page))
            entry[0].append(severity)
    for (target, _, subject), (severities, page) in found.items():
        yield target, severities, page, subject


def _routed_at(
    team_id: str,
    team: Entity | None,
    severity: str,
    on_call: Sequence[str],
    directory: Directory,
    rules: Sequence[RoutingRule],
    configured: Mapping[str, str],
) -> Iterator[tuple[str, Page, str]]:
    name = team.name if team else team_id
    rule = routing.rule_for(rules, "team", team_id, severity)
    for channel in rule.channels if rule else ():
        resolved = domain.resolve_channel(channel, configured)
        address = routing.team_address(team, resolved)
        yield "team", _page(resolved, configured, f"team:{name}", address, "team"), team_id
    rule = routing.rule_for(rules, "oncall", team_id, severity)
    people = [*on_call, *([rule.responder] if rule and rule.responder else [])]
    for channel in rule.channels if rule else ():
        resolved = domain.resolve_channel(channel, configured)
        for ref in dict.fromkeys(people):
            person = directory.person(ref)
            address = routing.person_address(person, resolved) if person else ""
            who = person.name if person else ref
            yield "oncall", _page(resolved, configured, who, address, "person"), ref
    for scope in directory.scopes.values():
        rule = routing.rule_for(rules, "scopes", team_id, severity, scope.id)
        emails = scope.data.get("mandatory_emails") or []
        for channel in rule.channels if rule and emails else ():
            page = _page(channel, configured, f"scope:{scope.name}", "", "scope")
            yield "scopes", page, scope.id
    rule = routing.rule_for(rules, "ticket", team_id, severity)
    # The built-in ticket rule files a ticket only where a ticket system is configured.
    for channel in rule.channels if rule and rule.id else ():
        yield "ticket", _page(channel, configured, "ticket", "", "ticket"), "ticket"
