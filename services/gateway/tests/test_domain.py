from __future__ import annotations

import pytest

from imas_gateway.domain import hash_token, parse_incident_create, token_from_header
from imas_runtime.errors import Invalid

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Token abc123", "abc123"),
        ("Bearer abc123", "abc123"),
        ("token   abc123 ", "abc123"),
        ("Basic abc123", None),
        ("Token", None),
        ("", None),
        (None, None),
    ],
)
def test_token_is_read_from_token_or_bearer_header(header: str | None, token: str | None) -> None:
    assert token_from_header(header) == token


def test_token_hash_is_stable_and_hides_the_token() -> None:
    assert hash_token("secret") == hash_token("secret")
    assert "secret" not in hash_token("secret")


def test_brief_body_is_accepted() -> None:
    body = (
        b'{"title": "Redis Cluster Down", "service_name": "redis-prod",'
        b' "severity": "SEV1_CRITICAL", "detected_at": "2026-02-05T18:30:00Z"}'
    )
    payload = parse_incident_create(body)
    assert payload.title == "Redis Cluster Down"
    assert payload.detected_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"service_name": "x", "severity": "SEV1_CRITICAL"}', "title"),
        (b'{"title": 3, "service_name": "x", "severity": "SEV1_CRITICAL"}', "title"),
        (b'{"title": "t", "service_name": "x", "severity": "LOUD"}', "severity"),
        (b'{"title": "t", "service_name": "", "severity": "SEV2_HIGH"}', "service_name"),
        (b'{"title": "t", "service_name": "x", "severity": "SEV2_HIGH", "tags": "a"}', "tags"),
        (b"[1, 2]", "body"),
        (b"not json", "body"),
    ],
)
def test_bad_body_names_the_field(body: bytes, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_incident_create(body)
    assert [e.field for e in refused.value.errors] == [field]


def test_several_problems_are_reported_together() -> None:
    with pytest.raises(Invalid) as refused:
        parse_incident_create(b'{"title": " ", "service_name": " ", "severity": "SEV2_HIGH"}')
    assert [e.field for e in refused.value.errors] == ["title", "service_name"]


def test_pagination_links_keep_the_filters() -> None:
    from imas_gateway.http.parsing import page_links

    url = "http://imas/api/v1/incidents/?status=TRIGGERED&page=2&page_size=10"
    following, preceding = page_links(url, 2, 10, 35)
    assert following == "http://imas/api/v1/incidents/?status=TRIGGERED&page_size=10&page=3"
    assert preceding == "http://imas/api/v1/incidents/?status=TRIGGERED&page_size=10&page=1"
    assert page_links(url, 4, 10, 35)[0] is None


def test_metrics_window_is_a_length_or_from_and_to() -> None:
    from datetime import UTC, datetime, timedelta

    from imas_gateway.http.parsing import metrics_window

    now = datetime(2026, 3, 9, tzinfo=UTC)
    assert metrics_window({"window": "7d"}, now) == (now - timedelta(days=7), now)
    assert metrics_window({}, now) == (now - timedelta(days=30), now)
    assert metrics_window({"from": "2026-03-01", "to": "2026-03-02"}, now) == (
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    )
    with pytest.raises(Invalid):
        metrics_window({"window": "0d"}, now)
