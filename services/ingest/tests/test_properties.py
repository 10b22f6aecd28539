"""No body, however odd, makes a parser fail other than with a typed 4xx (PayloadError)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imas_contracts.alert_payloads import PayloadError
from imas_contracts.ingest import SOURCES
from imas_ingest import domain
from imas_ingest.webhooks.sources import parse

pytestmark = pytest.mark.unit

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
# Bodies shaped like the real ones, so the fuzzing gets past the first field.
shaped = st.fixed_dictionaries(
    {},
    optional={
        "routing_key": st.text(max_size=40),
        "event_action": st.sampled_from(["trigger", "acknowledge", "resolve", "x"]),
        "dedup_key": st.text(max_size=300) | st.none(),
        "payload": st.dictionaries(
            st.sampled_from(["summary", "source", "severity", "timestamp", "custom_details"]),
            json_values,
        ),
        "alerts": st.lists(
            st.dictionaries(
                st.sampled_from(["status", "labels", "startsAt", "fingerprint", "title"]),
                json_values,
            ),
            max_size=3,
        ),
        "state": json_values,
        "title": json_values,
        "tags": json_values,
        "date": json_values,
        "alert_transition": json_values,
        "action": json_values,
        "data": st.dictionaries(
            st.sampled_from(["event", "metric_alert", "issue", "web_url"]), json_values
        ),
    },
)


def check(source: str, body: bytes) -> None:
    try:
        alerts = parse(source, body)
    except PayloadError as exc:
        field = exc.field
        assert field, "a refusal always names the field"
        return
    for alert in alerts:
        decision = domain.decide(alert, [], integration_service="", triage_service="triage")
        assert decision.service
        assert decision.severity.startswith("SEV")
        assert len(decision.dedup_key) <= 255


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SOURCES), st.binary(max_size=200))
def test_arbitrary_bytes(source: str, body: bytes) -> None:
    check(source, body)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SOURCES), json_values | shaped)
def test_arbitrary_json(source: str, value: object) -> None:
    check(source, json.dumps(value).encode())
