"""Routing rules, contact methods and notification rules through the public API: a rule
changed over HTTP changes who is paged, over what, and when."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from imas_runtime.embedded import free_port
from imas_testing import eventually
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        yield inbox, smtp.port
    finally:
        smtp.stop()


async def _call(mesh: Mesh, method: str, url: str, **kwargs: Any) -> Any:
    return await mesh.client.request(method, url, headers=mesh.auth, **kwargs)


async def _add_mail_provider(mesh: Mesh, port: int) -> None:
    created = await _call(
        mesh,
        "POST",
        "/api/v1/notification-providers/",
        json={
            "name": "mail",
            "kind": "smtp",
            "config": {"host": "127.0.0.1", "port": port, "from": "imas@example.com",
                       "start_tls": False},
        },
    )  # fmt: skip
    assert created.status_code == 201, created.text


async def _open(mesh: Mesh, title: str, severity: str) -> str:
    created = await _call(
        mesh,
        "POST",
        "/api/v1/incidents/",
        json={"title": title, "service_name": "redis-prod", "severity": severity,
              "dedup_key": title},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    return f"INC-{created.json()['short_id']}"


async def _deliveries(mesh: Mesh, ref: str, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    async def recorded() -> None:
        answer = await _call(mesh, "GET", f"/api/v1/incidents/{ref}/deliveries/")
        assert answer.status_code == 200, answer.text
        found[:] = answer.json()["results"]
        assert len(found) == count, found

    await eventually(recorded, timeout=15)
    return found


async def _viewer(mesh: Mesh) -> dict[str, str]:
    made = await _call(mesh, "POST", "/api/v1/tokens/", json={"name": "v", "role": "viewer"})
    assert made.status_code == 201, made.text
    return {"Authorization": f"Token {made.json()['token']}"}


async def test_a_routing_rule_changed_over_the_api_changes_what_the_team_gets(
    mesh: Mesh, mail: tuple[Inbox, int]
) -> None:
    inbox, port = mail
    await _add_mail_provider(mesh, port)
    listed = await _call(mesh, "GET", "/api/v1/routing-rules/")
    assert listed.status_code == 200, listed.text
    defaults = {(r["target"], r["severity"]): r["channels"] for r in listed.json()["results"]}
    assert defaults[("team", "SEV2_HIGH")] == ["chat"]
    assert defaults[("oncall", "SEV1_CRITICAL")] == ["sms", "chat"]
    assert all(r["default"] for r in listed.json()["results"])

    # The defaults: SRE Core hears of a SEV2 on its chat (the log, without a chat provider).
    before = await _deliveries(mesh, await _open(mesh, "Redis slow", "SEV2_HIGH"), 1)
    assert [(d["recipient"], d["channel"]) for d in before] == [("team:SRE Core", "log")]

    viewer = await _viewer(mesh)
    body = {"target": "team", "team_id": "SRE Core", "severity": "SEV2_HIGH",
            "channels": ["email"]}  # fmt: skip
    refused = await mesh.client.post("/api/v1/routing-rules/", headers=viewer, json=body)
    assert refused.status_code == 403
    created = await _call(mesh, "POST", "/api/v1/routing-rules/", json=body)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["team_name"], rule["default"]) == ("SRE Core", False)
    assert (await mesh.client.get("/api/v1/routing-rules/", headers=viewer)).json()["count"] == (
        listed.json()["count"] + 1
    )
    duplicate = await _call(mesh, "POST", "/api/v1/routing-rules/", json=body)
    assert duplicate.status_code == 409, duplicate.text

    # Now the team is e-mailed instead.
    after = await _deliveries(mesh, await _open(mesh, "Redis down", "SEV2_HIGH"), 1)
    assert [(d["channel"], d["address"]) for d in after] == [("email", "sre@example.com")]
    await eventually(lambda: _check(len(inbox.to("sre@example.com")) == 1), timeout=15)
    assert inbox.to("sre@example.com")[0]["Subject"] == "[SEV2] Redis down"

    # Deleted: back to the default.
    removed = await _call(mesh, "DELETE", f"/api/v1/routing-rules/{rule['id']}/")
    assert removed.status_code == 200, removed.text
    again = await _deliveries(mesh, await _open(mesh, "Redis flaps", "SEV2_HIGH"), 1)
    assert [d["channel"] for d in again] == ["log"]
    default = await _call(mesh, "DELETE", "/api/v1/routing-rules/default-1/")
    assert default.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "scopes", "channels": ["sms"]}, "channels[0]"),
        ({"target": "team", "channels": ["chat"], "severity": "SEV9"}, "severity"),
        ({"target": "team", "channels": ["chat"], "team_id": "Nobody"}, "team_id"),
        ({"target": "team", "channels": ["chat"], "responder": "x@example.com"}, "responder"),
        ({"target": "pager", "channels": []}, "target"),
        ({"target": "team", "colour": "red"}, "body"),
    ],
)
async def test_invalid_routing_rules_are_refused_naming_the_field(
    mesh: Mesh, body: dict[str, Any], field: str
) -> None:
    answer = await _call(mesh, "POST", "/api/v1/routing-rules/", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in answer.json()["errors"]], answer.text
    if field == "body":
        assert "unknown field `colour`" in answer.json()["detail"]


async def test_a_persons_notification_rules_page_them_in_order_until_acknowledged(
    mesh: Mesh, mail: tuple[Inbox, int]
) -> None:
    inbox, port = mail
    await _add_mail_provider(mesh, port)
    person = await _call(
        mesh, "POST", "/api/v1/people/", json={"name": "Alice", "email": "alice@example.com"}
    )
    assert person.status_code == 201, person.text
    base = "/api/v1/people/alice@example.com"

    added = await _call(
        mesh, "POST", f"{base}/contact-methods/", json={"type": "sms", "address": "+33600000042"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["contact_methods"] == [{"type": "sms", "address": "+33600000042"}]
    bad = await _call(
        mesh,
        "PUT",
        f"{base}/contact-methods/",
        json={"contact_methods": [{"type": "sms", "address": "0600"}]},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == (
        "contact_methods[0].address"
    )
    shown = await _call(mesh, "GET", f"/api/v1/people/{person.json()['id']}/")
    assert shown.json()["contact_methods"] == [{"type": "sms", "address": "+33600000042"}]

    unset = await _call(mesh, "GET", f"{base}/notification-rules/")
    assert unset.json() == {"person_id": person.json()["id"], "rules": [], "custom": False}
    refused = await _call(
        mesh,
        "PUT",
        f"{base}/notification-rules/",
        json={"rules": [{"channel": "pigeon", "delay_minutes": 0}]},
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == (
        "rules[0].channel"
    )
    rules = await _call(
        mesh,
        "PUT",
        f"{base}/notification-rules/",
        json={"rules": [{"channel": "sms", "delay_minutes": 1}, {"channel": "email"}]},
    )
    assert rules.status_code == 200, rules.text
    assert [(r["channel"], r["delay_minutes"]) for r in rules.json()["rules"]] == [
        ("email", 0),
        ("sms", 1),
    ]

    rule = await _call(
        mesh,
        "POST",
        "/api/v1/routing-rules/",
        json={"target": "oncall", "team_id": "SRE Core", "severity": "SEV1_CRITICAL",
              "channels": ["sms"], "responder": "alice@example.com"},
    )  # fmt: skip
    assert rule.status_code == 201, rule.text
    # The notifier's copy of the catalog has every change once it shows a later one.
    renamed = await _call(mesh, "PATCH", f"{base}/", json={"name": "Alice Martin"})
    assert renamed.status_code == 200, renamed.text

    async def caught_up() -> None:
        shown = await _call(mesh, "GET", f"/api/v1/routing-rules/{rule.json()['id']}/")
        assert shown.json()["responder_name"] == "Alice Martin"

    await eventually(caught_up, timeout=15)

    ref = await _open(mesh, "Redis cluster down", "SEV1_CRITICAL")
    pages = {d["channel"]: d for d in await _deliveries(mesh, ref, 3) if "Alice" in d["recipient"]}
    assert set(pages) == {"email", "sms"}
    assert pages["sms"]["address"] == "+33600000042" and pages["sms"]["status"] == "pending"
    held = datetime.fromisoformat(pages["sms"]["next_attempt_at"]) - datetime.fromisoformat(
        pages["sms"]["created_at"]
    )
    assert 50 <= held.total_seconds() <= 70
    await eventually(lambda: _check(len(inbox.to("alice@example.com")) == 1), timeout=15)

    acknowledged = await _call(mesh, "POST", f"/api/v1/incidents/{ref}/acknowledge/", json={})
    assert acknowledged.status_code == 200, acknowledged.text

    async def sms_cancelled() -> None:
        found = await _call(mesh, "GET", f"/api/v1/incidents/{ref}/deliveries/")
        sms = [d for d in found.json()["results"] if d["channel"] == "sms"]
        assert [d["status"] for d in sms] == ["cancelled"]

    await eventually(sms_cancelled, timeout=15)

    dropped = await _call(mesh, "DELETE", f"{base}/notification-rules/")
    assert dropped.json()["custom"] is False
    removed = await _call(mesh, "DELETE", f"{base}/contact-methods/1/")
    assert removed.status_code == 200 and removed.json()["contact_methods"] == []


def _check(condition: bool) -> None:
    assert condition
