"""What the audit log keeps of bodies and query strings: no secret, whatever its place."""

from __future__ import annotations

import pytest

from imas_gateway.redaction import REDACTED, TOO_DEEP, redact, redact_query, redact_url, storable

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            "https://imas.example/api/v1/webhooks/alertmanager/?token=abc",
            "https://imas.example/api/v1/webhooks/alertmanager/?token=[redacted]",
        ),
        ("https://user:pw@smtp.example:587/x", "https://[redacted]@smtp.example:587/x"),
        ("https://hooks.slack.com/services/T0/B0/XYZ", "https://hooks.slack.com/[redacted]"),
        ("https://discord.com/api/webhooks/1/tok", "https://discord.com/[redacted]"),
        (
            "https://acme.webhook.office.com/webhookb2/x",
            "https://acme.webhook.office.com/[redacted]",
        ),
        (
            "https://grafana.example/d/abc?orgId=1#panel",
            "https://grafana.example/d/abc?orgId=[redacted]",
        ),
        ("https://docs.example/runbook", "https://docs.example/runbook"),
    ],
)
def test_urls_keep_where_they_point_and_lose_their_credentials(url: str, kept: str) -> None:
    assert redact_url(url) == kept


def test_fields_named_like_credentials_are_redacted_at_any_depth() -> None:
    value = {"a": [{"b": {"password": "p", "apiKey": "k", "ok": "fine"}}], "Client_Secret": "s"}
    assert redact(value) == {
        "a": [{"b": {"password": REDACTED, "apiKey": REDACTED, "ok": "fine"}}],
        "Client_Secret": REDACTED,
    }


def test_tokens_in_free_text_are_redacted() -> None:
    text = "use imas_" + "A" * 43 + " or xoxb-1234567890-abc, see https://x.io/?k=v"
    assert redact({"note": text}) == {
        "note": f"use {REDACTED} or {REDACTED}, see https://x.io/?k={REDACTED}"
    }


def test_any_value_comes_out_storable_and_bounded() -> None:
    deep: object = 1
    for _ in range(5000):
        deep = {"a": deep}
    cut = redact(deep)
    for _ in range(101):
        cut = cut["a"]  # type: ignore[index]
    assert cut == TOO_DEEP
    assert redact({"n": float("inf"), "t": "a\x00b\ud800"}) == {"n": "inf", "t": "a\ufffdb\ufffd"}
    assert storable("plain?") == "plain?"


def test_query_strings_keep_their_filters_and_lose_their_secrets() -> None:
    assert redact_query(b"token=abc&page=2&q=disk") == "token=[redacted]&page=2&q=disk"
    assert redact_query(b"next=https://x.io/%3Fsig%3D1") == "next=https://x.io/?sig=[redacted]"
