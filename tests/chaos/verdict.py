"""What a user would check after a fault, counted at the pager rather than in IMAS's ledger.

:func:`check` waits until the pager has every page it should and IMAS has nothing left to
send, then asserts:

- every alert answered 2xx is exactly one count on exactly one incident;
- every incident's pages reach the pager at least once (each step of an unacknowledged one,
  the page at trigger and the acknowledgement's follow-up of an acknowledged one);
- no page reaches the pager more than ``1 + duplicates`` times: the notifier's README states
  at most 2 copies of a page at a receiver that accepts it (1 in steady state, 2 with a vendor
  answering after the deadline or across a notifier killed in mid-send), so ``duplicates`` is
  :data:`STEADY` or :data:`UNDER_FAULT`;
- no escalation step due after its incident's acknowledgement committed pages.

The last one holds while incidents can say whether an incident is still unacknowledged: a
step due while incidents is away waits for it up to ``ESCALATION_STATE_CHECK_PATIENCE``
(:data:`tests.chaos.conftest.PATIENCE`), then pages unconfirmed (escalation's README, "Order
and races"). So when the fault kept a part away that long (``Sent.outage``), a step page after
an acknowledgement is allowed if, and only if, escalation recorded it as unconfirmed; with a
shorter outage no step pages unconfirmed at all.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from imas_testing import eventually
from tests.chaos.conftest import PATIENCE
from tests.chaos.pager import FOLLOW_UP, PAGE, Arrival
from tests.chaos.scenario import STEP_SECONDS, Scenario, Sent

# Extra copies of one page the pager may get (services/notifier/README.md, "the copy bound").
STEADY = 0
UNDER_FAULT = 1


@dataclass
class Outcome:
    """What reached the pager, for the reliability table."""

    alerts: int
    accepted: int
    unknown: int
    incidents: int
    acknowledged: int
    pages: int  # distinct pages (and follow-ups) received
    copies: int  # requests the pager took for them
    max_copies: int
    intake_gap: float  # the longest time without a 2xx answer during the load (seconds)
    page_delay: float  # the longest time from an incident's creation to its first page
    settled_after: float  # seconds from the end of the load until every check held
    outage: float  # seconds the fault kept a part away
    unconfirmed: int  # step pages escalation sent without incidents confirming the state

    @property
    def duplicates(self) -> int:
        return self.copies - self.pages


# What is still on its way, per service (IMAS's own state, read only to know when to count).
_ON_ITS_WAY = {
    "escalation timers still pending": (
        "escalation",
        "SELECT count(*) AS n FROM timers t JOIN runs r ON r.id = t.run_id"
        " WHERE r.incident_id = ANY($1::uuid[]) AND t.status = 'pending'",
    ),
    "pages still to send": (
        "notifier",
        "SELECT count(*) AS n FROM deliveries"
        " WHERE incident_id = ANY($1::uuid[]) AND status IN ('pending', 'sending')",
    ),
}


async def _quiet(scenario: Scenario, ids: list[str]) -> None:
    """Nothing more will page: no step of these incidents is still to fire, no page still
    to send."""
    for what, (service, sql) in _ON_ITS_WAY.items():
        n = (await scenario.mesh.fetch(service, sql, ids))[0]["n"]
        assert n == 0, f"{n} {what}"


async def check(
    scenario: Scenario, sent: Sent, *, duplicates: int, timeout: float = 90.0, alerts: int = 0
) -> Outcome:
    """Wait until the pager has every page it should and IMAS has nothing left to send,
    then assert the four properties (module docstring). ``duplicates``: extra copies of
    one page the pager may see (the notifier's stated bound for the fault)."""
    started = time.monotonic()
    sent.add(scenario.before)

    async def settled() -> tuple[dict[str, list[Any]], list[Arrival]]:
        found = await scenario.incidents()
        twins = {k: len(v) for k, v in found.items() if len(v) > 1}
        assert twins == {}, f"more than one incident for a dedup key: {twins}"
        counted = {k: v[0]["alert_count"] for k, v in found.items()}
        lost = {
            k: (n, counted.get(k, 0)) for k, n in sent.accepted.items() if counted.get(k, 0) < n
        }
        assert lost == {}, f"accepted alerts not counted (accepted, counted): {lost}"
        extra = {
            k: (sent.accepted[k], sent.unknown[k], n)
            for k, n in counted.items()
            if n > sent.accepted[k] + sent.unknown[k]
        }
        assert extra == {}, f"counted more than was sent (accepted, unknown, counted): {extra}"
        ids = [v[0]["id"] for v in found.values()]
        await _quiet(scenario, ids)
        arrivals = scenario.mesh.sink.received(set(ids))
        missing = _missing_pages(found, arrivals, sent)
        if missing:
            ledger = await scenario.mesh.fetch(
                "notifier",
                "SELECT incident_id::text, idempotency_key, status, attempts, unanswered,"
                " last_error, provider FROM deliveries WHERE incident_id = ANY($1::uuid[])",
                list(missing),
            )
            tried = [a for a in scenario.mesh.sink.arrivals if a.incident_id in missing]
            raise AssertionError(
                f"pages that never reached the pager: {missing}; what the notifier's ledger"
                f" says of them: {[tuple(r) for r in ledger]}; what the pager got of them,"
                f" refused copies included: {tried}"
            )
        return found, arrivals

    found, arrivals = await eventually(settled, timeout=timeout, interval=0.5)
    settled_after = time.monotonic() - started
    copies = Counter(a.key for a in arrivals)
    too_many = {k: n for k, n in copies.items() if n > 1 + duplicates}
    assert too_many == {}, f"pages received more than {1 + duplicates} times: {too_many}"
    unconfirmed = await _unconfirmed_steps(scenario, [v[0]["id"] for v in found.values()])
    if sent.outage < PATIENCE:
        assert unconfirmed == set(), (
            f"steps paged unconfirmed although the fault lasted only {sent.outage:.1f}s"
            f" (patience {PATIENCE:g}s): {sorted(unconfirmed)}"
        )
    late = [
        (incident, step, after)
        for incident, step, after in _paged_after_ack(found, arrivals, sent)
        if (incident, step) not in unconfirmed
    ]
    assert late == [], f"steps due after the acknowledgement committed paged: {late}"
    return Outcome(
        alerts=alerts,
        accepted=sent.total_accepted,
        unknown=sum(sent.unknown.values()),
        incidents=len(found),
        acknowledged=len(sent.acked),
        pages=len(copies),
        copies=sum(copies.values()),
        max_copies=max(copies.values(), default=0),
        intake_gap=round(sent.intake_gap, 1),
        page_delay=round(_page_delay(found, arrivals), 1),
        settled_after=round(settled_after, 1),
        outage=round(sent.outage, 1),
        unconfirmed=len(unconfirmed),
    )


async def _unconfirmed_steps(scenario: Scenario, ids: list[str]) -> set[tuple[str, int]]:
    """(incident, step) of every step escalation paged without incidents confirming that the
    incident was still unacknowledged (its history says ``paged unconfirmed``)."""
    rows = await scenario.mesh.fetch(
        "escalation",
        "SELECT r.incident_id::text AS incident_id, t.step FROM timers t"
        " JOIN runs r ON r.id = t.run_id"
        " WHERE r.incident_id = ANY($1::uuid[]) AND t.result LIKE '% unconfirmed'",
        ids,
    )
    return {(r["incident_id"], r["step"]) for r in rows}


def _missing_pages(
    found: dict[str, list[Any]], arrivals: list[Arrival], sent: Sent
) -> dict[str, list[str]]:
    """incident id → what it should have paged and the pager never got."""
    got: dict[str, set[str]] = {}
    for a in arrivals:
        step = a.step
        what = "follow-up" if a.kind == FOLLOW_UP else "trigger" if step is None else f"step{step}"
        got.setdefault(a.incident_id, set()).add(what)
    missing: dict[str, list[str]] = {}
    for rows in found.values():
        incident = rows[0]["id"]
        acked = incident in sent.acked
        wanted = (
            {"trigger", "follow-up"} if acked else {f"step{s}" for s in range(len(STEP_SECONDS))}
        )
        wanted.add("trigger")
        lacking = sorted(wanted - got.get(incident, set()))
        if lacking:
            missing[incident] = lacking
    return missing


def _page_delay(found: dict[str, list[Any]], arrivals: list[Arrival]) -> float:
    """The longest time from an incident's creation to the first page the pager got of it."""
    first: dict[str, float] = {}
    for a in arrivals:
        if a.kind == PAGE and a.step is None:
            first[a.incident_id] = min(a.at, first.get(a.incident_id, a.at))
    created = {rows[0]["id"]: rows[0]["created_at"].timestamp() for rows in found.values()}
    return max((at - created[i] for i, at in first.items() if i in created), default=0.0)


def _paged_after_ack(
    found: dict[str, list[Any]], arrivals: list[Arrival], sent: Sent
) -> list[tuple[str, int, float]]:
    """(incident, step, seconds the step fell due after the acknowledgement committed) for
    every step page of an acknowledged incident whose step was due only after the commit."""
    created = {rows[0]["id"]: rows[0]["created_at"] for rows in found.values()}
    late = []
    for a in arrivals:
        step = a.step
        acked_at = sent.acked.get(a.incident_id)
        if a.kind != PAGE or step is None or acked_at is None:
            continue
        due = created[a.incident_id] + timedelta(seconds=STEP_SECONDS[step])
        if due > acked_at:
            late.append((a.incident_id, step, round((due - acked_at).total_seconds(), 3)))
    return sorted(set(late))
