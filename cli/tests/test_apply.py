"""Configuration files and plans, without a server: what a file says, every problem with its
file and line, and what applying would change against what IMAS has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from imas_cli.config.files import ConfigError, ConfigFiles, load
from imas_cli.config.kind import Live, Names
from imas_cli.config.kinds import BY_SECTION
from imas_cli.config.plan import Applier, Options, describe, make_plan, own_deletions

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


def parse(tmp_path: Path, text: str, name: str = "catalog.yaml") -> ConfigFiles:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load([path])


def refused(tmp_path: Path, text: str, name: str = "catalog.yaml") -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse(tmp_path, text, name)
    return [line.replace(f"{tmp_path}/", "") for line in str(error.value).splitlines()]


def specs(config: ConfigFiles, section: str) -> list[Any]:
    return [e.spec for e in config.entries if e.kind.section == section]


def test_a_valid_file_declares_its_sections(tmp_path: Path) -> None:
    config = parse(tmp_path, GOOD)
    assert specs(config, "teams")[0].chat_channel == "#sre-core"
    assert specs(config, "services")[0].criticality_tier == 1
    assert specs(config, "people")[0].contact_methods[0].address == "+33600000000"
    assert specs(config, "tag_rules")[0].tag == "database"
    assert config.sections == {"teams", "services", "scopes", "people", "tag_rules"}


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("criticality_tier: 1", "criticality_tier: high").replace(
        "    email: alice@example.com\n", "    emial: alice@example.com\n"
    )
    assert refused(tmp_path, text) == [
        "catalog.yaml:7: services[0].criticality_tier: Expected `int`, got `str`",
        "catalog.yaml:13: people[0].emial: unknown field (known: chat_user_ids, contact_methods,"
        " email, name, notification_rules, phone, roles, time_zone)",
    ]


def test_patterns_the_engine_refuses_are_reported_with_their_line(tmp_path: Path) -> None:
    text = GOOD.replace('pattern: "redis|postgres"', 'pattern: "(redis)\\\\1"')
    text += "  - tag: long\n    pattern: " + "x" * 1001 + "\n"
    text += "runbooks:\n  - {name: r, alert_pattern: 'disk(?= full)', steps: [{title: t}]}\n"
    assert refused(tmp_path, text) == [
        "catalog.yaml:18: tag_rules[0].pattern: backreferences are not supported"
        " (invalid escape sequence: \\1)",
        "catalog.yaml:20: tag_rules[1].pattern: must be at most 1000 characters (it has 1001)",
        "catalog.yaml:22: runbooks[0].alert_pattern: lookaheads are not supported"
        " (invalid perl operator: (?=)",
    ]


def test_unknown_sections_and_kinds_are_named(tmp_path: Path) -> None:
    assert refused(tmp_path, "teams: []\nteamz: []\n") == [
        "catalog.yaml:2: 'teamz': unknown section (known: people, teams, services, scopes,"
        " tag_rules, schedules, escalation_policies, notification_providers, routing_rules,"
        " integrations, alert_rules, silences, lid_exporters, runbooks, incident_roles, users,"
        " tokens)"
    ]
    assert refused(tmp_path, "kind: Rota\nname: x\n")[0].startswith(
        "catalog.yaml:1: kind 'Rota': unknown (known: Person, Team, Service, Scope, TagRule,"
    )


def test_duplicates_missing_fields_and_bad_yaml_are_refused(tmp_path: Path) -> None:
    assert refused(tmp_path, "teams:\n  - name: A\n  - name: a\n") == [
        "catalog.yaml:3: teams[1]: 'a' is also defined at line 2"
    ]
    assert refused(tmp_path, "services:\n  - team: A\n") == [
        "catalog.yaml:2: services[0].name: Object missing required field `name`"
    ]
    assert refused(tmp_path, "teams:\n  - name: [unclosed\n")[0].startswith(
        "catalog.yaml:3: not valid YAML"
    )


def test_a_folder_is_every_yaml_file_under_it_and_duplicates_across_files_are_named(
    tmp_path: Path,
) -> None:
    (tmp_path / "teams.yaml").write_text("teams:\n  - name: SRE Core\n")
    (tmp_path / "oncall").mkdir()
    (tmp_path / "oncall" / "sre.yml").write_text(
        "kind: Schedule\nname: primary\nteam: SRE Core\n"
        "layers: [{members: [a@example.com], start: 2026-01-05T09:00:00}]\n"
    )
    (tmp_path / ".hidden.yaml").write_text("not: [a section\n")
    config = load([tmp_path])
    assert [e.kind.section for e in config.entries] == ["schedules", "teams"]
    (tmp_path / "more.yaml").write_text("teams:\n  - name: sre core\n")
    with pytest.raises(ConfigError) as error:
        load([tmp_path])
    assert str(error.value) == (
        f"{tmp_path}/teams.yaml:2: teams[0]: 'SRE Core' is also defined at {tmp_path}/more.yaml:2"
    )


ONCALL = """\
schedules:
  - name: primary
    team: SRE Core
    time_zone: Europe/Paris
    layers:
      - members: [Alice@example.com, bruno@example.com]
        start: 2026-01-05T09:00:00
        restrictions: [{days: [0, 1, 2, 3, 4], start: 09:00, end: 18:00}]
    overrides:
      - {person: bruno@example.com, start: 2026-12-24T18:00:00+01:00,
         end: 2026-12-26T09:00:00+01:00}
