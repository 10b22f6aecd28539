from __future__ import annotations

import pytest

from imas_cli.apply import CatalogFileError, parse_catalog

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
        " tag_rules)",
    ]


def test_duplicates_missing_fields_and_bad_yaml_are_refused() -> None:
    assert refused("teams:\n  - name: A\n  - name: a\n") == [
        "catalog.yaml:3: teams[1]: 'a' is also defined at line 2"
    ]
    assert refused("services:\n  - team: A\n") == [
        "catalog.yaml:2: services[0].name: Object missing required field `name`"
    ]
    assert refused("teams:\n  - name: [unclosed\n")[0].startswith("catalog.yaml:3: not valid YAML")
