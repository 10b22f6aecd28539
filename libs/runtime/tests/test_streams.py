"""Stream provisioning on a real nats-server: streams are created as declared, ALERTS as a
bounded work queue, and what an operator changed is kept (with a warning), never reverted."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from nats.js.api import DiscardPolicy, RetentionPolicy, StreamConfig

from imas_contracts import STREAMS
from imas_contracts.deadletter import DEADLETTER_STREAM
from imas_contracts.incidents import INCIDENTS_STREAM
from imas_contracts.ingest import ALERTS_STREAM
from imas_runtime.bus import Bus, NotStored
from imas_runtime.embedded import EmbeddedNats
from imas_runtime.streams import Drift, covers, sized
from imas_testing import small_store

pytestmark = pytest.mark.integration

DAY = 24 * 3600.0


@pytest.fixture
async def bus(fresh_nats_url: str) -> AsyncIterator[Bus]:
    bus = Bus("test", fresh_nats_url)
    await bus.connect()
    yield bus
    await bus.close()


async def config(bus: Bus, name: str) -> StreamConfig:
    return (await bus.js.stream_info(name)).config


async def edit(bus: Bus, name: str, **changes: object) -> None:
    """What an operator does with ``nats stream edit``."""
    await bus.js.update_stream(dataclasses.replace(await config(bus, name), **changes))


async def test_alerts_is_a_work_queue_that_refuses_payloads_once_full(bus: Bus) -> None:
    assert await bus.provision(sized(STREAMS, alerts_max_bytes=4096)) == []
    alerts = await config(bus, "ALERTS")
    assert alerts.retention == RetentionPolicy.WORK_QUEUE
    assert alerts.discard == DiscardPolicy.NEW
    assert alerts.max_bytes == 4096
    incidents = await config(bus, "INCIDENTS")
    assert incidents.retention == RetentionPolicy.LIMITS
    assert incidents.max_bytes == -1

    from imas_contracts import new_event_id, utcnow
    from imas_contracts.ingest import AlertReceived, raw_alert_subject

    def payload() -> AlertReceived:
        return AlertReceived(
            event_id=new_event_id(), occurred_at=utcnow(), source="custom", payload=b"x" * 1000
        )

    with pytest.raises(NotStored) as refused:
        for _ in range(10):
            await bus.publish(payload(), subject=raw_alert_subject("custom"))
    assert refused.value.code == "unavailable"
    assert refused.value.retry_after == 5
    assert "full" in refused.value.message


async def test_settings_an_operator_changed_are_kept_and_named(bus: Bus) -> None:
    await bus.provision(STREAMS)
    await edit(bus, "ALERTS", max_bytes=2 * 1024**3)
    await edit(bus, "INCIDENTS", max_age=30 * DAY, subjects=["incidents.>"])

    kept = sorted(await bus.provision(STREAMS), key=str)

    assert kept == [
        Drift("ALERTS", "max_bytes", 2 * 1024**3, 1024**3),
        Drift("INCIDENTS", "max_age", 30 * DAY, 14 * DAY),
    ]
    assert "max_bytes is 2147483648 on the server, IMAS declares 1073741824" in str(kept[0])
    assert (await config(bus, "ALERTS")).max_bytes == 2 * 1024**3
    incidents = await config(bus, "INCIDENTS")
    assert incidents.max_age == 30 * DAY
    # Subjects are only added, and only those the operator's wildcard does not take already.
    assert incidents.subjects == ["incidents.>"]
    assert all(covers("incidents.>", s) for s in INCIDENTS_STREAM.subjects)


async def test_a_changed_declaration_applies_where_the_server_holds_the_previous_one(
    bus: Bus,
) -> None:
    await bus.provision([DEADLETTER_STREAM])
    longer = msgspec.structs.replace(
        DEADLETTER_STREAM,
        max_age_seconds=60 * DAY,
        subjects=(*DEADLETTER_STREAM.subjects, "deadletter2.>"),
    )
    assert await bus.provision([longer]) == []
    deadletter = await config(bus, "DEADLETTER")
    assert deadletter.max_age == 60 * DAY
    assert deadletter.subjects is not None and "deadletter2.>" in deadletter.subjects
    assert await bus.provision([longer]) == []


async def test_an_alerts_stream_of_the_previous_version_is_left_as_it_is(bus: Bus) -> None:
    """NATS cannot turn a stream into a work queue in place: the stream created by the version
    that kept seven days of payloads stays as it is (a byte limit that refuses new payloads on
    a stream that never removes handled ones would refuse every alert once full)."""
    previous = StreamConfig(
        name="ALERTS",
        subjects=["alerts.raw.>"],
        max_age=7 * DAY,
        duplicate_window=120,
        num_replicas=1,
    )
    await bus.js.add_stream(previous)
    # Streams whose retention does not change just start recording their declaration.
    await bus.js.add_stream(
        StreamConfig(
            name="INCIDENTS",
            subjects=list(INCIDENTS_STREAM.subjects),
            max_age=14 * DAY,
            duplicate_window=120,
            num_replicas=1,
        )
    )
    kept = await bus.provision([ALERTS_STREAM, INCIDENTS_STREAM])
    assert [(d.setting, d.server, d.declared) for d in kept] == [
        ("retention", "limits", "workqueue")
    ]
    assert "docs/operations/reliability.md" in str(kept[0])
    alerts = await config(bus, "ALERTS")
    assert alerts.retention == RetentionPolicy.LIMITS
    assert alerts.max_bytes == -1
    assert alerts.discard == DiscardPolicy.OLD
    assert alerts.subjects == list(ALERTS_STREAM.subjects)  # the missing one added
    metadata = (await config(bus, "INCIDENTS")).metadata or {}
    assert '"max_age": 1209600' in metadata["imas.declared"]


async def test_a_stream_larger_than_the_store_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    server = EmbeddedNats(tmp_path / "nats", config=small_store(tmp_path, 1024**2)).start()
    bus = Bus("test", server.url)
    try:
        await bus.connect()
        with pytest.raises(RuntimeError, match="IMAS_ALERTS_MAX_BYTES"):
            await bus.provision([ALERTS_STREAM])
        await bus.provision(sized([ALERTS_STREAM], alerts_max_bytes=512 * 1024))
        assert (await config(bus, "ALERTS")).max_bytes == 512 * 1024
    finally:
        await bus.close()
        server.stop()


@pytest.mark.parametrize(
    ("pattern", "subject", "taken"),
    [
        ("incidents.>", "incidents.triggered.v1", True),
        ("incidents.>", "incidents", False),
        ("alerts.raw.>", "alerts.raw.>", True),
        ("alerts.*.v1", "alerts.normalised.v1", True),
        ("alerts.*", "alerts.raw.>", False),
        ("alerts.raw.custom", "alerts.raw.>", False),
        ("a.b", "a.b", True),
    ],
)
def test_a_declared_subject_is_added_unless_a_wildcard_takes_it(
    pattern: str, subject: str, taken: bool
) -> None:
    assert covers(pattern, subject) is taken
