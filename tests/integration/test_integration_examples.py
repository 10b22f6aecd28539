"""The configuration examples of ``docs/integrations/`` work: each snippet, read from its page
and pointed at a test gateway, makes the tool send what makes an incident, and what resolves
it where the tool sends a resolution.

The requests are built as each tool builds them (``tool_requests``); the curl examples run as
they are with ``curl``, the PagerDuty client example with PagerDuty's own client over HTTPS.
The same Alertmanager snippets drive the real Alertmanager in ``test_alertmanager_binary``.
One intake for the module; each test has integrations and dedup keys of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from imas_testing import eventually
from imas_testing.throwaway_ca import make_authority
from tests.conftest import Intake, intake
from tests.integration import tool_requests as tools
from tests.integration.gateway_setup import served
from tests.integration.test_webhooks import Hooks

pytestmark = pytest.mark.integration

BASE = "http://imas"


@pytest.fixture(scope="module")
async def mesh(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Intake]:
    async with intake(nats_url, postgres_url, redis_url, label="docs") as started:
        yield started


@pytest.fixture
def hooks(mesh: Intake) -> Hooks:
    return Hooks(mesh.client, mesh.token, mesh.ingest)


async def send(hooks: Hooks, sent: tools.Sent, accepted: int = 202) -> None:
    """Post exactly what the tool sends (the gateway answers in this process)."""
    assert sent.url.startswith(BASE), sent.url
    answer = await hooks.client.post(
        sent.url.removeprefix(BASE), content=sent.body, headers=sent.headers
    )
    assert answer.status_code == accepted, answer.text


async def opened(hooks: Hooks, integration: dict[str, Any]) -> dict[str, Any]:
    """The incident the integration's first alert created (waits for ingest)."""

    async def created() -> dict[str, Any]:
        alert = await hooks.one(integration, "created")
        return await hooks.incident(alert["incident_id"])

    return await eventually(created, timeout=15)


async def resolved(hooks: Hooks, incident_id: str) -> None:
    async def done() -> None:
        assert (await hooks.incident(incident_id))["status"] == "RESOLVED"

    await eventually(done, timeout=15)


def checkout_group(receiver: str) -> tools.Group:
    group = tools.Group(receiver=receiver, group_by=["alertname", "service"])
    group.alert(
        {
            "alertname": "HighErrorRate",
            "service": "checkout-api",
            "severity": "critical",
            "instance": f"web-{uuid.uuid4().hex[:4]}",
        },
        {"summary": "Checkout error rate above 5%", "description": "5xx ratio is 6.2%"},
    )
    return group


# -- Alertmanager and Grafana ----------------------------------------------------------------


@dataclass(frozen=True)
class GroupExample:
    """A snippet of a tool that notifies alert groups, and the incident its group makes."""

    page: str
    snippet: str
    kind: str
    request: Callable[[dict[str, Any], tools.Group], tools.Sent]
    group: Callable[[], tools.Group]
    title: str
    service: str
    severity: str


GROUP_EXAMPLES = [
    GroupExample(
        "alertmanager.md",
        "alertmanager-webhook",
        "alertmanager",
        tools.alertmanager_webhook,
        lambda: checkout_group("imas"),
        "Checkout error rate above 5%",
        "checkout-api",
        "SEV1_CRITICAL",
    ),
    # The integration has no service: the snippet's details name it.
    GroupExample(
        "alertmanager.md",
        "alertmanager-pagerduty",
        "pagerduty",
        tools.alertmanager_pagerduty,
        lambda: checkout_group("imas-pagerduty"),
        "HighErrorRate: Checkout error rate above 5%",
        "checkout-api",
        "SEV1_CRITICAL",
    ),
    GroupExample(
        "grafana.md",
        "grafana-webhook",
        "grafana",
        tools.grafana_webhook,
        lambda: tools.grafana_group("checkout-api", "Checkout p99 latency above 2 s"),
        "Checkout p99 latency above 2 s",
        "checkout-api",
        "SEV3_MEDIUM",
    ),
    GroupExample(
        "grafana.md",
        "grafana-pagerduty",
        "pagerduty",
        tools.grafana_pagerduty,
        lambda: tools.grafana_group("api-gateway", "Gateway p99 latency above 2 s"),
        "CheckoutLatency: Gateway p99 latency above 2 s",
        "api-gateway",
        "SEV1_CRITICAL",
    ),
]


@pytest.mark.parametrize("example", GROUP_EXAMPLES, ids=lambda e: e.snippet)
async def test_alertmanager_and_grafana_examples_open_and_resolve_an_incident(
    hooks: Hooks, example: GroupExample
) -> None:
    integration = await hooks.integration(example.kind)
    secret = integration["secret"]
    config = tools.yaml_snippet(
        example.page, example.snippet, BASE, secret=secret, routing_key=secret
    )
    group = example.group()
    await send(hooks, example.request(config, group))
    incident = await opened(hooks, integration)
    assert incident["title"] == example.title
    assert (incident["service_name"], incident["severity"]) == (example.service, example.severity)

    group.resolve()
    await send(hooks, example.request(config, group))
    await resolved(hooks, incident["id"])


