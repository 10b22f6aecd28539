"""Configuration as code through the public API: ``imas apply`` and ``imas export`` against a
real gateway (in this process) and the services behind it, on real PostgreSQL and NATS.

What a user would notice: every kind lands, applying twice changes nothing, an export applied
back changes nothing, a dry run changes nothing, prune deletes what the files dropped (and
nothing IMAS made), secrets never show, a token of too low a role is refused with the 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from imas_runtime.service import ServiceRuntime
from tests.conftest import Mesh
from tests.integration.cli_runner import imas

pytestmark = pytest.mark.integration

SLACK_TOKEN = "xoxb-never-shown-1234567890"
CONFLUENCE_TOKEN = "confluence-never-shown-0987654321"

# The full example of docs/config-as-code.md: what the page shows is what is tested.
DOC = Path(__file__).parents[2] / "docs" / "config-as-code.md"
RICH = (
    DOC.read_text(encoding="utf-8")
    .split("## A full example")[1]
    .split("```yaml\n")[1]
    .split("```")[0]
)


@dataclass
class Config:
    """What the tests run ``imas`` against: the gateway app and an admin token."""

    mesh: Mesh
    folder: Path

    async def imas(
        self, capsys: pytest.CaptureFixture[str], *argv: str, token: str | None = None
    ) -> tuple[int, str, str]:
        return await imas(self.mesh, capsys, *argv, token=token)

    def write(self, name: str, text: str) -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    async def get(self, url: str) -> Any:
        answer = await self.mesh.client.get(url, headers=self.mesh.auth)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
async def config(
    mesh: Mesh,
    escalation: ServiceRuntime,
    warroom: ServiceRuntime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Config:
    monkeypatch.setenv("SLACK_BOT_TOKEN", SLACK_TOKEN)
    (tmp_path / "confluence-token").write_text(CONFLUENCE_TOKEN + "\n")
    return Config(mesh, tmp_path)


async def test_every_kind_is_applied_once_and_applying_again_changes_nothing(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config.write("imas.yaml", RICH)
    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 0, err
    assert "+ person ines.fabre@example.com" in out
    assert "+ escalation_policy Data Platform/data default" in out
    assert "+ runbook Kafka consumer lag" in out
    assert out.strip().endswith("0 updated, 0 deleted, 0 unchanged")

    # What landed, as the API and the on-call computation see it.
    team = await config.get("/api/v1/teams/data-platform/")
    assert team["manager"]["name"] == "Inès Fabre"
    assert sorted(m["name"] for m in team["members"]) == ["Jules Henry", "Karim Said"]
    people = {p["email"]: p for p in (await config.get("/api/v1/people/?page_size=500"))["results"]}
    ines = people["ines.fabre@example.com"]
    assert ines["roles"] == ["vp engineering"]
    rules = await config.get(f"/api/v1/people/{ines['id']}/notification-rules/")
    assert rules["rules"] == [
        {"channel": "email", "delay_minutes": 0.0},
        {"channel": "sms", "delay_minutes": 2.0},
    ]
    schedules = (await config.get(f"/api/v1/schedules/?team={team['id']}"))["schedules"]
    shifts = await config.get(
        f"/api/v1/schedules/{schedules[0]['id']}/shifts/?at=2026-12-25T12:00:00Z&count=1"
    )
    assert shifts["shifts"][0]["person"]["name"] == "Inès Fabre"  # the override
    providers = await config.get("/api/v1/notification-providers/slack/")
    assert providers["secrets"] == ["bot_token"]
    exporters = (await config.get("/api/v1/lid-exporters/"))["results"]
    assert [e["secrets"] for e in exporters if e["name"] == "wiki"] == [["api_token"]]
    tags = (await config.get("/api/v1/tag-rules/"))["results"]
    assert {"tag": "streaming", "pattern": "kafka|flink"} in [
        {"tag": t["tag"], "pattern": t["pattern"]} for t in tags
    ]

    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 0, err
    assert out.splitlines()[0] == "no change"
    assert "0 created, 0 updated, 0 deleted" in out
    assert SLACK_TOKEN not in out + err and CONFLUENCE_TOKEN not in out + err


async def test_an_export_applied_back_changes_nothing_and_never_holds_a_secret(
    config: Config, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = await config.imas(capsys, "apply", "-f", config.write("imas.yaml", RICH))
    assert code == 0, err
    code, exported, err = await config.imas(capsys, "export")
    assert code == 0, err
    assert SLACK_TOKEN not in exported and CONFLUENCE_TOKEN not in exported
    assert "bot_token: {from_env: IMAS_SLACK_BOT_TOKEN}" in exported
    assert "api_token: {from_env: IMAS_WIKI_API_TOKEN}" in exported
    # The demo's catalog and provider are there too; IMAS's built-in routing rules are not.
    assert "- name: redis-prod\n" in exported and "- name: log\n  kind: log\n" in exported
    assert "default" not in exported.split("routing_rules:")[1].split("integrations:")[0]

    # Applied elsewhere (a CI job) without the secrets' variables: nothing changes, and IMAS
    # keeps the secrets it holds.
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    path = config.write("exported.yaml", exported)
    code, out, err = await config.imas(capsys, "apply", "-f", path, "--prune")
    assert code == 0, err
    assert out.splitlines()[0] == "no change", out
    code, again, err = await config.imas(capsys, "export")
    assert again == exported
    assert (await config.get("/api/v1/notification-providers/slack/"))["secrets"] == ["bot_token"]

    # What went through the gateway, audit log included, never shows a secret.
    audit = await config.get("/api/v1/audit/?page_size=500")
    assert audit["count"] > 10
    assert SLACK_TOKEN not in str(audit) and CONFLUENCE_TOKEN not in str(audit)


def _edited(exported: str) -> str:
    """An export with a service's tier changed, a rotation reordered, two scopes, the tag
    rules and the runbooks gone (their sections stay, empty)."""
    data = yaml.safe_load(exported)
    for service in data["services"]:
        if service["name"] == "kafka-prod":
            service["criticality_tier"] = 2
    layer = data["schedules"][0]["layers"][0]
    layer["members"] = layer["members"][::-1]
    data["scopes"] = [s for s in data["scopes"] if s["name"] not in ("Legal", "Security")]
    data["tag_rules"] = []
    data["runbooks"] = []
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


async def test_a_dry_run_shows_the_diff_and_prune_deletes_only_what_the_files_dropped(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await config.imas(capsys, "apply", "-f", config.write("imas.yaml", RICH))
    assert code == 0, err
    code, exported, err = await config.imas(capsys, "export")
    path = config.write("imas.yaml", _edited(exported))

    code, out, err = await config.imas(capsys, "apply", "-f", path, "--prune", "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [
        "- scope Legal",
        "- scope Security",
        "- tag_rule streaming",
        "- runbook Kafka consumer lag",
        "~ service kafka-prod (criticality_tier)",
        "    criticality_tier: 1 → 2",
        "~ schedule Data Platform/data primary (layers)",
        '    layers[0].members: ["jules.henry@example.com", "karim.said@example.com"]'
        ' → ["karim.said@example.com", "jules.henry@example.com"]',
        "0 to create, 2 to update, 4 to delete, 30 unchanged",
    ]
    # Nothing changed.
    assert (await config.get("/api/v1/services/kafka-prod/"))["criticality_tier"] == 1
    assert (await config.get("/api/v1/runbooks/"))["count"] == 1

    code, out, err = await config.imas(capsys, "apply", "-f", path, "--prune")
    assert code == 0, err
    assert out.splitlines()[-1] == "0 created, 2 updated, 4 deleted, 30 unchanged"
    assert (await config.get("/api/v1/services/kafka-prod/"))["criticality_tier"] == 2
    assert (await config.get("/api/v1/runbooks/"))["count"] == 0
    assert (await config.get("/api/v1/tag-rules/"))["count"] == 0
    scopes = (await config.get("/api/v1/scopes/"))["results"]
    assert [s["name"] for s in scopes] == ["Finance"]
    # IMAS's own routing rules were never candidates.
    rules = (await config.get("/api/v1/routing-rules/"))["results"]
    assert any(r["default"] for r in rules)

    code, out, err = await config.imas(capsys, "apply", "-f", path, "--prune")
    assert out.splitlines()[0] == "no change"


async def test_problems_are_reported_with_their_file_and_line(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    # Names that exist nowhere, and a secret whose variable is unset: nothing is sent.
    path = config.write(
        "bad.yaml",
        "people:\n"
        "  - {name: Léa Roy, email: lea.roy@example.com}\n"
        "teams:\n"
        "  - name: Growth\n"
        "    manager: nobody@example.com\n"
        "notification_providers:\n"
        "  - name: sms\n"
        "    kind: twilio\n"
        "    secrets: {auth_token: {from_env: IMAS_TEST_UNSET}}\n",
    )
    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 2
    assert err.splitlines()[1:] == [
        f"{path}:5: teams[0].manager: no person (by e-mail) 'nobody@example.com' in the files "
        "or in IMAS",
        f"{path}:9: notification_providers[0].secrets.auth_token: $IMAS_TEST_UNSET is not set",
    ]
    assert (
        await config.mesh.client.get(
            "/api/v1/people/lea.roy@example.com/", headers=config.mesh.auth
        )
    ).status_code == 404

    # What only IMAS can check is refused when sent, at its line; what came before was made.
    path = config.write(
        "zone.yaml",
        "people:\n"
        "  - {name: Léa Roy, email: lea.roy@example.com}\n"
        "schedules:\n"
        "  - name: growth\n"
        "    team: SRE Core\n"
        "    time_zone: Mars/Olympus_Mons\n",
    )
    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 1
    assert out.splitlines() == [
        "+ person lea.roy@example.com",
        "1 created, 0 updated, 0 deleted, 0 unchanged",
    ]
    assert err.startswith(f"{path}:6: schedules[0].time_zone: refused (400): ")


async def _token(config: Config, role: str) -> str:
    made = await config.mesh.client.post(
        "/api/v1/tokens/", json={"name": f"ci-{role}", "role": role}, headers=config.mesh.auth
    )
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


async def test_a_token_of_too_low_a_role_is_refused_with_the_api_403(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = await _token(config, "manager")
    path = config.write("imas.yaml", RICH)
    # Reading providers is for admins: nothing is applied.
    code, out, err = await config.imas(capsys, "apply", "-f", path, token=manager)
    assert code == 1 and out == ""
    assert err.strip() == (
        "nothing applied: notification_providers: reading what IMAS has was refused (403): "
        "this needs the role admin or above (you are manager)"
    )
    # A viewer reads teams but may not write one: the refusal names the entry and the 403.
    viewer = await _token(config, "viewer")
    path = config.write("team.yaml", "teams:\n  - name: Growth\n")
    code, out, err = await config.imas(capsys, "apply", "-f", path, token=viewer)
    assert code == 1
    assert err.strip() == (
        f"{path}:2: teams[0]: refused (403): this needs the role manager or above (you are viewer)"
    )
    assert (
        await config.mesh.client.get("/api/v1/teams/growth/", headers=config.mesh.auth)
    ).status_code == 404


async def test_a_services_maintenance_is_planned_from_files_and_applying_again_changes_nothing(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    starts, until = now + timedelta(days=2), now + timedelta(days=2, hours=3)
    # checkout-api is put in maintenance from the dashboard: the files leave it alone.
    await config.mesh.call(
        "PUT",
        "/api/v1/services/checkout-api/maintenance/",
        json={"until": (now + timedelta(hours=1)).isoformat(), "reason": "hotfix"},
    )
    files = f"""
