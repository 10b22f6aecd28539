"""kill -9 each service in the middle of a load through the API and Alertmanager webhooks,
then start it again: every accepted alert counted once on its one incident, every page at
the pager, at most one extra copy of a page the killed notifier had in flight, no step page
after an acknowledgement.

The full suite (``IMAS_CHAOS_SCALE=full``) kills one service per load of 1,000 alerts; the
bounded form kills three services at once per load of 120 (each service still dies once), to
keep ``make test`` short (all six at once took longer: six processes starting together on a
busy machine).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.chaos.conftest import FULL, SCALE, SERVICES, ChaosMesh
from tests.chaos.scenario import new_scenario
from tests.chaos.verdict import STEADY, UNDER_FAULT, check

pytestmark = pytest.mark.chaos

VICTIMS = (
    [(service,) for service in SERVICES]
    if FULL
    else [("incidents", "notifier", "warroom"), ("gateway", "ingest", "escalation")]
)


@pytest.mark.parametrize("victims", VICTIMS, ids="+".join)
async def test_killed_service_loses_no_alert_and_pages_each_incident(
    mesh: ChaosMesh, victims: tuple[str, ...]
) -> None:
    scenario = await new_scenario(mesh, "kill-" + "-".join(victims))

    async def crash_and_restart() -> float:
        await asyncio.sleep(SCALE.alerts / SCALE.rate / 3)
        killed = time.monotonic()
        await asyncio.gather(*(mesh.restart(victim) for victim in victims))
        return time.monotonic() - killed

    sent = await scenario.send(SCALE.alerts, rate=SCALE.rate, during=crash_and_restart())

    # The mesh took alerts before the crash and again once restarted, whoever the victim was.
    assert sent.total_accepted >= SCALE.alerts / 3, sent
    # A page in flight when the notifier died is sent again once its lease lapses.
    outcome = await check(
        scenario, sent, duplicates=UNDER_FAULT if "notifier" in victims else STEADY
    )
    print(f"kill -9 {'+'.join(victims)}: {outcome}")
