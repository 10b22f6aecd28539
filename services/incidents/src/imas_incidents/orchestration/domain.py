"""What the automatic actions of a new incident came to: the brief's workflow C ends with an
"Orchestration Complete" line that says what was done and what was not (pure: no I/O).

Incidents does none of the work; it hears of it. Warroom announces the LID with what it does
next (a room asked for, the exporters the LID goes to), the notifier the pages it routed, and
each outcome follows as an event. The orchestration is settled once every announced action
has an outcome; at its deadline, whatever has not answered is written down as not done.
"""

from __future__ import annotations

import msgspec

from imas_contracts.notifier import NotificationFailed, NotificationSent, NotificationsPlanned
from imas_contracts.warroom import (
    DocumentCreated,
    LidExported,
    LidExportFailed,
    WarRoomCreated,
    WarRoomNotOpened,
)
from imas_contracts.warroom import WarRoomFailed as RoomFailed

# How the notifier's ``notifications.failed`` says a page was never sent (no provider serves
# its channel, or its recipient has no address for it).
UNDELIVERABLE = "undeliverable: "
Observed = (
    DocumentCreated
    | WarRoomCreated
    | RoomFailed
    | WarRoomNotOpened
    | LidExported
    | LidExportFailed
    | NotificationsPlanned
    | NotificationSent
    | NotificationFailed
)


class Page(msgspec.Struct, kw_only=True):
    channel: str = ""
    recipient: str = ""
    sent: bool | None = None  # None: no outcome yet
    error: str = ""


class Orchestration(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What is known so far (kept as JSON beside the incident until it is settled)."""

    document: str | None = None  # IMAS's LID, once warroom said it exists
    room_requested: bool | None = None  # None: warroom has not said
    room: str | None = None
    room_error: str | None = None
    room_not_opened: str | None = None  # why no room was asked for (no chat platform)
    exports: dict[str, str | None] = {}  # exporter → None while pending
    export_errors: dict[str, str] = {}
    pages_planned: bool = False
    pages: dict[str, Page] = {}  # idempotency key → the page and its outcome


def observe(state: Orchestration, event: Observed) -> Orchestration:
    """``state`` with what ``event`` says (events that do not concern it change nothing)."""
    match event:
        case DocumentCreated():
            state.document = event.link
            state.room_requested = event.room_requested
            for name in event.exports:
                state.exports.setdefault(name, None)
        case WarRoomCreated():
            state.room, state.room_error = event.link, None
        case WarRoomNotOpened():
            state.room_not_opened = event.reason
        case RoomFailed(will_retry=False, operation="open"):
            if state.room is None:
                state.room_error = f"{event.platform}: {event.error}"
        case LidExported(actor=None):
            state.exports[event.exporter] = event.link
            state.export_errors.pop(event.exporter, None)
        case LidExportFailed():
            state.exports.setdefault(event.exporter, None)
            state.export_errors[event.exporter] = event.error
        case NotificationsPlanned():
            state.pages_planned = True
            for planned in event.pages:
                page = state.pages.setdefault(planned.idempotency_key, Page())
                page.channel, page.recipient = planned.channel, planned.recipient
        case NotificationSent() | NotificationFailed():
            if state.pages_planned and event.idempotency_key not in state.pages:
                return state  # a later page (escalation, follow-up): not this orchestration's
            page = state.pages.setdefault(event.idempotency_key, Page())
            page.channel, page.recipient = event.channel, event.recipient
            if isinstance(event, NotificationSent):
                page.sent, page.error = True, ""
            else:
                page.sent, page.error = False, event.error
    return state


def settled(state: Orchestration) -> bool:
    """Whether every action announced has an outcome."""
    return (
        state.document is not None
        and state.room_requested is not None
        and (not state.room_requested or state.room is not None or state.room_error is not None)
        and all(link or name in state.export_errors for name, link in state.exports.items())
        and state.pages_planned
        and all(p.sent is not None for p in state.pages.values())
    )


def summary(state: Orchestration, deadline: float | None = None) -> str:
    """The timeline line: what was done, then what was not (``deadline``: the seconds after
    which the actions without an outcome were given up)."""
    done: list[str] = []
    not_done: list[str] = []
    late = f"no answer within {deadline:g} s" if deadline is not None else "no answer"
    if state.document is not None:
        done.append(f"incident document {state.document}")
    else:
        not_done.append(f"incident document and war room (warroom: {late})")
    for name, link in state.exports.items():
        if link:
            done.append(f"document in {name} {link}")
        else:
            why = state.export_errors.get(name, late)
            not_done.append(f"document in {name} ({why})")
    if state.room is not None:
        done.append(f"war room {state.room}")
    elif state.room_requested:
        not_done.append(f"war room ({state.room_error or late})")
    elif state.room_not_opened:
        not_done.append(f"war room ({state.room_not_opened})")
    _pages(state, done, not_done, late)
    head = "Orchestration complete"
    if deadline is not None:
        head += f" (stopped waiting after {deadline:g} s)"
    line = f"{head}. Done: {'; '.join(done) or 'nothing'}."
    if not_done:
        line += f" Not done: {'; '.join(not_done)}."
    return line


def _pages(state: Orchestration, done: list[str], not_done: list[str], late: str) -> None:
    if not state.pages_planned:
        not_done.append(f"pages (notifier: {late})")
        return
    pages = list(state.pages.values())
    sent = sum(p.sent is True for p in pages)
    if not pages:
        done.append("no page to send")
    elif sent:
        done.append(f"{sent} of {len(pages)} page(s) sent")
    for page in pages:
        who = f"page to {page.recipient} via {page.channel}"
        if page.sent is False:
            reason = page.error.removeprefix(UNDELIVERABLE)
            not_done.append(f"{who} ({reason})")
        elif page.sent is None:
            not_done.append(f"{who} ({late})")


def load(data: object) -> Orchestration:
    return msgspec.convert(data or {}, Orchestration)


def dump(state: Orchestration) -> dict[str, object]:
    found: dict[str, object] = msgspec.to_builtins(state)
    return found
