"""Kept-alive lanes to a provider after sends were cut: a vendor that was slow for a while must
not make later pages to it fail."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from imas_notifier.providers.http_pool import LanePool
from imas_runtime import outbound
from imas_testing.fake_providers import WebhookReceiver

pytestmark = pytest.mark.integration

CUT = 0.5  # the sender's deadline and the call's total time: equal, as by default (10 s)
PATIENT = 60.0
SENDERS = 30


class SlowThenFast(WebhookReceiver):
    """``/slow`` answers long after any deadline, ``/fast`` at once."""

    async def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
        if path == "/slow":
            await asyncio.sleep(3 * CUT)
        return 200, {"ok": True}


async def test_pages_after_cut_sends_to_a_slow_vendor_are_answered() -> None:
    guard = outbound.Guard.from_setting("127.0.0.0/8")
    lanes = LanePool(guard)
    async with SlowThenFast() as vendor:
        # One pool of lanes, as the notifier keeps per provider: the cut sends leave their
        # lanes in it. The later sends get a deadline no loaded machine reaches, so that only
        # a lane left broken can fail them.
        cutting = outbound.client(guard, total=CUT, transport_=lanes)
        patient = outbound.client(guard, total=PATIENT, transport_=lanes)

        async def send(client: httpx.AsyncClient, path: str, deadline: float) -> int:
            """As the notifier sends: the page's deadline around the bounded call."""
            async with asyncio.timeout(deadline):
                return (await client.post(f"{vendor.url}{path}", json={})).status_code

        try:
            cut = await asyncio.gather(
                *(send(cutting, "/slow", CUT) for _ in range(SENDERS)), return_exceptions=True
            )
            assert all(isinstance(e, TimeoutError | httpx.TimeoutException) for e in cut), cut
            # As many senders at once as there were: each takes one of the lanes kept.
            later = await asyncio.gather(
                *(send(patient, "/fast", PATIENT) for _ in range(SENDERS)),
                return_exceptions=True,
            )
            assert later == [200] * SENDERS, [repr(r) for r in later if r != 200]
        finally:
            await patient.aclose()  # closes the shared lanes