escalation_policies:
  - name: default
    team: SRE Core
    steps:
      - delay_minutes: 0
        targets: [{schedule: primary}, manager, {role: CTO}]
      - delay_minutes: 15
        targets: [{schedule: backup, team: Platform}, {person: Alice@example.com}]
        channels: [sms]
"""


def test_schedules_and_policies_name_people_teams_and_schedules(tmp_path: Path) -> None:
    config = parse(tmp_path, ONCALL)
    [schedule] = specs(config, "schedules")
    assert schedule.layers[0].members == ["alice@example.com", "bruno@example.com"]
    # 18:00 is a time of day, not YAML 1.1's base-60 integer 1080.
    assert schedule.layers[0].restrictions[0].end == "18:00"
    [policy] = specs(config, "escalation_policies")
    assert policy.steps[0].targets == [{"schedule": "primary"}, "manager", {"role": "cto"}]
    assert policy.steps[0].channels == ["slack"]
    assert policy.steps[1].targets[1] == {"person": "alice@example.com"}


def test_oncall_problems_are_reported_with_their_line(tmp_path: Path) -> None:
    text = (
        ONCALL.replace("start: 2026-12-24T18:00:00+01:00", "start: 2026-12-24T18:00:00")
        .replace("{role: CTO}", "{role: CTO, team: x}")
        .replace("targets: [{schedule: backup, team: Platform},", "targets: [boss,")
        .replace("channels: [sms]", "channels: [pigeon]")
    )
    assert refused(tmp_path, text) == [
        "catalog.yaml:10: schedules[0].overrides[0].start: needs a UTC offset (+02:00 or Z)",
        "catalog.yaml:20: escalation_policies[0].steps[1].channels[0]: Invalid enum value 'pigeon'",
    ]
    text = ONCALL.replace("{role: CTO}", "{role: CTO, team: x}").replace(
        "targets: [{schedule: backup, team: Platform},", "targets: [boss,"
    )
    assert refused(tmp_path, text) == [
        "catalog.yaml:17: escalation_policies[0].steps[0].targets[2]: one of schedule, person,"
        " role, team, manager, members (and team: with schedule)",
        "catalog.yaml:19: escalation_policies[0].steps[1].targets[0]: 'boss': write team,"
        " manager, members or a mapping such as {person: …}",
    ]


PROVIDERS = """\
notification_providers:
  - name: slack
    kind: slack
    secrets:
      bot_token: {from_env: SLACK_TOKEN}
  - name: sms
    kind: twilio
    secrets:
      auth_token: my-real-token
      account_sid: {from_env: A, from_file: b}
integrations:
  - {name: am, type: alertmanager, secret: {from_env: X}}
"""


def test_a_secret_is_never_written_in_a_file(tmp_path: Path) -> None:
    assert refused(tmp_path, PROVIDERS) == [
        "catalog.yaml:9: notification_providers[1].secrets.auth_token: a secret is not written"
        " in a file: use {from_env: VARIABLE} or {from_file: PATH}",
        "catalog.yaml:12: integrations[0].secret: only a Sentry integration takes a secret:"
        " IMAS makes it",
    ]
    text = PROVIDERS.replace("auth_token: my-real-token", "auth_token: {from_file: t}")
    assert refused(tmp_path, text)[0] == (
        "catalog.yaml:10: notification_providers[1].secrets.account_sid: give one of from_env"
        " or from_file"
    )


RUNBOOKS = """\
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


def test_runbooks_come_as_a_list_or_as_documents_of_kind_runbook(tmp_path: Path) -> None:
    runbooks = specs(parse(tmp_path, RUNBOOKS), "runbooks")
    assert [r.name for r in runbooks] == ["Redis down", "Any disk full"]
    assert runbooks[0].steps[1].critical is True
    assert runbooks[1].severities == ["SEV1_CRITICAL", "SEV2_HIGH"]
    assert runbooks[1].steps[0].expected_minutes == 5.0