services:
  - name: redis-prod
    team: SRE Core
    criticality_tier: 1
    maintenance: {{starts_at: "{starts.isoformat()}", until: "{until.isoformat()}",
                  reason: Redis 8 upgrade}}
  - name: api-gateway
    team: Platform
    maintenance: {{until: "{(now + timedelta(hours=2)).isoformat()}"}}
  - name: checkout-api
    team: Backend Payment
"""
    path = config.write("maintenance.yaml", files)
    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 0, err
    redis = await config.get("/api/v1/services/redis-prod/")
    assert datetime.fromisoformat(redis["maintenance_since"]) == starts
    assert datetime.fromisoformat(redis["maintenance_until"]) == until
    assert redis["maintenance_reason"] == "Redis 8 upgrade"
    gateway = await config.get("/api/v1/services/api-gateway/")
    assert datetime.fromisoformat(gateway["maintenance_until"]) == now + timedelta(hours=2)
    assert datetime.fromisoformat(gateway["maintenance_since"]) <= datetime.now(UTC)
    checkout = await config.get("/api/v1/services/checkout-api/")
    assert checkout["maintenance_reason"] == "hotfix"

    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 0, err
    assert "0 created, 0 updated, 0 deleted" in out, out

    code, exported, err = await config.imas(capsys, "export", "--kind", "services")
    assert code == 0, err
    services = {s["name"]: s for s in yaml.safe_load(exported)["services"]}
    assert services["redis-prod"]["maintenance"]["reason"] == "Redis 8 upgrade"
    assert "maintenance" in services["checkout-api"]
    exported_path = config.write("exported.yaml", exported)
    code, out, err = await config.imas(capsys, "apply", "-f", exported_path)
    assert code == 0, err
    assert "0 created, 0 updated, 0 deleted" in out, out


async def test_the_incident_roles_come_from_files_and_applying_again_changes_nothing(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    files = """
incident_roles:
  - {name: commander, description: Runs the response}
  - name: scribe
  - {name: Legal, description: Speaks to the regulator}
