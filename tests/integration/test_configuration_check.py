"""``GET /api/v1/escalation/check/``, ``imas check`` and the dashboard's /oncall/check: one
list of what the configuration would not deliver, for every team, the default policy
included — steps that reach nobody, channels no provider serves, people without an address."""

from __future__ import annotations

import html
from typing import Any

import httpx
import pytest

from imas_cli.__main__ import build_parser
from imas_cli.check import describe, run
from imas_cli.gateway import api_client
from imas_client.models import ConfigReport
from imas_runtime.service import ServiceRuntime
from imas_testing import eventually
from imas_testing.dashboard import sign_in
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

STEP3 = "Default policy, step 3 at 15 min"


def _by(report: dict[str, Any], team: str) -> set[tuple[str, str, str]]:
    return {(p["kind"], p["step"], p["channel"]) for p in report["problems"] if p["team"] == team}


async def test_the_check_sees_every_team_step_channel_and_address(
    mesh: Mesh, escalation: ServiceRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo's people, as a production set-up starts: no provider at all.
    await mesh.call("DELETE", "/api/v1/notification-providers/log/")
    sre = await mesh.call("GET", "/api/v1/teams/sre-core/")

    async def known() -> dict[str, Any]:
        # Escalation learns the catalog from its events.
        report: dict[str, Any] = await mesh.call("GET", "/api/v1/escalation/check/")
        assert "Platform" in {p["team"] for p in report["problems"]}
        assert ("policy_reaches_nobody", STEP3, "sms") in _by(report, "SRE Core")
        return report

    report = await eventually(known, timeout=30)
    assert report["ok"] is False
    assert _by(report, "SRE Core") == {
        # The manager and the CTO are in the catalog; nobody is on call.
        ("policy_reaches_nobody", STEP3, "sms"),
        ("channel_without_provider", "Default policy, step 1 at 0 min", "slack"),
        ("channel_without_provider", "Default policy, step 2 at 5 min", "slack"),
        ("channel_without_provider", "Default policy, step 4 at 30 min", "email"),
        ("channel_without_provider", "Default policy, step 5 at 60 min", "email"),
        ("channel_without_provider", "Default policy, step 5 at 60 min", "sms"),
        ("channel_without_provider", "routing: the team's channel at SEV1, SEV2, SEV3", "slack"),
        ("channel_without_provider", "routing: the impacted scopes at SEV1, SEV2, SEV3", "email"),
    }
    platform = {(k, s) for k, s, _ in _by(report, "Platform") if k == "policy_reaches_nobody"}
    assert platform == {
        ("policy_reaches_nobody", STEP3),
        ("policy_reaches_nobody", "Default policy, step 4 at 30 min"),
    }
    why = {p["step"]: p["message"] for p in report["problems"] if p["team"] == "Platform"}
    assert why["Default policy, step 4 at 30 min"].endswith(
        "Platform has no manager in the catalog"
    )

    # An on-call rotation with someone who has no phone; Slack, SMS and e-mail providers.
    zoe = await mesh.call("POST", "/api/v1/people/", json={"name": "Zoé", "email": "z@x.io"})
    alice = await mesh.call("GET", "/api/v1/people/alice.martin@example.com/")
    rota = {
        "team_id": sre["id"],
        "name": "Primary",
        "layers": [{"members": [alice["id"], zoe["id"]], "start": "2026-01-05T09:00:00"}],
    }
    await mesh.call("POST", "/api/v1/schedules/", json=rota)
    for name, kind, config in (
        ("slack", "slack", {"default_channel": "C0123456789"}),
        ("ovh", "ovh", {"application_key": "k", "service_name": "sms-1", "sender": "IMAS"}),
        ("mail", "smtp", {"host": "smtp.example.com", "port": 587, "use_tls": True}),
    ):
        body = {"name": name, "kind": kind, "config": config}
        await mesh.call("POST", "/api/v1/notification-providers/", json=body)

    async def only_addresses_left() -> dict[str, Any]:
        report: dict[str, Any] = await mesh.call(
            "GET", f"/api/v1/escalation/check/?team={sre['id']}"
        )
        assert {p["team"] for p in report["problems"]} == {"SRE Core"}
        assert _by(report, "SRE Core") == {
            ("person_without_address", STEP3, "sms"),
            # Routing pages the on-call by SMS and chat at SEV1: nobody has a Slack id.
            ("person_without_address", "routing: the on-call person at SEV1", "sms"),
            ("person_without_address", "routing: the on-call person at SEV1", "slack"),
        }
        return report

    report = await eventually(only_addresses_left, timeout=30)
    zoes = [p for p in report["problems"] if p["step"] == STEP3]
    assert zoes[0]["subject"] == zoe["id"]
    assert (
        zoes[0]["message"] == f"{STEP3} pages over sms, but Zoé has no sms address in the catalog"
    )

    # imas check prints the same list, and exits 1.
    args = build_parser().parse_args(["check", "--team", sre["id"]])
    transport = httpx.ASGITransport(app=mesh.gateway)
    async with api_client("http://imas", mesh.token, transport=transport) as client:
        assert await run(args, client) == 1
    assert capsys.readouterr().out.splitlines() == describe(ConfigReport.from_dict(report))

    # So does the dashboard.
    await mesh.call(
        "POST",
        "/api/v1/users/",
        json={"username": "viv", "password": "correct horse battery", "role": "viewer"},
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=mesh.gateway), base_url="http://imas"
    ) as browser:
        assert (await sign_in(browser, "viv", "correct horse battery")).status_code == 303
        page = (await browser.get(f"/oncall/check?team={sre['id']}")).text
    assert page.count("<td>SRE Core</td>") == len(report["problems"])
    for problem in report["problems"]:
        assert html.escape(problem["message"]) in page
