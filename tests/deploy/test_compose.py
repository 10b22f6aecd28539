"""deploy/compose.yaml: a valid Compose file that runs the whole mesh from .env.example."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.deploy.support import DEPLOY, REPO, SERVICES, default_port, image_builder

pytestmark = pytest.mark.unit

COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
DEPENDENCIES = ("postgres", "redis", "nats")

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $.
VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution, on every string of the loaded file."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if op and op.endswith("?") and not present:
            raise KeyError(f"{name}: {arg}")
        if op and op.endswith("-") and not present:
            return arg
        return env.get(name, "")

    return VARIABLE.sub(substitute, value)


@functools.cache
def raw_compose() -> dict[str, Any]:
    (document,) = yaml.safe_load_all(COMPOSE.read_text())
    return document


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    return interpolate(raw_compose(), env_example() if env is None else env)


@functools.cache
def validator() -> jsonschema.Draft201909Validator:
    # The schema names draft 2019-09 (with a trailing '#' that auto-detection misses).
    return jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))


def test_compose_file_validates_against_the_compose_specification():
    for document in (raw_compose(), compose()):
        assert list(validator().iter_errors(document)) == []


def test_schema_check_refuses_a_misspelt_service_field():
    broken = compose()
    broken["services"]["gateway"]["enviroment"] = {}

    with pytest.raises(jsonschema.ValidationError, match="enviroment"):
        validator().validate(broken)


def test_compose_runs_every_service_with_its_dependencies():
    services = compose()["services"]

    assert set(services) == {*SERVICES, *DEPENDENCIES}
    for name in SERVICES:
        service = services[name]
        build = service["build"]
        assert (COMPOSE.parent / build["context"]).resolve() == REPO
        assert (REPO / build["dockerfile"]) == DEPLOY / "docker" / "Dockerfile"
        assert build["args"] == {"SERVICE": name, "PORT": str(default_port(name))}
        # NATS's image is the bare server: no shell for a health check; the services retry.
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "nats": {"condition": "service_started"},
        }
        env = service["environment"]
        assert env["IMAS_NATS_URL"] == "nats://nats:4222"
        assert env["IMAS_REDIS_URL"] == "redis://redis:6379/0"
        assert env["IMAS_DATABASE_URL"].endswith("@postgres:5432/postgres")
        assert env["IMAS_SECRET_KEY"] == env_example()["IMAS_SECRET_KEY"]
        # The runtime drains for up to ~15 s after SIGTERM; compose must wait longer.
        assert service["stop_signal"] == "SIGTERM"
        assert int(service["stop_grace_period"].rstrip("s")) > 15
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name]


def test_compose_runs_the_images_built_here_and_the_nats_the_tests_run():
    services = compose()["services"]
    builder = image_builder()

    assert services["nats"]["image"] == builder.nats_image()
    assert services["postgres"]["image"] == builder.POSTGRES_IMAGE
    assert services["redis"]["image"] == builder.REDIS_IMAGE
    for name in ("postgres", "redis"):
        build = services[name]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).is_file()


def test_only_the_gateway_is_published_and_only_it_gets_the_admin_token():
    services = compose()["services"]

    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"gateway"}
    assert services["gateway"]["ports"] == [f"{env_example()['IMAS_HTTP_PORT']}:8000"]
    holders = {n for n in SERVICES if "IMAS_BOOTSTRAP_ADMIN_TOKEN" in services[n]["environment"]}
    assert holders == {"gateway"}


def test_env_example_defines_every_variable_the_compose_file_reads():
    used = {m.group("name") for m in VARIABLE.finditer(COMPOSE.read_text()) if m.group("name")}

    assert used <= env_example().keys()


def test_compose_refuses_to_start_without_the_secrets():
    env = {
        k: v for k, v in env_example().items() if k not in {"IMAS_SECRET_KEY", "POSTGRES_PASSWORD"}
    }

    with pytest.raises(KeyError, match=r"IMAS_SECRET_KEY|POSTGRES_PASSWORD"):
        compose(env)


def test_compose_nats_keeps_acknowledged_events_on_disk():
    nats = compose()["services"]["nats"]
    config = (DEPLOY / "nats" / "nats.conf").read_text()

    assert "./nats/nats.conf:/etc/nats/nats.conf:ro" in nats["volumes"]
    assert re.search(r"^\s*sync_interval:\s*always\s*$", config, re.MULTILINE)
    assert re.search(r"^\s*store_dir:\s*/data\s*$", config, re.MULTILINE)
    assert any(v.startswith("nats-data:/data") for v in nats["volumes"])
