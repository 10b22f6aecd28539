"""What the deploy tests check against: the services as the code defines them, and helpers."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import kubernetes_validate
from referencing import Registry, Resource

from imas_runtime.settings import RuntimeSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"

# The oldest Kubernetes the manifests support, and the newest the schemas know.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.utils.latest_version())

# Every workspace member under services/ is a deployable service.
SERVICES = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))


@functools.cache
def image_builder() -> ModuleType:
    """``deploy/docker/images.py``, the script behind ``make images`` (not a package)."""
    spec = importlib.util.spec_from_file_location("imas_images", DEPLOY / "docker" / "images.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def settings_class(service: str) -> type[RuntimeSettings]:
    """The service's settings struct, as ``make images`` finds it."""
    cls = image_builder().settings_class(service)
    assert issubclass(cls, RuntimeSettings)
    return cls


def default_port(service: str) -> int:
    """The port the service listens on when nothing overrides it (its settings' default)."""
    port = image_builder().service_port(service)
    assert isinstance(port, int)
    return port


def validate_kubernetes(resource: dict[str, Any]) -> None:
    """Raise unless ``resource`` is valid, unknown fields included, for every version.

    The same check as ``kubernetes_validate.validate(resource, version, strict=True)``, with
    each schema loaded once instead of for every resource.
    """
    for version in KUBERNETES_VERSIONS:
        validator = _validator(version, resource["kind"], resource["apiVersion"])
        error = jsonschema.exceptions.best_match(validator.iter_errors(resource))
        if error is not None:
            raise error


@functools.cache
def _validator(version: str, kind: str, api_version: str) -> jsonschema.Draft202012Validator:
    utils = kubernetes_validate.utils
    schema_version = [
        v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)
    ][-1]
    folder = f"kubernetes-json-schema/v{schema_version}-local-strict"
    # rbac.authorization.k8s.io/v1 -> rbac-v1, as kubernetes-validate names its files.
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = utils.schema_contents(f"{folder}/{kind.lower()}-{api}.json", version)
    definitions = utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def named(resources: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: found {len(found)}"
    return found[0]


def quantity_bytes(quantity: str) -> int:
    """``"256Mi"`` → 268435456 (the binary and decimal suffixes manifests use)."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9, "": 1}
    match = re.fullmatch(r"(\d+)([KMG]i?)?", quantity)
    assert match, quantity
    return int(match.group(1)) * units[match.group(2) or ""]