def test_runbook_problems_are_reported_with_their_line(tmp_path: Path) -> None:
    text = RUNBOOKS.replace("        critical: true", "        critical: maybe")
    assert refused(tmp_path, text, "ops.yaml") == [
        "ops.yaml:8: runbooks[0].steps[1].critical: Expected `bool`, got `str`"
    ]
    assert refused(tmp_path, "kind: Runbook\nname: x\nservice: y\n", "ops.yaml") == [
        "ops.yaml:1: runbook.steps: a runbook needs at least one step"
    ]
    twice = RUNBOOKS + "---\nkind: Runbook\nname: redis DOWN\nservice: x\nsteps: [{title: a}]\n"
    assert refused(tmp_path, twice, "ops.yaml") == [
        "ops.yaml:18: runbook: 'redis DOWN' is also defined at line 2"
    ]


# -- plans, against what IMAS has ---------------------------------------------------------------


def live(section: str, raws: list[dict[str, Any]], names: Names) -> list[Live[Any]]:
    kind = BY_SECTION[section]
    return [Live(r["id"], kind.from_live(r, names), r) for r in raws]


def test_a_plan_creates_updates_and_with_prune_deletes_only_in_named_sections(
    tmp_path: Path,
) -> None:
    config = parse(tmp_path, "services:\n  - {name: redis-prod, criticality_tier: 1}\n"
                   "  - {name: new-api}\nrouting_rules: []\n")  # fmt: skip
    names = Names()
    current = {
        "services": live(
            "services",
            [
                {"id": "1", "name": "redis-prod", "criticality_tier": 2},
                {"id": "2", "name": "old-api"},
            ],
            names,
        ),
        "routing_rules": live(
            "routing_rules",
            [
                {"id": "default-1", "target": "team", "default": True},
                {"id": "7", "target": "oncall", "severity": "SEV1_CRITICAL", "channels": ["sms"]},
            ],
            names,
        ),
        "teams": live("teams", [{"id": "9", "name": "Platform", "slug": "platform"}], names),
    }
    plan = make_plan(config, current, names, Options(), {})
    assert describe(plan, dry_run=True) == [
        "~ service redis-prod (criticality_tier)",
        "    criticality_tier: 2 → 1",
        "+ service new-api",
        "1 to create, 1 to update, 0 to delete, 0 unchanged",
    ]
    pruned = make_plan(config, current, names, Options(prune=True), {})
    # Teams are not in the files: never pruned; IMAS's default routing rule neither.
    assert describe(pruned, dry_run=True)[:2] == [
        "- service old-api",
        "- routing_rule oncall severity=SEV1_CRITICAL",
    ]


def test_secrets_are_sent_when_needed_and_kept_when_unreadable(tmp_path: Path) -> None:
    text = "notification_providers:\n  - name: slack\n    kind: slack\n" \
           "    secrets: {bot_token: {from_env: SLACK_TOKEN}}\n"  # fmt: skip
    config = parse(tmp_path, text)
    names = Names()
    stored = {"id": "p", "name": "slack", "kind": "slack", "secrets": ["bot_token", "old"]}
    current = {"notification_providers": live("notification_providers", [stored], names)}
    # The old secret is removed; the stored one is kept: its variable is not set.
    plan = make_plan(config, current, names, Options(), {})
    [change] = plan.changes
    assert change.action == "update" and change.secrets == {"old": ""}
    assert not plan.problems
    # With --update-secrets it is sent, and never printed.
    env = {"SLACK_TOKEN": "xoxb-secret"}
    plan = make_plan(config, current, names, Options(update_secrets=True), env)
    assert plan.changes[0].secrets == {"bot_token": "xoxb-secret", "old": ""}
    assert "xoxb-secret" not in "\n".join(describe(plan, dry_run=True))
    # A new provider needs it.
    plan = make_plan(config, {}, names, Options(), {})
    assert [str(p).replace(f"{tmp_path}/", "") for p in plan.problems] == [
        "catalog.yaml:4: notification_providers[0].secrets.bot_token: $SLACK_TOKEN is not set"
    ]
    assert make_plan(config, {}, names, Options(), env).changes[0].secrets == {
        "bot_token": "xoxb-secret"
    }


