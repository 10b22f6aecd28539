"""Poison among good messages: the good ones still become incidents and pages within seconds.

The poison is what a buggy producer, an attacker with bus access or a tool sending odd bytes
can put in a stream: bytes that are not an event, an event that makes the handler fail, an
alert whose text PostgreSQL refuses. It is published between good alerts sent through the
webhook path, so it lands in the same batches as they do.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from imas_contracts import new_event_id
from imas_contracts.deadletter import DEADLETTER_STREAM, DeadLettered
from imas_contracts.incidents import IncidentSnapshot, IncidentTriggered, Ref
from imas_contracts.ingest import AlertReceived, raw_alert_subject
from imas_runtime.bus import encode
from imas_testing import eventually
from imas_testing.fake_providers import WebhookReceiver
from tests.conftest import Mesh

pytestmark = pytest.mark.integration


async def _webhook_url(mesh: Mesh) -> str:
    answer = await mesh.client.post(
        "/api/v1/integrations/",
        json={"name": f"custom-{uuid.uuid4().hex[:6]}", "type": "custom", "service": "redis-prod"},
        headers=mesh.auth,
    )
    assert answer.status_code == 201, answer.text
    token = answer.json()["webhook_url"].split("token=")[1]
    return f"/api/v1/webhooks/custom/?token={token}"


async def _incident_titles(mesh: Mesh) -> set[str]:
    found = await mesh.client.get("/api/v1/incidents/?page_size=500", headers=mesh.auth)
    assert found.status_code == 200
    return {i["title"] for i in found.json()["results"]}


async def _dead_letter_payloads(mesh: Mesh, consumer: str) -> list[bytes]:
    js = mesh.ingest.bus.js
    sub = await js.subscribe(f"deadletter.{consumer}", ordered_consumer=True)
    found: list[bytes] = []
    try:
        while True:
            msg = await sub.next_msg(timeout=0.5)
            found.append(msgspec.json.decode(msg.data, type=DeadLettered).payload)
    except Exception:
        pass
    finally:
        await sub.unsubscribe()
    return found


async def test_poison_among_webhook_alerts_holds_up_no_good_alert(mesh: Mesh) -> None:
    url = await _webhook_url(mesh)
    js = mesh.ingest.bus.js
    subject = raw_alert_subject("custom")
    wanted: set[str] = set()
    for n in range(60):
        title = f"Good alert {n} {uuid.uuid4().hex[:6]}"
        if n % 10 == 3:
            # Not an event at all.
            await js.publish(subject, b"\x00\xffnot an event")
        elif n % 10 == 6:
            # An event no code path expects: its integration id is not an id.
            bad = AlertReceived(
                event_id=new_event_id(),
                occurred_at=datetime.now(UTC),
                source="custom",
                integration_id="not-a-uuid",
                payload=msgspec.json.encode({"title": f"Poison {n}"}),
            )
            await js.publish(subject, encode(bad))
        elif n % 10 == 9:
            # Text PostgreSQL cannot store (U+0000): through the webhook, as a tool may send it.
            title = f"NUL\u0000alert {n} {uuid.uuid4().hex[:6]}"
            wanted.add(title.replace("\u0000", "\ufffd"))
            body: dict[str, Any] = {"title": title, "labels": {"x\u0000": "a\u0000b"}}
            answer = await mesh.client.post(url, json={**body, "dedup_key": uuid.uuid4().hex})
            assert answer.status_code == 202, answer.text
            continue
        wanted.add(title)
        answer = await mesh.client.post(url, json={"title": title, "dedup_key": uuid.uuid4().hex})
        assert answer.status_code == 202, answer.text

    async def all_became_incidents() -> None:
        assert wanted <= await _incident_titles(mesh)

    await eventually(all_became_incidents, timeout=30)

    async def unreadable_dead_lettered() -> None:
        payloads = await _dead_letter_payloads(mesh, "ingest--ALERTS")
        assert payloads.count(b"\x00\xffnot an event") >= 6

    await eventually(unreadable_dead_lettered, timeout=30)
    assert (await mesh.ingest.bus.js.stream_info(DEADLETTER_STREAM.name)).state.messages >= 6


def _triggered(title: str, incident_id: str | None = None) -> IncidentTriggered:
    now = datetime.now(UTC)
    snapshot = IncidentSnapshot(
        id=incident_id or str(uuid.uuid4()), short_id=uuid.uuid4().hex[:8].upper(), title=title,
        service=Ref(id="svc", name="storage"), severity="SEV4_LOW", status="TRIGGERED",
        detected_at=now, created_at=now,
    )  # fmt: skip
    return IncidentTriggered(event_id=new_event_id(), occurred_at=now, incident=snapshot)


async def test_poison_among_triggered_events_holds_up_no_page(mesh: Mesh) -> None:
    async with WebhookReceiver() as receiver:
        answer = await mesh.client.post(
            "/api/v1/notification-providers/",
            json={"name": "tickets", "kind": "webhook",
                  "config": {"url": f"{receiver.url}/in", "allow_loopback": True}},
            headers=mesh.auth,
        )  # fmt: skip
        assert answer.status_code < 300, answer.text
        js = mesh.notifier.bus.js
        titles = [f"Good incident {n} {uuid.uuid4().hex[:6]}" for n in range(30)]
        for n, title in enumerate(titles):
            await js.publish(IncidentTriggered.type_name(), encode(_triggered(title)))
            if n % 6 == 2:
                await js.publish(IncidentTriggered.type_name(), b'{"type": "nothing"}')
            if n % 6 == 4:  # decodes, but no store can take it
                poison = _triggered(f"Poison {n}", incident_id="not-a-uuid")
                await js.publish(IncidentTriggered.type_name(), encode(poison))

        async def every_good_one_paged() -> None:
            paged = {str(r.body) for r in receiver.requests}
            assert all(any(t in body for body in paged) for t in titles)

        await eventually(every_good_one_paged, timeout=30)
