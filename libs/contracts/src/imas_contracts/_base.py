"""Base classes shared by every message: events, requests, replies and stream declarations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar, Literal

import msgspec


def new_event_id() -> str:
    """A fresh, globally unique event id (also used as the JetStream ``Nats-Msg-Id``)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Message(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Anything that travels on the bus. Its msgspec tag is its subject plus version."""

    @classmethod
    def type_name(cls) -> str:
        tag = cls.__struct_config__.tag
        assert isinstance(tag, str), f"{cls.__name__} has no string tag"
        return tag


class Event(Message, frozen=True, kw_only=True):
    """A fact that happened, published to a JetStream stream on the subject equal to its tag.

    ``event_id`` is sent as ``Nats-Msg-Id`` so that a re-publish within the stream's duplicate
    window is dropped by the server, and consumers use it to process each event once.
    """

    event_id: str
    occurred_at: datetime


class Request(Message, frozen=True, kw_only=True):
    """A synchronous command or query sent with NATS request/reply on the subject of its tag."""

    reply_type: ClassVar[type[Message]]


class FieldError(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a request was refused, naming the offending field."""

    field: str
    message: str


class ErrorReply(Message, frozen=True, kw_only=True, tag="error.v1"):
    """The answer to a request that was refused or failed.

    ``code`` is one of: ``invalid`` (bad input, see ``errors``), ``not_found``, ``conflict``
    (e.g. a refused state transition), ``unavailable`` and ``internal``.
    """

    code: str
    message: str
    errors: list[FieldError] = []


class StreamSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A JetStream stream as declared in code; provisioning creates it at start-up, and adds
    what a newer declaration adds without reverting what an operator changed.

    ``retention``: ``limits`` keeps messages until ``max_age`` / ``max_bytes``; ``workqueue``
    removes each message once its one consumer acknowledged it. ``discard``: when ``max_bytes``
    is reached, ``old`` drops the oldest messages, ``new`` refuses new ones (the publisher
    learns it was not stored). ``max_bytes`` -1: no limit but the server's store.
    """

    name: str
    subjects: tuple[str, ...]
    description: str = ""
    max_age_seconds: float = 14 * 24 * 3600
    duplicate_window_seconds: float = 120.0
    retention: Literal["limits", "workqueue"] = "limits"
    max_bytes: int = -1
    discard: Literal["old", "new"] = "old"