async def test_alertmanager_webhook_receiver_with_a_wrong_secret_is_refused(
    hooks: Hooks,
) -> None:
    config = tools.yaml_snippet("alertmanager.md", "alertmanager-webhook", BASE, secret="0" * 32)
    before = await hooks.raw_count()
    await send(hooks, tools.alertmanager_webhook(config, checkout_group("imas")), accepted=401)
    assert await hooks.raw_count() == before


async def test_alertmanager_webhook_receiver_keeps_what_the_alert_says(hooks: Hooks) -> None:
    am = await hooks.integration("alertmanager")
    config = tools.yaml_snippet(
        "alertmanager.md", "alertmanager-webhook", BASE, secret=am["secret"]
    )
    await send(hooks, tools.alertmanager_webhook(config, checkout_group("imas")))
    incident = await opened(hooks, am)
    assert incident["description"] == "5xx ratio is 6.2%"
    assert incident["detected_at"].startswith("2026-02-05T18:29:00")


# -- Datadog -----------------------------------------------------------------------------------


async def test_datadog_webhook_opens_and_resolves_an_incident(hooks: Hooks) -> None:
    dd = await hooks.integration("datadog")
    page = "datadog.md"
    payload = tools.snippet(page, "datadog-payload")
    headers = tools.placed(tools.snippet(page, "datadog-headers"), BASE, secret=dd["secret"])
    url = f"{BASE}/api/v1/webhooks/datadog/"
    assert url.replace(BASE, tools.PUBLIC_URL) in (tools.DOCS / page).read_text()
    monitor = str(uuid.uuid4().int % 10**8)

    triggered = tools.datadog_values("Triggered", monitor, "redis-prod")
    await send(hooks, tools.datadog_webhook(url, payload, headers, triggered))
    incident = await opened(hooks, dd)
    assert incident["title"] == "[Triggered on {service:redis-prod}] High error rate on redis-prod"
    assert '"5xx" ratio: 6.2%' in incident["description"]
    assert (incident["service_name"], incident["severity"]) == ("redis-prod", "SEV2_HIGH")

    # A re-notification attaches; the recovery resolves.
    await send(hooks, tools.datadog_webhook(url, payload, headers, triggered))
    recovered = tools.datadog_values("Recovered", monitor, "redis-prod")
    await send(hooks, tools.datadog_webhook(url, payload, headers, recovered))
    await resolved(hooks, incident["id"])
    assert (await hooks.incident(incident["id"]))["alert_count"] == 2


# -- Sentry ------------------------------------------------------------------------------------


async def _sentry_integration(url: str, hooks: Hooks, tmp_path: Path) -> tuple[dict[str, Any], str]:
    """The integration, made and given Sentry's Client Secret with the page's curl commands."""
    created = await run_curl(url, hooks, "sentry.md", "sentry-create", tmp_path)
    client_secret = uuid.uuid4().hex + uuid.uuid4().hex
    env = {"IMAS_INTEGRATION_ID": created["id"], "SENTRY_CLIENT_SECRET": client_secret}
    told = await run_curl(url, hooks, "sentry.md", "sentry-secret", tmp_path, env)
    assert told["id"] == created["id"] and "secret" not in told
    return created, client_secret


async def test_sentry_issue_alert_opens_an_incident_its_issue_resolves(
    hooks: Hooks, tmp_path: Path, gateway_url: str
) -> None:
    integration, client_secret = await _sentry_integration(gateway_url, hooks, tmp_path)
    url = f"{BASE}/api/v1/webhooks/sentry/?integration={integration['id']}"
    issue = str(uuid.uuid4().int % 10**10)
    await send(
        hooks, tools.sentry(url, client_secret, "event_alert", tools.sentry_event_alert(issue))
    )
    incident = await opened(hooks, integration)
    assert incident["title"] == "ZeroDivisionError: division by zero"
    assert (incident["service_name"], incident["severity"]) == ("checkout-api", "SEV2_HIGH")

    resolution = tools.sentry(url, client_secret, "issue", tools.sentry_issue(issue, "resolved"))
    await send(hooks, resolution)
    await resolved(hooks, incident["id"])

    # Signed with another secret, or replayed later, it is refused.
    forged = tools.sentry(url, uuid.uuid4().hex * 2, "issue", tools.sentry_issue(issue, "resolved"))
    await send(hooks, forged, accepted=401)
    stale = tools.sentry(url, client_secret, "issue", tools.sentry_issue(issue, "resolved"))
    stale.headers["Sentry-Hook-Timestamp"] = str(int(stale.headers["Sentry-Hook-Timestamp"]) - 600)
    await send(hooks, stale, accepted=401)


