"""One test's own corner of the mesh and the load it sends through both doors.

A :class:`Scenario` is a team, its service and an Alertmanager integration, created over the
public API as an operator would, with a routing rule paging the team through the ``webhook``
provider (the pager sink) and an escalation policy of short steps over the same webhook. Every
page of its incidents reaches the sink; nothing else of the mesh does.

:meth:`Scenario.send` posts alerts at a steady rate, alternately through
``POST /api/v1/incidents/`` and as Alertmanager webhooks with the integration's token (as
Prometheus does), and acknowledges some incidents while the load runs;
:func:`tests.chaos.verdict.check` then counts what reached the pager.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import httpx

from imas_testing import eventually
from tests.chaos.pager import Behaviour

if TYPE_CHECKING:
    from tests.chaos.conftest import ChaosMesh

# Seconds after an incident's creation each step of the scenario's policy is due.
STEP_SECONDS = (1.0, 3.0, 5.0)
# When acknowledged incidents are acknowledged, after their creation: at once, or between two
# steps, a second before the next falls due. Escalation hears of an acknowledgement in
# milliseconds when all is well; one it hears of a second late shows as a step page.
ACK_AFTER = (0.2, 2.0, 4.0)
KEYS = 10  # dedup keys per door: most alerts are duplicates of an open incident
ACK_EVERY = 3  # every third API key's incident is acknowledged


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass
class Sent:
    """What one load sent and how each request was answered."""

    accepted: Counter[str] = field(default_factory=Counter)  # dedup key → 2xx answers
    # dedup key → requests whose fate the client cannot know: a 5xx or a broken connection
    # may come after the alert was committed (the answer was lost, not the alert).
    unknown: Counter[str] = field(default_factory=Counter)
    refused: Counter[int] = field(default_factory=Counter)  # status → count
    created: dict[str, datetime] = field(default_factory=dict)  # incident id → created_at
    # incident id → when the acknowledgement's answer came back (it had committed by then)
    acked: dict[str, datetime] = field(default_factory=dict)
    answered: list[float] = field(default_factory=list)  # time.monotonic() of each 2xx
    # How long the fault kept a part away (seconds, from the kill until it was back), as the
    # fault measured it: 0 without one.
    outage: float = 0.0

    @property
    def intake_gap(self) -> float:
        """The longest time between two 2xx answers: how long monitoring was refused."""
        times = sorted(self.answered)
        return max((b - a for a, b in pairwise(times)), default=0.0)

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())

    def add(self, other: Sent) -> None:
        self.accepted.update(other.accepted)
        self.unknown.update(other.unknown)
        self.refused.update(other.refused)
        self.created.update(other.created)
        self.acked.update(other.acked)


@dataclass
class Scenario:
    mesh: ChaosMesh
    service: str
    team_id: str
    token: str  # the Alertmanager integration's
    line: str  # the URL the team is paged at, on the pager
    # The canaries: one alert through each door before the load, to know the path pages.
    before: Sent = field(default_factory=Sent)

    @property
    def line_name(self) -> str:
        return self.line.rsplit("/", 1)[-1]

    def _gateway(self, i: int) -> str:
        gateways = self.mesh.gateways
        return gateways[(i // 2) % len(gateways)]

    def alertmanager_group(self, fingerprint: str) -> dict[str, Any]:
        """One firing alert as Alertmanager's webhook receiver posts it."""
        labels = {"alertname": "CheckoutErrors", "job": self.service, "severity": "high"}
        return {
            "version": "4",
            "groupKey": f'{{}}:{{alertname="CheckoutErrors",fp="{fingerprint}"}}',
            "status": "firing",
            "receiver": "imas",
            "groupLabels": {"alertname": "CheckoutErrors"},
            "commonLabels": labels,
            "commonAnnotations": {"summary": f"{self.service} errors"},
            "externalURL": "http://alertmanager:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": labels,
                    "annotations": {"summary": f"{self.service} errors"},
                    "startsAt": "2026-12-01T10:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "fingerprint": fingerprint,
                }
            ],
        }

    async def send(
        self,
        count: int,
        *,
        rate: float,
        during: Coroutine[Any, Any, float | None] | None = None,
        keys: int = KEYS,
        ack_every: int = ACK_EVERY,
    ) -> Sent:
        """POST ``count`` alerts at ``rate``/s, even ones through the API, odd ones as webhooks
        (open loop: a request starts on schedule whatever the previous answers), over ``keys``
        dedup keys per door, acknowledging the incident of every ``ack_every``-th API key (none
        when 0). ``during``, a coroutine (a fault, answering how long the part it broke was
        away), runs meanwhile; the last third is sent once it is done, so some load always
        reaches the mesh once it is whole again, however long the fault took."""
        sent = Sent()
        acks: dict[str, asyncio.Task[None]] = {}
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100)
        async with httpx.AsyncClient(headers=self.mesh.auth, timeout=30, limits=limits) as client:

            async def one(i: int) -> None:
                gateway = self._gateway(i)
                door = "api" if i % 2 == 0 else "am"
                index = (i // 2) % keys
                key = f"{door}-{index}"
                try:
                    if door == "api":
                        response = await client.post(
                            f"{gateway}/api/v1/incidents/",
                            json={
                                "title": f"Checkout errors {key}",
                                "service_name": self.service,
                                "severity": "SEV2_HIGH",
                                "dedup_key": key,
                            },
                        )
                    else:
                        response = await client.post(
                            f"{gateway}/api/v1/webhooks/alertmanager/",
                            params={"token": self.token},
                            json=self.alertmanager_group(key),
                        )
                except httpx.HTTPError:
                    sent.unknown[key] += 1
                    return
                if response.status_code >= 300:
                    assert response.status_code >= 500, response.text
                    sent.refused[response.status_code] += 1
                    sent.unknown[key] += 1
                    return
                sent.accepted[key] += 1
                sent.answered.append(time.monotonic())
                if door == "api":
                    incident = response.json()
                    sent.created[incident["id"]] = _when(incident["created_at"])
                    if ack_every and index % ack_every == 0 and incident["id"] not in acks:
                        after = ACK_AFTER[(index // ack_every) % len(ACK_AFTER)]
                        due = _when(incident["created_at"]) + timedelta(seconds=after)
                        acks[incident["id"]] = asyncio.create_task(
                            self._acknowledge(client, gateway, incident["id"], due, sent)
                        )

            side = asyncio.create_task(during) if during is not None else None
            tasks: list[asyncio.Task[None]] = []
            tail = count - count // 3 if side is not None else count
            try:
                begin = time.perf_counter()
                for i in range(count):
                    if i == tail and side is not None:
                        sent.outage = await side or 0.0
                        begin = time.perf_counter() - i / rate
                    delay = begin + i / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(one(i)))
                await asyncio.gather(*tasks)
                if side is not None:
                    sent.outage = await side or 0.0
                await asyncio.gather(*acks.values())
            finally:  # a fault that failed: nothing outlives the client
                for task in [*tasks, *acks.values(), *([side] if side else [])]:
                    task.cancel()
        return sent

    async def acknowledge(self, incident_id: str, sent: Sent) -> None:
        """Acknowledge now, as a responder would (recorded in ``sent``)."""
        async with httpx.AsyncClient(headers=self.mesh.auth, timeout=30) as client:
            await self._acknowledge(client, self.mesh.gateway, incident_id, datetime.now(UTC), sent)

    async def _acknowledge(
        self, client: httpx.AsyncClient, gateway: str, incident_id: str, at: datetime, sent: Sent
    ) -> None:
        """Acknowledge at ``at`` (retrying while the mesh is broken) and record when the
        acknowledgement committed."""
        wait = (at - datetime.now(at.tzinfo)).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait)

        async def acknowledged() -> None:
            try:
                answer = await client.post(
                    f"{gateway}/api/v1/incidents/{incident_id}/acknowledge/",
                    json={"note": "on it"},
                )
                if answer.status_code == 409:  # our earlier attempt committed, its answer lost
                    answer = await client.get(f"{gateway}/api/v1/incidents/{incident_id}/")
            except httpx.HTTPError as exc:
                raise AssertionError(f"acknowledge: {exc!r}") from exc
            assert answer.status_code == 200, answer.text
            assert answer.json()["acknowledged_at"], answer.text
            # Committed by now: a step due later must not page. (``acknowledged_at`` is
            # stamped before the commit; a step due between the two may still page.)
            sent.acked[incident_id] = datetime.now(UTC)

        await eventually(acknowledged, timeout=120, interval=0.5)

    async def canaries(self) -> None:
        """One alert through each door, then wait until both incidents paged the pager: the
        scenario's configuration reached every service."""
        self.before = await self.send(2, rate=10.0, ack_every=0)
        assert self.before.total_accepted == 2, self.before

        ids = set(self.before.created)

        async def both_paged() -> None:
            ids.update(r[0]["id"] for r in (await self.incidents()).values())
            arrivals = self.mesh.sink.received(ids)
            assert len({a.incident_id for a in arrivals}) == 2, arrivals
            # At the team's own line: the notifier knows the team's address.
            assert {a.line for a in arrivals} == {self.line_name}, arrivals

        await eventually(both_paged, timeout=60, interval=0.1)

    async def incidents(self) -> dict[str, list[Any]]:
        """dedup key → the scenario's incidents for it."""
        rows = await self.mesh.fetch(
            "incidents",
            "SELECT id::text AS id, dedup_key, alert_count, status, created_at FROM incidents"
            " WHERE service_name = $1",
            self.service,
        )
        found: dict[str, list[Any]] = {}
        for row in rows:
            found.setdefault(row["dedup_key"], []).append(row)
        return found


async def new_scenario(mesh: ChaosMesh, label: str, behaviour: Behaviour | None = None) -> Scenario:
    """A team, service, integration, routing rule and escalation policy of the test's own,
    made through the API, its pager line answering with ``behaviour``; returns once a first
    alert through each door has paged the pager."""
    suffix = f"{label[:24]}-{uuid.uuid4().hex[:6]}".lower().replace("_", "-")
    service = f"chaos-{suffix}"
    line = mesh.sink.line(suffix)
    if behaviour is not None:
        mesh.sink.behave(line, behaviour)
    async with httpx.AsyncClient(base_url=mesh.gateway, headers=mesh.auth, timeout=30) as client:

        async def created(path: str, body: dict[str, Any]) -> dict[str, Any]:
            answer = await client.post(path, json=body)
            assert answer.status_code == 201, (path, answer.text)
            result: dict[str, Any] = answer.json()
            return result

        team = await created(
            "/api/v1/teams/",
            # The webhook provider posts a team's pages to its address: the pager line.
            {"name": f"Chaos {suffix}", "slug": suffix, "chat_channel": line},
        )
        await created("/api/v1/services/", {"name": service, "team": team["name"]})
        await created(
            "/api/v1/routing-rules/",
            {"target": "team", "team_id": team["id"], "channels": ["webhook"]},
        )
        steps = [
            {"delay_minutes": s / 60, "targets": [{"kind": "team"}], "channels": ["webhook"]}
            for s in STEP_SECONDS
        ]
        await created(
            "/api/v1/escalation-policies/",
            {"team_id": team["id"], "name": "Every few seconds", "steps": steps},
        )
        integration = await created(
            "/api/v1/integrations/",
            {"name": f"prometheus-{suffix}", "type": "alertmanager", "service": service},
        )
    scenario = Scenario(
        mesh=mesh,
        service=service,
        team_id=team["id"],
        token=integration["webhook_url"].split("token=")[1],
        line=line,
    )
    await scenario.canaries()
    return scenario
