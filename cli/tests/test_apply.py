from __future__ import annotations

import pytest

from imas_cli.apply import CatalogFileError, parse_catalog, parse_file

pytestmark = pytest.mark.unit

GOOD = """\
teams:
  - name: SRE Core
    chat_channel: "#sre-core"
services:
  - name: redis-prod
    team: SRE Core
    criticality_tier: 1
scopes:
  - name: Security
    mandatory_emails: [ciso@example.com]
people:
  - name: Alice Martin
    email: alice@example.com
    contact_methods:
      - {type: sms, address: "+33600000000"}
tag_rules:
  - tag: database
    pattern: "redis|postgres"
"""


def refused(text: str) -> list[str]:
    with pytest.raises(CatalogFileError) as error:
        parse_catalog(text, "catalog.yaml")
    return str(error.value).splitlines()


def test_a_valid_file_becomes_one_catalog() -> None:
    catalog = parse_catalog(GOOD)
    assert catalog.teams[0].slack_channel == "#sre-core"
    assert catalog.services[0].criticality_tier == 1
    assert catalog.people[0].contact_methods[0].address == "+33600000000"
    assert catalog.tag_rules[0].tag == "database"


def test_every_problem_is_reported_with_its_line() -> None:
    text = GOOD.replace("criticality_tier: 1", "criticality_tier: high").replace(
        "    email: alice@example.com\n", "    emial: alice@example.com\n"
    )
    assert refused(text) == [
        "catalog.yaml:7: services[0].criticality_tier: Expected `int`, got `str`",
        "catalog.yaml:13: people[0].emial: unknown field (known: chat_user_ids, contact_methods,"
        " email, name, phone, time_zone)",
    ]


def test_sections_of_later_features_are_not_supported_yet_and_typos_are_unknown() -> None:
    assert refused("teams: []\nschedules: []\nteamz: []\n") == [
        "catalog.yaml:2: 'schedules': not supported yet",
        "catalog.yaml:3: 'teamz': unknown section (known: teams, services, scopes, people,"
        " tag_rules, runbooks)",
    ]


def test_duplicates_missing_fields_and_bad_yaml_are_refused() -> None:
    assert refused("teams:\n  - name: A\n  - name: a\n") == [
        "catalog.yaml:3: teams[1]: 'a' is also defined at line 2"
    ]
    assert refused("services:\n  - team: A\n") == [
        "catalog.yaml:2: services[0].name: Object missing required field `name`"
    ]
    assert refused("teams:\n  - name: [unclosed\n")[0].startswith("catalog.yaml:3: not valid YAML")


RUNBOOKS = """\
teams:
  - name: SRE Core
runbooks:
  - name: Redis down
    service: redis-prod
    steps:
      - title: Check nodes
        command: redis-cli cluster info
      - title: Fail over
        critical: true
---
kind: Runbook
name: Any disk full
alert_pattern: "disk (is )?full"
severities: [SEV1_CRITICAL, SEV2_HIGH]
steps:
  - title: Free space
    expected_minutes: 5
"""


def test_runbooks_come_as_a_list_or_as_documents_of_kind_runbook() -> None:
    plan = parse_file(RUNBOOKS)
    assert plan.has_catalog and plan.catalog.teams[0].name == "SRE Core"
    assert [r.name for r in plan.runbooks] == ["Redis down", "Any disk full"]
    assert plan.runbooks[0].steps[1].critical is True
    assert plan.runbooks[1].severities == ["SEV1_CRITICAL", "SEV2_HIGH"]
    assert plan.runbooks[1].steps[0].expected_minutes == 5.0
    only = parse_file(RUNBOOKS.split("---\n", 1)[1])
    assert not only.has_catalog and [r.name for r in only.runbooks] == ["Any disk full"]


def refused_file(text: str) -> list[str]:
    with pytest.raises(CatalogFileError) as error:
        parse_file(text, "ops.yaml")
    return str(error.value).splitlines()


def test_runbook_problems_are_reported_with_their_line() -> None:
    text = (
        RUNBOOKS.replace("        critical: true", "        critical: maybe")
        .replace('alert_pattern: "disk (is )?full"', 'alert_pattern: "disk (full"')
        .replace("      - title: Check nodes\n", "      - titel: Check nodes\n")
    )
    assert refused_file(text) == [
        "ops.yaml:7: runbooks[0].steps[0].titel: unknown field (known: command, critical,"
        " description, expected_minutes, requires_confirmation, rollback, title)",
        "ops.yaml:7: runbooks[0].steps[0].title: must not be empty",
        "ops.yaml:14: runbook.alert_pattern: not a valid regular expression: missing ),"
        " unterminated subpattern at position 5",
    ]
    typed = RUNBOOKS.replace("        critical: true", "        critical: maybe")
    assert refused_file(typed) == [
        "ops.yaml:10: runbooks[0].steps[1].critical: Expected `bool`, got `str`"
    ]
    assert refused_file("kind: Runbook\nname: x\nservice: y\n") == [
        "ops.yaml:1: runbook.steps: a runbook needs at least one step"
    ]
    assert refused_file("kind: Schedule\nname: x\n") == [
        "ops.yaml:1: kind 'Schedule': unknown (known: Runbook)"
    ]
    twice = RUNBOOKS + "---\nkind: Runbook\nname: redis DOWN\nservice: x\nsteps: [{title: a}]\n"
    assert refused_file(twice) == ["ops.yaml:20: runbook 'redis DOWN' is also defined at line 4"]