async def test_sentry_metric_alert_opens_and_resolves_an_incident(
    hooks: Hooks, tmp_path: Path, gateway_url: str
) -> None:
    integration, client_secret = await _sentry_integration(gateway_url, hooks, tmp_path)
    url = f"{BASE}/api/v1/webhooks/sentry/?integration={integration['id']}"
    alert = str(uuid.uuid4().int % 10**6)
    critical = tools.sentry_metric_alert(alert, "critical")
    await send(hooks, tools.sentry(url, client_secret, "metric_alert", critical))
    incident = await opened(hooks, integration)
    assert incident["title"] == "Critical: Too many checkout errors"
    assert incident["severity"] == "SEV1_CRITICAL"
    recovered = tools.sentry_metric_alert(alert, "resolved")
    await send(hooks, tools.sentry(url, client_secret, "metric_alert", recovered))
    await resolved(hooks, incident["id"])


# -- curl --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def gateway_url(mesh: Intake) -> AsyncIterator[str]:
    """The gateway on a real socket, for the commands curl runs."""
    async with served(mesh.gateway) as url:
        yield url


async def run_curl(
    url: str,
    hooks: Hooks,
    page: str,
    name: str,
    tmp_path: Path,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run a page's shell snippet as it is, with bash and curl, against the gateway at
    ``url``; its output (the gateway's JSON answer)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    script = tmp_path / f"{name}.sh"
    script.write_text("set -euo pipefail\n" + tools.snippet(page, name) + "\n")
    variables = {
        "PATH": os.environ["PATH"],
        "IMAS_URL": url,
        "IMAS_ADMIN_TOKEN": hooks.auth["Authorization"].removeprefix("Token "),
        **(env or {}),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        ["bash", str(script)],
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}  # type: ignore[no-any-return]


async def test_curl_examples_raise_resolve_sign_and_record_a_change(
    hooks: Hooks, tmp_path: Path, gateway_url: str
) -> None:
    created = await run_curl(gateway_url, hooks, "curl.md", "curl-create", tmp_path)
    assert created["type"] == "custom" and created["service"] == "postgres-prod"
    env = {"IMAS_SECRET": created["secret"], "IMAS_INTEGRATION_ID": created["id"]}

    accepted = await run_curl(gateway_url, hooks, "curl.md", "curl-firing", tmp_path, env)
    assert accepted["status"] == "accepted"
    incident = await opened(hooks, created)
    assert incident["title"] == "Nightly backup failed"
    assert (incident["service_name"], incident["severity"]) == ("postgres-prod", "SEV1_CRITICAL")
    await run_curl(gateway_url, hooks, "curl.md", "curl-resolved", tmp_path, env)
    await resolved(hooks, incident["id"])

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    await run_curl(gateway_url, hooks, "curl.md", "curl-signed", tmp_path, env)

    async def signed() -> dict[str, Any]:
        found = [a for a in await hooks.alerts(created) if a["fingerprint"] == "disk-db-1"]
        assert len(found) == 1, found
        return found[0]

    assert (await eventually(signed, timeout=15))["outcome"] == "created"

    pd = await hooks.integration("pagerduty", service="checkout-api")
    change = await run_curl(
        gateway_url,
        hooks,
        "curl.md",
        "curl-change",
        tmp_path,
        {"IMAS_ROUTING_KEY": pd["routing_key"]},
    )
    assert change == {"status": "success", "message": "Change event processed"}
    listed = await hooks.client.get(
        "/api/v1/changes/", params={"service": "checkout-api"}, headers=hooks.auth
    )
    assert "Deploy checkout v42" in {c["summary"] for c in listed.json()["results"]}


# -- PagerDuty's Python client -----------------------------------------------------------------


async def test_pagerduty_client_example_opens_notes_and_resolves_an_incident(
    mesh: Intake, hooks: Hooks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca, cert, key = make_authority("IMAS docs CA").write(tmp_path / "tls")
    pd = await hooks.integration("pagerduty", service="postgres-prod")
    code = compile(tools.snippet("pagerduty.md", "pagerduty-client"), "pagerduty.md", "exec")
    async with served(mesh.gateway, ssl_certfile=str(cert), ssl_keyfile=str(key)) as url:
        monkeypatch.setenv("IMAS_ROUTING_KEY", pd["routing_key"])
        monkeypatch.setenv("IMAS_URL", url)
        monkeypatch.setenv("IMAS_CA_FILE", str(ca))
        await asyncio.to_thread(exec, code, {})
    incident = await opened(hooks, pd)
    assert incident["title"] == "Checkout latency above 2 s"
    lines = [e["message"] for e in incident["timeline"] if e["type"] == "CHANGE"]
    assert lines == ["Change: Roll back checkout to v41 (https://deploy.example.com/41)"]
    await resolved(hooks, incident["id"])
