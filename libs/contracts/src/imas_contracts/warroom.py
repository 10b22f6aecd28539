"""Messages owned by the warroom service: chat rooms, the incident document, runbooks."""

from __future__ import annotations

from typing import Literal

from imas_contracts._base import Event, StreamSpec


class WarRoomCreated(Event, frozen=True, kw_only=True, tag="warroom.created.v1"):
    """A chat channel was opened for the incident; incidents records the link."""

    incident_id: str
    platform: Literal["slack", "discord", "log"]
    channel_id: str
    channel_name: str
    link: str


class DocumentCreated(Event, frozen=True, kw_only=True, tag="warroom.document_created.v1"):
    """The incident's LID (lead incident document) exists; incidents records the link."""

    incident_id: str
    document_id: str
    title: str
    link: str


class RunbookStepExecuted(Event, frozen=True, kw_only=True, tag="runbooks.step_executed.v1"):
    """Someone ran (or skipped) a runbook step during an incident."""

    incident_id: str
    runbook_id: str
    step: int
    title: str
    outcome: Literal["done", "skipped", "failed", "rolled_back"]
    actor: str | None = None
    note: str = ""


EVENTS: tuple[type[Event], ...] = (WarRoomCreated, DocumentCreated, RunbookStepExecuted)

WARROOM_STREAM = StreamSpec(
    name="WARROOM",
    subjects=tuple(e.type_name() for e in EVENTS),
    description="War rooms, incident documents and runbook executions",
)
