"""Changes recorded by the incidents service: deploys, configuration pushes, secret rotations.

A change is not a problem: it pages nobody and opens no incident. It is kept per service
(PagerDuty's "recent changes") and written as a ``CHANGE`` line on the timeline of each
unresolved incident of its service, where a responder looks for what moved just before the
trouble; incidents opened in the hour after it show it too. PagerDuty Events API v2 change
events (``POST /v2/change/enqueue``) become changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import msgspec

from imas_contracts._base import Message, Request
from imas_contracts.catalog import Ref


class ChangeLink(msgspec.Struct, frozen=True, kw_only=True):
    """A link the sender attached to a change (the build, the pull request)."""

    href: str
    text: str = ""


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """A recorded change. ``service`` is the catalog's service when it knows ``service_name``;
    ``incident_ids`` are the unresolved incidents whose timeline shows it."""

    id: str
    service: Ref | None = None
    service_name: str
    summary: str
    source: str = ""
    occurred_at: datetime
    received_at: datetime
    links: list[ChangeLink] = []
    custom_details: dict[str, Any] = {}
    integration_id: str = ""
    incident_ids: list[str] = []


class ChangeView(Message, frozen=True, kw_only=True, tag="incidents.change.v1"):
    change: Change


class ChangePage(Message, frozen=True, kw_only=True, tag="incidents.change_page.v1"):
    """A page of changes, newest first, and how many there are in all."""

    count: int = 0
    results: list[Change] = []


class RecordChange(Request, frozen=True, kw_only=True, tag="incidents.changes.record.v1"):
    """Record a change on the service named ``service_name`` and add a ``CHANGE`` line to the
    timeline of each of its unresolved incidents, in one transaction. Safe to send twice: a
    second request with the same ``id`` changes nothing and answers the change as recorded."""

    reply_type: ClassVar[type[Message]] = ChangeView

    id: str
    service_name: str
    summary: str
    source: str = ""
    occurred_at: datetime
    links: list[ChangeLink] = []
    custom_details: dict[str, Any] = {}
    integration_id: str = ""


class ListChanges(Request, frozen=True, kw_only=True, tag="incidents.changes.list.v1"):
    """Changes, newest first; ``service`` (a service's id or name) keeps that service's."""

    reply_type: ClassVar[type[Message]] = ChangePage

    service: str = ""
    offset: int = 0
    limit: int = 50


REQUESTS: tuple[type[Request], ...] = (RecordChange, ListChanges)

__all__ = [
    "REQUESTS",
    "Change",
    "ChangeLink",
    "ChangePage",
    "ChangeView",
    "ListChanges",
    "RecordChange",
]
