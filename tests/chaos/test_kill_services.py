"""kill -9 each service in turn in the middle of a load, then restart it: nothing accepted is
lost, no incident is duplicated, every incident is paged once.

The full suite (``IMAS_CHAOS_SCALE=full``) kills one service per load of 1,000 alerts; the
bounded form kills three services at once per load (each service still dies once), to keep
``make test`` short.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.chaos.conftest import FULL, SCALE, SERVICES, ChaosMesh

pytestmark = pytest.mark.chaos

VICTIMS = (
    [(service,) for service in SERVICES]
    if FULL
    else [("incidents", "notifier", "warroom"), ("gateway", "ingest", "escalation")]
)


@pytest.mark.parametrize("victims", VICTIMS, ids="+".join)
async def test_killed_service_loses_no_accepted_alert_and_pages_each_incident_once(
    mesh: ChaosMesh, keys: list[str], victims: tuple[str, ...]
) -> None:
    async def crash_and_restart() -> None:
        await asyncio.sleep(SCALE.alerts_per_kill / SCALE.rate / 3)
        await asyncio.gather(*(mesh.restart(victim) for victim in victims))

    load = await mesh.load(keys, SCALE.alerts_per_kill, during=crash_and_restart())

    # The mesh took alerts before the crash and again once restarted, whoever the victim was.
    assert load.total_accepted >= SCALE.alerts_per_kill / 3, load
    await mesh.assert_nothing_lost(keys, load)
