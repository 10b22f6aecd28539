"""deploy/k8s: every manifest is valid Kubernetes, and each overlay renders a mesh that runs.

The checks name what an operator would hit: a pod probed on a path the service does not
serve, a Service pointing at the wrong port, a migration Job on another image than the pods,
a secret committed for production.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.deploy.kustomize import render, resource_id
from tests.deploy.support import (
    K8S,
    OVERLAYS,
    SERVICES,
    default_port,
    named,
    quantity_bytes,
    validate_kubernetes,
    yaml_documents,
)

pytestmark = pytest.mark.unit

SECRET_NAME = "imas-secrets"
SECRET_KEYS = {"IMAS_DATABASE_URL", "IMAS_REDIS_URL", "IMAS_SECRET_KEY"}
DRAIN_SECONDS = 15  # the runtime's graceful shutdown budget (uvicorn + NATS drain)
MEMORY_UNDER_LOAD = 200 * 10**6  # the budget in DESIGN.md: <= 200 MB per service under load


@functools.cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return tuple(render(K8S / "overlays" / overlay))


def patch_files() -> set[Path]:
    """Files that kustomizations use as patches: partial objects, checked once rendered."""
    return {
        kustomization.parent / patch["path"]
        for kustomization in K8S.rglob("kustomization.yaml")
        for patch in yaml_documents(kustomization)[0].get("patches", [])
        if "path" in patch
    }


def resource_files() -> list[Path]:
    return sorted(
        path
        for path in K8S.rglob("*.yaml")
        if path.name != "kustomization.yaml"
        and path.parent.name != "nats"
        and path not in patch_files()
    )


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]


def container(resource: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec(resource)["containers"]
    return only


@pytest.mark.parametrize("path", resource_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_manifest_file_is_valid_kubernetes(path: Path):
    resources = yaml_documents(path)

    assert resources
    for resource in resources:
        validate_kubernetes(resource)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_to_valid_unique_resources(overlay: str):
    resources = rendered(overlay)

    ids = [resource_id(r) for r in resources]
    assert len(ids) == len(set(ids))
    for resource in resources:
        validate_kubernetes(resource)
    namespaces = {r["metadata"].get("namespace") for r in resources}
    assert namespaces == {f"imas-{overlay}" if overlay != "prod" else "imas"}


def test_schema_check_refuses_a_misspelt_field():
    deployment = named(list(rendered("prod")), "Deployment", "imas-gateway")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 3}}

    with pytest.raises(jsonschema.ValidationError, match="replica"):
        validate_kubernetes(broken)


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_full_set_of_resources(overlay: str, service: str):
    resources = list(rendered(overlay))
    name = f"imas-{service}"

    for kind in ("ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget"):
        named(resources, kind, name)
    hpa = named(resources, "HorizontalPodAutoscaler", name)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    named(resources, "Job", f"{name}-migrate")


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_probes_and_ports_match_what_the_service_serves(overlay: str, service: str):
    resources = list(rendered(overlay))
    name = f"imas-{service}"
    port = default_port(service)
    deployment = named(resources, "Deployment", name)
    main = container(deployment)

    assert main["command"] == ["python", "-m", f"imas_{service}"]
    assert main["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    config = named(resources, "ConfigMap", name)["data"]
    prefix = service.upper()
    # Non-gateway services listen on 127.0.0.1 unless told otherwise: unreachable in a pod.
    assert config[f"{prefix}_HOST"] == "0.0.0.0"
    assert config[f"{prefix}_PORT"] == str(port)
    template = deployment["spec"]["template"]["metadata"]
    assert template["annotations"]["prometheus.io/port"] == str(port)
    assert template["annotations"]["prometheus.io/path"] == "/metrics"

    service_ports = named(resources, "Service", name)["spec"]["ports"]
    assert service_ports == [
        {"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_selectors_pick_the_service_pods_and_never_the_migration_pods(overlay: str, service: str):
    resources = list(rendered(overlay))
    name = f"imas-{service}"
    pods = named(resources, "Deployment", name)["spec"]["template"]["metadata"]["labels"]
    job_pods = named(resources, "Job", f"{name}-migrate")["spec"]["template"]["metadata"]["labels"]

    for selector in (
        named(resources, "Service", name)["spec"]["selector"],
        named(resources, "Deployment", name)["spec"]["selector"]["matchLabels"],
        named(resources, "PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= pods.items()
        assert not selector.items() <= job_pods.items()


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_migration_job_runs_the_same_image_and_settings_as_the_pods(overlay: str, service: str):
    resources = list(rendered(overlay))
    name = f"imas-{service}"
    main = container(named(resources, "Deployment", name))
    job = named(resources, "Job", f"{name}-migrate")
    migrate = container(job)

    assert migrate["command"] == ["python", "-m", f"imas_{service}", "migrate"]
    assert migrate["image"] == main["image"]
    assert migrate["envFrom"] == main["envFrom"]
    job_env = {e["name"] for e in migrate["env"]}
    assert "IMAS_DATABASE_URL" in job_env
    assert pod_spec(job)["restartPolicy"] in {"OnFailure", "Never"}
    assert job["spec"]["backoffLimit"] >= 1


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_pods_stop_gracefully_within_their_budgets(overlay: str, service: str):
    deployment = named(list(rendered(overlay)), "Deployment", f"imas-{service}")
    spec = pod_spec(deployment)
    main = container(deployment)

    pre_stop = main["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert spec["terminationGracePeriodSeconds"] > int(pre_stop[1]) + DRAIN_SECONDS
    strategy = deployment["spec"]["strategy"]["rollingUpdate"]
    assert strategy["maxUnavailable"] == 0
    resources = main["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert {"cpu", "memory"} <= resources["limits"].keys()
    limit = quantity_bytes(resources["limits"]["memory"])
    assert MEMORY_UNDER_LOAD <= limit <= 2 * MEMORY_UNDER_LOAD
    assert quantity_bytes(resources["requests"]["memory"]) <= limit


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_locked_down(overlay: str, service: str):
    resources = list(rendered(overlay))
    for workload in (
        named(resources, "Deployment", f"imas-{service}"),
        named(resources, "Job", f"imas-{service}-migrate"),
    ):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        # Service links would add GATEWAY_PORT=tcp://... style variables the settings read.
        assert spec["enableServiceLinks"] is False
        security = container(workload)["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_one_secret_and_only_dev_ships_one(overlay: str):
    resources = list(rendered(overlay))
    for service in SERVICES:
        for workload in (
            named(resources, "Deployment", f"imas-{service}"),
            named(resources, "Job", f"imas-{service}-migrate"),
        ):
            refs = {
                e["name"]: e["valueFrom"]["secretKeyRef"]
                for e in container(workload)["env"]
                if "secretKeyRef" in e.get("valueFrom", {})
            }
            assert refs.keys() >= SECRET_KEYS
            assert all(
                ref["name"] == SECRET_NAME and ref["key"] == key for key, ref in refs.items()
            )
    secrets = [r for r in resources if r["kind"] == "Secret"]
    if overlay == "prod":
        assert secrets == []  # production secrets are created in the cluster, never committed
    else:
        (secret,) = secrets
        assert secret["metadata"]["name"] == SECRET_NAME
        assert secret["stringData"].keys() >= SECRET_KEYS


def test_production_pins_every_image_and_runs_three_replicas():
    resources = list(rendered("prod"))
    for service in SERVICES:
        deployment = named(resources, "Deployment", f"imas-{service}")
        image = container(deployment)["image"]
        name, _, tag = image.rpartition(":")
        assert "/" in name and tag and tag not in {"latest", "dev"}, image
        # The autoscaler owns the replica count; a `replicas` here would reset it on apply.
        assert "replicas" not in deployment["spec"]
        hpa = named(resources, "HorizontalPodAutoscaler", f"imas-{service}")
        assert hpa["spec"]["minReplicas"] >= 3
    config = named(resources, "ConfigMap", "imas-config")["data"]
    assert config["IMAS_STREAM_REPLICAS"] == "3"
    assert config["IMAS_LOG_FORMAT"] == "json"
    assert config["IMAS_PUBLIC_URL"].startswith("https://")


def test_nats_values_give_a_durable_three_node_jetstream():
    (values,) = yaml_documents(K8S / "nats" / "values.yaml")
    config = values["config"]

    assert config["cluster"] == {"enabled": True, "replicas": 3}
    jetstream = config["jetstream"]
    assert jetstream["enabled"] is True
    assert jetstream["fileStore"]["enabled"] is True
    assert jetstream["fileStore"]["pvc"]["enabled"] is True
    assert jetstream["memoryStore"]["enabled"] is False
    assert jetstream["merge"]["sync_interval"] == "always"
    # The base ConfigMap reaches the chart's Service by the release name it documents.
    base_config = named(render(K8S / "base"), "ConfigMap", "imas-config")["data"]
    assert base_config["IMAS_NATS_URL"] == "nats://nats:4222"
