"""Stream provisioning: from a declaration (:class:`~imas_contracts.StreamSpec`) to the
configuration JetStream keeps, without reverting what an operator changed.

A stream is created as declared, and what IMAS declared is recorded in its metadata. At each
later start, a setting is brought to the declaration only if it still holds what IMAS declared
last time (or, on a stream created before declarations were recorded, the server's default):
anything else was changed by an operator (``nats stream edit``: a larger ``max_bytes``, more
replicas) and is kept, with a warning naming the difference. Subjects are only ever added.
A retention that NATS cannot change in place (to or from a work queue) leaves the stream as
it is but for its subjects, with a warning saying how to move it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from nats.js.api import DiscardPolicy, RetentionPolicy, StreamConfig

from imas_contracts import StreamSpec
from imas_contracts.ingest import ALERTS_STREAM

DECLARED = "imas.declared"
"""The metadata key under which a stream keeps the settings IMAS declared for it."""

# What NATS uses for a setting nobody set (a stream made before declarations were recorded
# holds these where the IMAS of its time declared nothing).
SERVER_DEFAULTS: dict[str, Any] = {
    "retention": "limits",
    "max_bytes": -1,
    "discard": "old",
    "duplicate_window": 120.0,
    "num_replicas": 1,
}


@dataclass(frozen=True)
class Drift:
    """A setting of a stream that differs from its declaration and is kept as it is."""

    stream: str
    setting: str
    server: Any
    declared: Any
    why: str = "changed on the server (by an operator?): kept"

    def __str__(self) -> str:
        return (
            f"stream {self.stream}: {self.setting} is {self.server!r} on the server, IMAS "
            f"declares {self.declared!r}; {self.why}"
        )


def sized(streams: Sequence[StreamSpec], *, alerts_max_bytes: int) -> list[StreamSpec]:
    """The declared streams, with the size of ALERTS chosen by the settings."""
    return [
        msgspec.structs.replace(s, max_bytes=alerts_max_bytes)
        if s.name == ALERTS_STREAM.name
        else s
        for s in streams
    ]


def declared(spec: StreamSpec, *, replicas: int) -> dict[str, Any]:
    """The settings IMAS declares for a stream, as plain values."""
    return {
        "retention": spec.retention,
        "max_age": spec.max_age_seconds,
        "max_bytes": spec.max_bytes,
        "discard": spec.discard,
        "duplicate_window": spec.duplicate_window_seconds,
        "num_replicas": replicas,
    }


def new_config(spec: StreamSpec, settings: dict[str, Any]) -> StreamConfig:
    """The configuration of a stream created now, recording what was declared."""
    return StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        description=spec.description or None,
        **_nats_values(settings),
        metadata={DECLARED: json.dumps(settings, sort_keys=True)},
    )


def reconcile(
    current: StreamConfig, spec: StreamSpec, settings: dict[str, Any]
) -> tuple[StreamConfig | None, list[Drift]]:
    """The update that brings ``current`` to the declaration (None: nothing to change), and
    the differences kept."""
    subjects = list(current.subjects or [])
    subjects += [s for s in spec.subjects if not any(covers(have, s) for have in subjects)]
    metadata = {k: v for k, v in (current.metadata or {}).items() if not k.startswith("_nats.")}
    previous: dict[str, Any] = json.loads(metadata.get(DECLARED, "null")) or {}
    server = _plain(current)
    if server["retention"] != settings["retention"]:
        # Nothing else is applied: a byte limit refusing new payloads, on a stream that
        # keeps those already handled, would fill up once and refuse every alert after.
        drift = Drift(
            spec.name,
            "retention",
            server["retention"],
            settings["retention"],
            "NATS cannot change it in place, so the stream is left as it is; to move it, see "
            "docs/operations/reliability.md (JetStream storage)",
        )
        changed = subjects != list(current.subjects or [])
        return (_with(current, subjects=subjects) if changed else None), [drift]
    values: dict[str, Any] = {}
    drifts: list[Drift] = []
    for setting, want in settings.items():
        have = server[setting]
        if have == want:
            continue
        ours = previous[setting] if setting in previous else SERVER_DEFAULTS.get(setting)
        if have == ours:
            values[setting] = want
        else:
            drifts.append(Drift(spec.name, setting, have, want))
    recorded = json.dumps(settings, sort_keys=True)
    if (
        not values
        and subjects == list(current.subjects or [])
        and metadata.get(DECLARED) == recorded
    ):
        return None, drifts
    metadata[DECLARED] = recorded
    update = _with(current, subjects=subjects, metadata=metadata, **_nats_values(values))
    return update, drifts


def covers(pattern: str, subject: str) -> bool:
    """Whether NATS subject ``pattern`` (``*`` one token, ``>`` the rest) takes every message
    of ``subject`` (itself maybe a pattern)."""
    have, want = pattern.split("."), subject.split(".")
    for i, token in enumerate(have):
        if token == ">":
            return len(want) > i
        if i >= len(want) or (token != want[i] and not (token == "*" and want[i] != ">")):
            return False
    return len(have) == len(want)


def _with(config: StreamConfig, **changes: Any) -> StreamConfig:
    return dataclasses.replace(config, **changes)


def _plain(config: StreamConfig) -> dict[str, Any]:
    return {
        "retention": _value(config.retention, "limits"),
        "max_age": float(config.max_age or 0),
        "max_bytes": config.max_bytes if config.max_bytes is not None else -1,
        "discard": _value(config.discard, "old"),
        "duplicate_window": float(config.duplicate_window or 0),
        "num_replicas": config.num_replicas or 1,
    }


def _value(enum: Any, default: str) -> str:
    """An enum's value, as the server's answer may give it (an enum or its string)."""
    return str(getattr(enum, "value", enum)) if enum is not None else default


def _nats_values(settings: dict[str, Any]) -> dict[str, Any]:
    out = dict(settings)
    if "retention" in out:
        out["retention"] = RetentionPolicy(out["retention"])
    if "discard" in out:
        out["discard"] = DiscardPolicy(out["discard"])
    return out
