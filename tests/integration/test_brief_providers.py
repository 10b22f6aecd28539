"""The brief's own provider configurations ("Configuration des Providers de Notification"),
pasted as they are into ``/api/v1/notification-providers/``, page people for real: Slack and
OVH served by local servers implementing their APIs, e-mail by a real SMTP server (aiosmtpd)
that requires STARTTLS and a login, with a certificate from a throwaway CA.

Only where each vendor listens is added to the brief's JSON (the API's base URL, the SMTP
server's host and port, the CA that signed its certificate); everything else is verbatim."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from imas_runtime.embedded import free_port
from imas_testing import eventually
from imas_testing.fake_chat import Channel, FakeSlack
from imas_testing.fake_providers import FakeOvh
from imas_testing.throwaway_ca import make_authority
from tests.conftest import Mesh

pytestmark = pytest.mark.integration

# As the brief writes them.
BRIEF_SLACK = json.loads("""
{
  "bot_token": "xoxb-your-bot-token",
  "default_channel": "C0123456789"
}
""")
BRIEF_OVH = json.loads("""
{
  "application_key": "your-app-key",
  "application_secret": "your-app-secret",
  "consumer_key": "your-consumer-key",
  "service_name": "sms-xxxxx-1",
  "sender": "IMAS"
}
""")
BRIEF_SMTP = json.loads("""
{
  "host": "smtp.example.com",
  "port": 587,
  "username": "alerts@example.com",
  "password": "your-password",
  "use_tls": true
}
""")


class MailServer:
    """Messages received, each with whether its session was encrypted and who logged in."""

    def __init__(self) -> None:
        self.messages: list[tuple[Any, bool, str]] = []
        self.logins: list[tuple[str, str, bool]] = []

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.logins.append((login, password, encrypted))
        ok = (login, password) == (BRIEF_SMTP["username"], BRIEF_SMTP["password"])
        return AuthResult(success=ok, auth_data=data)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        login = session.auth_data.login.decode() if session.auth_data else ""
        self.messages.append((message_from_bytes(envelope.content), encrypted, login))
        return "250 OK"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[MailServer, int, str]]:
    """A submission server as port 587 usually is: STARTTLS required, then a login."""
    authority = make_authority("IMAS test CA")
    mail = MailServer()
    server = Controller(
        mail,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=authority.server_context(tmp_path),
        require_starttls=True,
        authenticator=mail.authenticate,
        auth_require_tls=True,
        auth_required=True,
    )
    server.start()
    try:
        yield mail, server.port, authority.ca_pem
    finally:
        server.stop()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(token=BRIEF_SLACK["bot_token"]) as server:
        server.channels["C0123456789"] = Channel(id="C0123456789", name="incidents")
        server.channels["C0SRE"] = Channel(id="C0SRE", name="sre-core")
        yield server  # type: ignore[misc]


@pytest.fixture
async def ovh() -> AsyncIterator[FakeOvh]:
    keys = (BRIEF_OVH[k] for k in ("application_key", "application_secret", "consumer_key"))
    async with FakeOvh(*keys) as server:
        yield server  # type: ignore[misc]


async def test_the_briefs_provider_examples_page_as_written(
    mesh: Mesh, slack: FakeSlack, ovh: FakeOvh, smtp: tuple[MailServer, int, str]
) -> None:
    mail, smtp_port, ca_pem = smtp
    providers = "/api/v1/notification-providers/"
    saved = await mesh.create(
        providers,
        {
            "name": "slack",
            "kind": "slack",
            "config": {**BRIEF_SLACK, "base_url": slack.url},
        },
    )
    # The secret the example writes beside the settings is sealed, never shown.
    assert saved["secrets"] == ["bot_token"] and "bot_token" not in saved["config"]
    assert saved["config"]["default_channel"] == "C0123456789"
    await mesh.create(
        providers,
        {"name": "ovh", "kind": "ovh", "config": {**BRIEF_OVH, "endpoint": f"{ovh.url}/1.0"}},
    )
    email = {**BRIEF_SMTP, "host": "127.0.0.1", "port": smtp_port, "ca_pem": ca_pem}
    saved = await mesh.create(providers, {"name": "mail", "kind": "smtp", "config": email})
    assert saved["secrets"] == ["password"]
    listed = await mesh.client.get(providers, headers=mesh.auth)
    assert "your-password" not in listed.text and "xoxb-your-bot-token" not in listed.text

    # The on-call person, paged by SMS at SEV1; Security's people by e-mail.
    await mesh.create(
        "/api/v1/people/",
        {"name": "Alice Martin", "email": "alice@example.com", "phone": "+33612345678"},
    )
    rule = {
        "target": "oncall",
        "severity": "SEV1_CRITICAL",
        "channels": ["sms"],
        "responder": "alice@example.com",
    }
    await mesh.create("/api/v1/routing-rules/", rule)
    incident = await mesh.create(
        "/api/v1/incidents/",
        {
            "title": "Redis Cluster Down",
            "service_name": "redis-prod",
            "severity": "SEV1_CRITICAL",
            "impacted_scopes": ["Security"],
        },
    )

    async def everyone_paged() -> None:
        assert any(incident["id"] in m["text"] for m in slack.channels["C0SRE"].messages.values())
        assert {tuple(b["receivers"]) for b in ovh.sent()} == {("+33612345678",)}
        assert ovh.sent()[0]["sender"] == "IMAS"
        received = {m["To"]: (encrypted, login) for m, encrypted, login in mail.messages}
        login = (True, "alerts@example.com")  # over STARTTLS, logged in as the brief says
        assert received == {"ciso@example.com": login, "security@example.com": login}

    await eventually(everyone_paged, timeout=60)
    assert all(m["From"] == "alerts@example.com" for m, _, _ in mail.messages)
    assert all(encrypted for _, _, encrypted in mail.logins)

    # A team without a channel of its own is paged on the default channel.
    await mesh.create(
        "/api/v1/incidents/",
        {"title": "Gateway 502s", "service_name": "api-gateway", "severity": "SEV2_HIGH"},
    )

    def in_default_channel() -> None:
        texts = [m["text"] for m in slack.channels["C0123456789"].messages.values()]
        assert any("Gateway 502s" in t for t in texts)

    await eventually(in_default_channel, timeout=60)
    tested = await mesh.client.post(f"{providers}slack/test/", headers=mesh.auth, json={})
    assert tested.json()["ok"] is True, tested.text
    assert len(slack.channels["C0123456789"].messages) == 2
