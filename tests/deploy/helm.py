"""deploy/helm/imas rendered and linted offline by Helm's own library (helm-python-sdk).

No cluster and no network: the official NATS chart, a dependency, is declared but not fetched,
so renders here have ``nats.enabled`` as given and Helm's linter reports the dependency as
missing (``helm dependency build`` fetches it before a real install).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import helm_python
import yaml

from tests.deploy.support import DEPLOY

CHART = DEPLOY / "helm" / "imas"
DEV_VALUES = DEPLOY / "helm" / "values-dev.yaml"
RELEASE = "imas"
NAMESPACE = "imas"

Resource = dict[str, Any]

# What a secret manager would hold; the chart then makes its own Secret from these.
THROWAWAY_SECRETS = {
    "IMAS_DATABASE_URL": "postgresql://imas:pw@postgres:5432/postgres",
    "IMAS_REDIS_URL": "redis://redis:6379/0",
    "IMAS_SECRET_KEY": "x" * 44,
}

# Every optional part of the chart switched on.
EVERYTHING: dict[str, Any] = {
    "ingress": {
        "enabled": True,
        "className": "nginx",
        "hosts": ["imas.example.com"],
        "tls": [{"secretName": "imas-tls", "hosts": ["imas.example.com"]}],
    },
    "serviceMonitor": {"enabled": True},
    "cloudnativepg": {"enabled": True},
    "secrets": {"existingSecret": "", "values": {**THROWAWAY_SECRETS}},
    "slack": {"botToken": "xoxb-1", "signingSecret": "s3cr3t"},
    "discord": {"botToken": "discord-token"},
    "oidc": {"clientSecret": "oidc-secret"},
    "otel": {"endpoint": "http://otel-collector.monitoring:4318", "headers": "authorization=x"},
    "prometheusRule": {"enabled": True},
}


def merged(*layers: dict[str, Any]) -> dict[str, Any]:
    """Values layered as ``-f a.yaml -f b.yaml`` would: maps merge, anything else replaces."""
    result: dict[str, Any] = {}
    for layer in layers:
        result = _merge(result, layer)
    return result


def _merge(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def dev_values() -> dict[str, Any]:
    values = yaml.safe_load(DEV_VALUES.read_text())
    assert isinstance(values, dict)
    return values


def render(values: dict[str, Any] | None = None, *, release: str = RELEASE) -> list[Resource]:
    """The chart's manifests for ``values`` (over the chart's own), as ``helm template`` does."""
    return list(_render(yaml.safe_dump(values or {}), release))


@functools.cache
def _render(values_yaml: str, release: str) -> tuple[Resource, ...]:
    chart = helm_python.Chart.load(CHART)
    manifests = chart.render(
        yaml.safe_load(values_yaml), name=release, namespace=NAMESPACE, is_install=True
    )
    return tuple(
        document
        for path, text in sorted(manifests.items())
        if path.endswith(".yaml")
        for document in yaml.safe_load_all(text)
        if document
    )


def lint(values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Helm's linter, strict, against the oldest Kubernetes the chart supports."""
    report = helm_python.lint(
        CHART, values, strict=True, namespace=NAMESPACE, kube_version="v1.29.0"
    )
    messages: list[dict[str, Any]] = report["messages"]
    return messages


def chart_file(name: str) -> Path:
    return CHART / name