"""
    path = config.write("roles.yaml", files)
    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 0, err
    roles = await config.get("/api/v1/incident-roles/")
    assert roles["custom"] is True
    assert [(r["name"], r["description"]) for r in roles["roles"]] == [
        ("commander", "Runs the response"),
        ("scribe", ""),
        ("legal", "Speaks to the regulator"),
    ]
    # An incident now has these roles, and legal can be given.
    body = {"title": "Customer data exposed", "service_name": "checkout-api",
            "severity": "SEV1_CRITICAL"}  # fmt: skip
    incident = await config.mesh.create("/api/v1/incidents/", body)
    given = await config.mesh.call(
        "PUT",
        f"/api/v1/incidents/{incident['id']}/roles/legal/",
        json={"person": "alice.martin@example.com"},
    )
    assert [(r["role"], r["name"]) for r in given["roles"]] == [
        ("commander", ""),
        ("scribe", ""),
        ("legal", "Alice Martin"),
    ]

    code, out, err = await config.imas(capsys, "apply", "-f", path)
    assert code == 0, err
    assert "0 created, 0 updated, 0 deleted" in out, out
    code, exported, err = await config.imas(capsys, "export", "--kind", "incident_roles")
    assert code == 0, err
    assert [r["name"] for r in yaml.safe_load(exported)["incident_roles"]] == [
        "commander",
        "scribe",
        "legal",
    ]
    code, out, err = await config.imas(capsys, "apply", "-f", config.write("again.yaml", exported))
    assert code == 0, err
    assert "0 created, 0 updated, 0 deleted" in out, out
