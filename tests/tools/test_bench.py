"""``make bench`` fails when a ratio to Alertmanager falls more than 20% below the recorded one."""

from __future__ import annotations

from pathlib import Path

import pytest

from imas_testing import load_script

pytestmark = pytest.mark.unit

bench = load_script(Path(__file__).resolve().parents[2] / "bench" / "__main__.py")


def test_a_ratio_more_than_a_fifth_below_the_recorded_one_is_a_regression():
    recorded = {"alertmanager_compare:storm/wrk": 0.30, "alertmanager_compare:new10/wrk": 0.10}
    measured = {"alertmanager_compare:storm/wrk": 0.23, "alertmanager_compare:new10/wrk": 0.081}

    (fallen,) = bench.regressions(recorded, measured)

    assert fallen.startswith("alertmanager_compare:storm/wrk: 0.230")
    assert "0.300" in fallen


def test_a_ratio_within_a_fifth_better_or_new_is_no_regression():
    recorded = {"a:storm/wrk": 0.30, "a:api/wrk": 0.5}
    measured = {"a:storm/wrk": 0.241, "a:new10/wrk": 0.01}

    assert bench.regressions(recorded, measured) == []
    assert bench.regressions(recorded, {"a:storm/wrk": 0.9}) == []


def test_ratios_are_read_from_a_result_by_benchmark():
    result = {"benchmark": "alertmanager_compare", "ratios": {"storm/wrk": 0.25}}

    assert bench.ratios_of(result) == {"alertmanager_compare:storm/wrk": 0.25}
    assert bench.ratios_of({"benchmark": "memory"}) == {}
