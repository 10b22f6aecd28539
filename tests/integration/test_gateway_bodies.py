"""Bodies and the audit log: every JSON body has a depth and a size limit (over is a 4xx
naming it), no body shape costs a call its audit row, and secrets are kept out of audit rows
wherever they appear (query strings, URLs, nested fields, text)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Mesh
from tests.integration.gateway_setup import Gateway, running_gateway

pytestmark = pytest.mark.integration

INCIDENT = {"title": "Disk full", "service_name": "redis-prod", "severity": "SEV3_MEDIUM"}
SECRET = "s3cr3t-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
async def gw(nats_url: str, postgres_url: str, redis_url: str) -> AsyncIterator[Gateway]:
    async with running_gateway(nats_url, postgres_url, redis_url) as gateway:
        yield gateway


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def _incident_with(extra: bytes) -> bytes:
    """An incident body, valid but for one field its handler ignores."""
    return b'{"title": "Disk full", "service_name": "redis-prod", "severity": "SEV3_MEDIUM",' + (
        b'"ignored": ' + extra + b"}"
    )


async def _audit_rows(gw: Gateway, agent: str) -> list[dict[str, Any]]:
    audit = await gw.client.get(
        "/api/v1/audit/", params={"page_size": 500}, headers=gw.auth(gw.admin)
    )
    return [r for r in audit.json()["results"] if r["user_agent"] == agent]


async def test_a_body_nested_600_deep_is_refused_naming_the_limit_and_audited(
    gw: Gateway,
) -> None:
    agent = f"deep-{uuid.uuid4().hex[:6]}"
    answer = await gw.client.post(
        "/api/v1/incidents/",
        content=_incident_with(_deep(600)),
        headers={**gw.auth(gw.admin), "User-Agent": agent, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]
    assert error["field"] == "body" and "64" in error["message"]
    [row] = await _audit_rows(gw, agent)
    assert row["status"] == 400 and row["actor"] == "bootstrap admin"
    # Nested up to the limit is fine.
    fine = await gw.client.post(
        "/api/v1/incidents/",
        content=_incident_with(_deep(60)),
        headers={**gw.auth(gw.admin), "Content-Type": "application/json"},
    )
    assert fine.status_code == 503  # accepted; nothing behind this gateway


async def test_public_routes_refuse_deep_bodies_too(gw: Gateway) -> None:
    for path in ("/api/token/obtain/", "/api/v1/webhooks/alertmanager/?token=x", "/v2/enqueue"):
        answer = await gw.client.post(path, content=_deep(1000))
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json()["errors"][0]["field"] == "body"


async def test_a_body_over_the_size_limit_is_refused_naming_it(gw: Gateway) -> None:
    huge = _incident_with(b'"' + b"x" * 1_100_000 + b'"')
    answer = await gw.client.post(
        "/api/v1/incidents/",
        content=huge,
        headers={**gw.auth(gw.admin), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["field"] == "body" and "1000000 bytes" in error["message"]


SHAPES: dict[str, bytes] = {
    "600 deep": _deep(600),
    "5000 deep": _deep(5000),
    "a lone surrogate": b'"\\ud800 half a character"',
    "a lone surrogate key": b'{"\\udfff": 1}',
    "a NUL key": b'{"\\u0000": 1}',
    "a number no float holds": b"1e400",
    "not UTF-8": b'"\xff\xfe"',
    "not JSON at all": b"{{{{",
}


@pytest.mark.parametrize("shape", SHAPES)
async def test_no_body_shape_costs_a_call_its_audit_row(gw: Gateway, shape: str) -> None:
    agent = f"shape-{uuid.uuid4().hex[:6]}"
    answer = await gw.client.post(
        "/api/v1/incidents/",
        content=_incident_with(SHAPES[shape]),
        headers={**gw.auth(gw.admin), "User-Agent": agent, "Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 503), answer.text
    rows = await _audit_rows(gw, agent)
    assert len(rows) == 1, f"{shape}: {len(rows)} audit rows"
    assert rows[0]["status"] == answer.status_code


async def test_secrets_in_urls_text_nested_fields_and_query_strings_stay_out_of_the_audit_log(
    gw: Gateway,
) -> None:
    agent = f"secrets-{uuid.uuid4().hex[:6]}"
    body = {
        **INCIDENT,
        "description": f"hook https://hooks.slack.com/services/T0/B0/{SECRET} and imas_{SECRET}x",
        "links": [f"https://grafana.example/d/1?apikey={SECRET}", f"https://bot:{SECRET}@x.io/"],
        "deep": {"config": {"api_key": SECRET, "nested": [{"client_secret": SECRET}]}},
    }
    answer = await gw.client.post(
        "/api/v1/incidents/",
        params={"token": SECRET, "page": "2"},
        json=body,
        headers={**gw.auth(gw.admin), "User-Agent": agent},
    )
    assert answer.status_code == 503
    [row] = await _audit_rows(gw, agent)
    assert SECRET not in str(row)
    assert row["query"] == "token=[redacted]&page=2"
    assert row["request"]["links"][0] == "https://grafana.example/d/1?apikey=[redacted]"
    assert row["request"]["deep"]["config"]["api_key"] == "[redacted]"


async def test_an_integrations_webhook_url_and_its_secret_stay_out_of_the_audit_log(
    mesh: Mesh,
) -> None:
    created = await mesh.client.post(
        "/api/v1/integrations/",
        json={"name": "prometheus", "type": "alertmanager"},
        headers=mesh.auth,
    )
    assert created.status_code == 201, created.text
    integration = created.json()
    assert "?token=" in integration["webhook_url"]
    secret = integration["webhook_url"].rsplit("token=", 1)[1]
    audit = await mesh.client.get(
        "/api/v1/audit/", params={"route": "/api/v1/integrations"}, headers=mesh.auth
    )
    [row] = [r for r in audit.json()["results"] if r["status"] == 201]
    assert row["response"]["webhook_url"].endswith("?token=[redacted]")
    assert secret not in audit.text
