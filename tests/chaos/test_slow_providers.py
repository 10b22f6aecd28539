"""Vendors that misbehave while alerts pour in: one that takes 20 s to answer each page, one
that answers 500 to the first attempt of each page and 200 to the next. Every page still
reaches the pager, and no more often than the notifier's README allows."""

from __future__ import annotations

import pytest

from tests.chaos.conftest import FULL, SCALE, ChaosMesh
from tests.chaos.pager import Behaviour
from tests.chaos.scenario import new_scenario
from tests.chaos.verdict import STEADY, UNDER_FAULT, check

pytestmark = pytest.mark.chaos

# Fewer alerts: the load is not the point here, the vendor is.
ALERTS = SCALE.alerts if FULL else 40


async def test_vendor_answering_in_20_s_gets_each_page_at_most_twice(mesh: ChaosMesh) -> None:
    scenario = await new_scenario(mesh, "slow-vendor", Behaviour(delay=20.0))
    sent = await scenario.send(ALERTS, rate=SCALE.rate)
    # Cut at NOTIFIER_SEND_TIMEOUT (10 s) twice, then given up: at most 2 copies. Every page
    # takes 20 s or more to settle, 64 at a time: a deadline of minutes, not a wait.
    outcome = await check(scenario, sent, duplicates=UNDER_FAULT, alerts=ALERTS, timeout=300)
    print(f"vendor answering in 20 s: {outcome}")


async def test_vendor_failing_once_then_answering_gets_each_page_once(mesh: ChaosMesh) -> None:
    scenario = await new_scenario(mesh, "flaky-vendor", Behaviour(refuse_first=1))
    sent = await scenario.send(ALERTS, rate=SCALE.rate)
    # The refused attempt is not a page (the pager does not count it); the retry is.
    outcome = await check(scenario, sent, duplicates=STEADY, alerts=ALERTS)
    refused = sum(a.refused for a in mesh.sink.arrivals if a.line == scenario.line_name)
    assert refused == outcome.pages, (refused, outcome)
    print(f"vendor answering 500 then 200: {outcome}, {refused} attempts refused")
