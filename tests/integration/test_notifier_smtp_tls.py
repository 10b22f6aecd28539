"""E-mail over implicit TLS and over STARTTLS, against a real SMTP server (aiosmtpd) with a
certificate made for the test by a CA of its own: delivered when the provider trusts that CA,
refused for good (one attempt, a clear error) when it does not. ``use_tls`` means STARTTLS,
as in Django; implicit TLS is ``use_ssl`` (or port 465)."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from imas_runtime.embedded import free_port
from imas_testing import eventually
from imas_testing.throwaway_ca import Authority, make_authority
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


class Inbox:
    """Messages received, each with whether its session was encrypted."""

    def __init__(self) -> None:
        self.messages: list[tuple[Any, bool]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((message_from_bytes(envelope.content), encrypted))
        return "250 OK"


@pytest.fixture(scope="module")
def authority() -> Authority:
    return make_authority("IMAS test CA")


@pytest.fixture
def tls_servers(authority: Authority, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An SMTP server speaking implicit TLS, and one requiring STARTTLS."""
    inbox = Inbox()
    context = authority.server_context(tmp_path)
    implicit = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=context)
    starttls = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True
    )
    implicit.start()
    starttls.start()
    try:
        yield {"inbox": inbox, "implicit": implicit.port, "starttls": starttls.port}
    finally:
        implicit.stop()
        starttls.stop()


async def _put_provider(mesh: Mesh, name: str, config: dict[str, Any]) -> None:
    body = {"name": name, "kind": "smtp", "config": {"host": "127.0.0.1",
            "from": "imas@example.com", **config}}  # fmt: skip
    answer = await mesh.client.post("/api/v1/notification-providers/", headers=mesh.auth, json=body)
    assert answer.status_code == 201, answer.text


async def _send_test(mesh: Mesh, name: str, to: str) -> dict[str, Any]:
    answer = await mesh.client.post(
        f"/api/v1/notification-providers/{name}/test/", headers=mesh.auth, json={"recipient": to}
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_email_is_delivered_over_implicit_tls_and_starttls_with_a_trusted_ca(
    mesh: Mesh, authority: Authority, tls_servers: dict[str, Any]
) -> None:
    inbox: Inbox = tls_servers["inbox"]
    await _put_provider(
        mesh, "tls", {"port": tls_servers["implicit"], "use_ssl": True, "ca_pem": authority.ca_pem}
    )
    await _put_provider(
        mesh,
        "starttls",
        {"port": tls_servers["starttls"], "start_tls": True, "ca_pem": authority.ca_pem},
    )
    # Django's EMAIL_USE_TLS, as the brief's example sets it: STARTTLS, not implicit TLS.
    await _put_provider(
        mesh,
        "django",
        {"port": tls_servers["starttls"], "use_tls": True, "ca_pem": authority.ca_pem},
    )
    assert (await _send_test(mesh, "tls", "tls@example.com"))["ok"] is True
    assert (await _send_test(mesh, "starttls", "starttls@example.com"))["ok"] is True
    assert (await _send_test(mesh, "django", "django@example.com"))["ok"] is True
    received = {m["To"]: encrypted for m, encrypted in inbox.messages}
    assert received == {
        "tls@example.com": True,
        "starttls@example.com": True,
        "django@example.com": True,
    }

    # Without STARTTLS the server refuses the message: the provider says so.
    await _put_provider(mesh, "plain", {"port": tls_servers["starttls"], "start_tls": False})
    plain = await _send_test(mesh, "plain", "plain@example.com")
    assert plain["ok"] is False and "530" in plain["detail"]

    for config in ({"ca_pem": "not a certificate"}, {"use_tls": True, "use_ssl": True}):
        bad = await mesh.client.post(
            "/api/v1/notification-providers/",
            headers=mesh.auth,
            json={"name": "broken", "kind": "smtp", "config": config},
        )
        assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "config"


async def test_a_page_to_a_server_whose_certificate_is_not_trusted_fails_once_and_says_why(
    mesh: Mesh, tls_servers: dict[str, Any]
) -> None:
    stranger = make_authority("Some other CA")
    for port, tls in ((tls_servers["implicit"], "use_ssl"), (tls_servers["starttls"], "use_tls")):
        name = f"mail-{tls}"
        await _put_provider(mesh, name, {"port": port, tls: True, "ca_pem": stranger.ca_pem})
        result = await _send_test(mesh, name, "x@example.com")
        assert result["ok"] is False and "not trusted" in result["detail"], result
    assert tls_servers["inbox"].messages == []

    # A real page (the team is e-mailed at SEV2) is refused for good, not retried.
    rule = {"target": "team", "team_id": "SRE Core", "severity": "SEV2_HIGH", "channels": ["email"]}
    answer = await mesh.client.post("/api/v1/routing-rules/", headers=mesh.auth, json=rule)
    assert answer.status_code == 201, answer.text
    created = await mesh.client.post(
        "/api/v1/incidents/",
        headers=mesh.auth,
        json={"title": "Redis down", "service_name": "redis-prod", "severity": "SEV2_HIGH"},
    )
    ref = f"INC-{created.json()['short_id']}"

    async def failed_once() -> None:
        found = await mesh.client.get(f"/api/v1/incidents/{ref}/deliveries/", headers=mesh.auth)
        pages = found.json()["results"]
        assert len(pages) == 1, pages
        page = pages[0]
        assert (page["status"], page["attempts"]) == ("failed", 1), page
        assert "certificate is not trusted" in page["last_error"]

    await eventually(failed_once, timeout=15)
    assert tls_servers["inbox"].messages == []
