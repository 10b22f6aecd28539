"""The parts of the `imas` command that need no server: ports, env, token, demo catalog."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from imas_cli.__main__ import build_parser, demo_nats_url
from imas_cli.demo import DEMO_CATALOG, DEMO_ROTA_MEMBERS
from imas_cli.launcher import (
    NATS_URL_FILE,
    SERVICES,
    SUPERVISED_ENV,
    MeshConfig,
    curl_example,
    default_port,
    ensure_admin_token,
    port_variable,
    service_env,
    service_ports,
)
from imas_cli.supervisor import Output, describe_exit

pytestmark = pytest.mark.unit

CONFIG = MeshConfig(
    nats_url="nats://127.0.0.1:42001",
    database_url="postgresql://postgres@/postgres?host=/tmp/pg",
    redis_url="unix:///tmp/imas/redis.sock",
    admin_token="secret-token",
    gateway_port=8000,
)


def test_default_ports() -> None:
    assert service_ports() == {
        "gateway": 8000,
        "ingest": 8101,
        "incidents": 8102,
        "notifier": 8103,
        "escalation": 8104,
        "warroom": 8105,
    }


def test_ports_follow_the_gateway_port() -> None:
    ports = service_ports(9000)
    assert ports["gateway"] == 9000
    assert sorted(p for name, p in ports.items() if name != "gateway") == list(range(9101, 9106))
    assert list(ports) == list(SERVICES)


def test_default_port_reads_imas_port() -> None:
    assert default_port({}) == 8000
    assert default_port({"IMAS_PORT": "9100"}) == 9100


def test_port_variables() -> None:
    assert port_variable("gateway") == "IMAS_PORT"
    assert port_variable("notifier") == "NOTIFIER_PORT"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_gets_urls_token_and_its_port(service: str) -> None:
    env = service_env(service, CONFIG, {"PATH": "/usr/bin", "HOME": "/root"})
    assert env["IMAS_NATS_URL"] == CONFIG.nats_url
    assert env["IMAS_DATABASE_URL"] == CONFIG.database_url
    assert env["IMAS_REDIS_URL"] == CONFIG.redis_url
    assert env["IMAS_BOOTSTRAP_ADMIN_TOKEN"] == "secret-token"
    assert env["IMAS_LOG_FORMAT"] == "console"
    assert env["PATH"] == "/usr/bin"
    assert env[port_variable(service)] == str(service_ports()[service])
    assert env["IMAS_PUBLIC_URL"] == "http://localhost:8000"
    # The demo prints war rooms, by choice; an operator's platform wins.
    assert env["WARROOM_CHAT"] == "log"
    assert service_env(service, CONFIG, {"WARROOM_CHAT": "slack"})["WARROOM_CHAT"] == "slack"


def test_gateway_port_and_service_ports_are_not_mixed_up() -> None:
    config = MeshConfig(**{**CONFIG.__dict__, "gateway_port": 9000})
    gateway = service_env("gateway", config, {})
    notifier = service_env("notifier", config, {})
    assert gateway["IMAS_PORT"] == "9000"
    assert "NOTIFIER_PORT" not in gateway
    assert notifier["NOTIFIER_PORT"] == "9103"
    assert "GATEWAY_PORT" not in notifier


def test_inherited_values_are_overridden_and_launcher_markers_dropped() -> None:
    base = {
        "IMAS_NATS_URL": "nats://elsewhere:4222",
        "GATEWAY_PORT": "1234",
        "INGEST_PORT": "1235",
        SUPERVISED_ENV: "1",
        "IMAS_PUBLIC_URL": "https://imas.example.com",
    }
    env = service_env("ingest", CONFIG, base)
    assert env["IMAS_NATS_URL"] == CONFIG.nats_url
    assert env["INGEST_PORT"] == "8101"
    assert "GATEWAY_PORT" not in env
    assert SUPERVISED_ENV not in env
    assert env["IMAS_PUBLIC_URL"] == "https://imas.example.com"


def test_token_is_created_once_with_mode_600(tmp_path: Path) -> None:
    state = tmp_path / ".imas"
    token, path = ensure_admin_token(state, {})
    assert path == state / "admin-token"
    assert len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, again_path = ensure_admin_token(state, {})
    assert (again, again_path) == (token, path)
    assert path.read_text().strip() == token


def test_token_from_the_environment_wins(tmp_path: Path) -> None:
    token, path = ensure_admin_token(tmp_path, {"IMAS_BOOTSTRAP_ADMIN_TOKEN": "given"})
    assert (token, path) == ("given", None)
    assert not (tmp_path / "admin-token").exists()


def test_an_empty_token_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "admin-token").write_text("")
    token, path = ensure_admin_token(tmp_path, {})
    assert token
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_demo_catalog() -> None:
    services = {s.name: s.team for s in DEMO_CATALOG.services}
    assert services["redis-prod"] == "SRE Core"
    assert services["checkout-api"] == "Backend Payment"
    assert set(services) == {"redis-prod", "checkout-api", "postgres-prod", "api-gateway", "triage"}
    teams = {t.name: t for t in DEMO_CATALOG.teams}
    assert set(teams) == {"SRE Core", "Backend Payment", "Platform"}
    assert teams["SRE Core"].slack_channel == "#sre-core"
    assert teams["SRE Core"].email == "sre@example.com"
    assert set(services.values()) <= set(teams)
    scopes = {s.name: s.mandatory_emails for s in DEMO_CATALOG.scopes}
    assert scopes == {
        "Security": ["ciso@example.com", "security@example.com"],
        "Legal": ["dpo@example.com"],
    }
    # The whole ladder reaches someone: a manager, members on call, a CTO, each with a phone.
    people = {p.email: p for p in DEMO_CATALOG.people}
    sre = teams["SRE Core"]
    assert sre.manager in people and set(sre.members) <= set(people)
    assert set(DEMO_ROTA_MEMBERS) == set(sre.members)
    ctos = [p for p in people.values() if "cto" in p.roles]
    assert len(ctos) == 1 and ctos[0].phone
    assert all(people[e].phone for e in [sre.manager, *sre.members])


def test_curl_example_carries_the_port_and_token() -> None:
    text = curl_example(9000, "tok")
    assert text.startswith("curl -X POST http://localhost:9000/api/v1/incidents/ ")
    assert '-H "Authorization: Token tok"' in text
    assert '"service_name": "redis-prod"' in text
    assert '"severity": "SEV1_CRITICAL"' in text


def test_parser_defaults() -> None:
    args = build_parser().parse_args(["run"])
    assert args.state_dir == Path(".imas")
    assert args.port == default_port(os.environ)


def test_demo_url_falls_back_to_the_running_launcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMAS_NATS_URL", raising=False)
    args = build_parser().parse_args(["demo", "--state-dir", str(tmp_path)])
    assert demo_nats_url(args) == "nats://127.0.0.1:4222"
    (tmp_path / NATS_URL_FILE).write_text("nats://127.0.0.1:40000\n")
    assert demo_nats_url(args) == "nats://127.0.0.1:40000"
    monkeypatch.setenv("IMAS_NATS_URL", "nats://bus:4222")
    assert demo_nats_url(args) == "nats://bus:4222"
    args = build_parser().parse_args(["demo", "--nats-url", "nats://x:1"])
    assert demo_nats_url(args) == "nats://x:1"


def test_output_prefixes_lines(capsys: pytest.CaptureFixture[str]) -> None:
    Output(colour=False).line("gateway", "hello")
    assert capsys.readouterr().out.startswith("[gateway]")
    Output(colour=True).line("gateway", "hello")
    assert "\x1b[" in capsys.readouterr().out


def test_exit_descriptions() -> None:
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(None) == "could not be started"