def test_a_password_is_applied_once_and_only_reset_when_named(tmp_path: Path) -> None:
    assert refused(tmp_path, "users:\n  - {username: ines, role: admin, password: hunter22}\n") == [
        "catalog.yaml:2: users[0].password: a secret is not written in a file: use "
        "{from_env: VARIABLE} or {from_file: PATH}"
    ]
    text = "kind: user\nusername: ines\nrole: manager\npassword: {from_env: INES}\n"
    config = parse(tmp_path, text)
    names = Names()
    current = {"users": live("users", [{"id": "u1", "username": "ines", "role": "manager"}], names)}
    env = {"INES": "a-password-never-shown"}
    # Held by IMAS: not sent again, even with --update-secrets (providers' rotations).
    for options in (Options(), Options(update_secrets=True)):
        plan = make_plan(config, current, names, options, env)
        assert [c.action for c in plan.changes] == ["unchanged"] and not plan.changes[0].secrets
    plan = make_plan(config, current, names, Options(reset_passwords=frozenset({"ines"})), env)
    assert describe(plan, dry_run=True)[:2] == [
        "~ user ines (password)",
        "    password: set from $INES",
    ]
    assert plan.changes[0].secrets == {"password": "a-password-never-shown"}
    assert "a-password-never-shown" not in "\n".join(describe(plan, dry_run=True))


def test_prune_names_the_token_and_user_the_apply_runs_as(tmp_path: Path) -> None:
    config = parse(tmp_path, "users: []\ntokens: []\n")
    names = Names()
    current = {
        "users": live("users", [{"id": "u1", "username": "ci", "role": "admin"}], names),
        "tokens": live(
            "tokens",
            [
                {"id": "t1", "name": "deploy", "role": "admin"},
                {"id": "t2", "name": "bootstrap admin", "role": "admin", "created_by": ""},
            ],
            names,
        ),
    }
    plan = make_plan(config, current, names, Options(prune=True), {})
    # IMAS's own bootstrap token is never a candidate.
    assert [c.label for c in plan.changes] == ["ci", "deploy"]
    assert own_deletions(plan, Applier(token_id="t1", user_id="u1")) == ["user ci", "token deploy"]
    assert own_deletions(plan, Applier(token_id="t2")) == []


def test_a_name_that_exists_nowhere_is_a_problem_at_its_line(tmp_path: Path) -> None:
    config = parse(tmp_path, ONCALL)
    names = Names()
    names.add("team", "t1", "SRE Core")
    names.add("person", "p1", "alice@example.com")
    plan = make_plan(config, {}, names, Options(), {})
    assert [str(p).replace(f"{tmp_path}/", "") for p in plan.problems] == [
        "catalog.yaml:6: schedules[0].layers[0].members[1]: no person (by e-mail)"
        " 'bruno@example.com' in the files or in IMAS",
        "catalog.yaml:10: schedules[0].overrides[0].person: no person (by e-mail)"
        " 'bruno@example.com' in the files or in IMAS",
        "catalog.yaml:19: escalation_policies[0].steps[1].targets[0]: no schedule"
        " 'Platform/backup' in the files or in IMAS",
    ]


def test_the_command_refuses_a_bad_file_before_asking_for_a_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from imas_cli.__main__ import main

    monkeypatch.delenv("IMAS_TOKEN", raising=False)
    bad = tmp_path / "bad.yaml"
    bad.write_text("teams:\n  - nom: SRE\n")
    assert main(["apply", "-f", str(bad), "--state-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "refused, nothing applied:",
        f"{bad}:2: teams[0].nom: unknown field (known: chat_channel, email, manager, members,"
        " name, slack_channel, slug)",
    ]
    good = tmp_path / "good.yaml"
    good.write_text("teams:\n  - name: SRE\n")
    assert main(["apply", "-f", str(good), "--state-dir", str(tmp_path)]) == 1
    assert "no API token" in capsys.readouterr().err


def test_yaml_that_expands_without_end_is_refused_at_its_line(tmp_path: Path) -> None:
    # Aliases of aliases: nine lines that would make a billion values.
    laughs = "".join(
        f"{a}: &{a} [{', '.join([f'*{b}'] * 10)}]\n"
        for b, a in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert refused(tmp_path, "x: &a [lol, lol]\n" + laughs) == [
        "catalog.yaml:1: expands to more than 200000 values (YAML aliases?)"
    ]
    assert refused(tmp_path, "teams:\n  - &a [*a]\n") == [
        "catalog.yaml:2: an alias inside its own anchor: the value never ends"
    ]
    for depth in (100, 5000):
        assert refused(tmp_path, "teams:\n  - " + "[" * depth + "]" * depth + "\n") == [
            f"catalog.yaml:{2 if depth < 1000 else 1}: nested more than 64 levels deep"
        ]
