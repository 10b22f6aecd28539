"""Deterministic, realistic example instances of any message: the golden files' content.

Every field is filled, optional ones included, so a golden example exercises the whole shape.
"""

from __future__ import annotations

import hashlib
import typing
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar, Union

import msgspec
import msgspec.inspect as mi

from imas_contracts import all_messages
from imas_contracts._base import Message

M = TypeVar("M", bound=Message)

EXAMPLE_TIME: Final = datetime(2026, 2, 5, 18, 30, tzinfo=UTC)
EXAMPLE_BYTES: Final = b'{"example": true}'


_STRINGS: Final[dict[str, str]] = {
    "short_id": "1042",
    "title": "Checkout API error rate above 5%",
    "description": "Checkout requests fail with HTTP 500 since the 18:20 deploy.",
    "message": "Checkout API error rate above 5% for 5 minutes",
    "note": "Rolled back the 18:20 deploy; error rate back to normal.",
    "name": "checkout-api",
    "service.name": "checkout-api",
    "team.name": "payments",
    "catalogchanged.name": "payments",
    "scope.name": "eu-customers",
    "impacted_scope": "eu-customers",
    "impacted_scope.name": "eu-customers",
    "documentcreated.title": "INC-1042: Checkout API error rate above 5%",
    "runbookstepexecuted.title": "Roll back the last deploy",
    "escalationstepfired.target": "alice@example.com",
    "service_name": "checkout-api",
    "policy_name": "Payments on-call",
    "channel_name": "inc-1042-checkout-api-error-rate",
    "team": "payments",
    "slack_channel": "#payments-oncall",
    "email": "payments-oncall@example.com",
    "mandatory_email": "status-page@example.com",
    "actor": "alice@example.com",
    "lead": "alice@example.com",
    "recipient": "alice@example.com",
    "dedup_key": "checkout-api/HighErrorRate",
    "source": "alertmanager",
    "alert_source": "alertmanager",
    "content_type": "application/json",
    "status": "firing",
    "tag": "payments",
    "changed": "severity",
    "provider": "slack",
    "channel": "slack",
    "consumer": "notifier--INCIDENTS",
    "stream": "INCIDENTS",
    "subject": "incidents.triggered.v1",
    "reason": "handler raised ValueError after 5 deliveries",
    "error": "provider answered HTTP 503",
    "code": "invalid",
    "field": "service_name",
    "type": "status_changed",
    "idempotency_key": "inc-1042:step-1:alice:slack",
}
# Top-level ``id`` fields that name another entity (``GetIncident.id`` is an incident id).
_ID_OWNERS: Final[dict[str, str]] = {
    "getincident": "incident",
    "catalogchanged": "team",
}
_INTS: Final[dict[str, int]] = {
    "alert_count": 3,
    "stream_sequence": 4242,
    "deliveries": 5,
    "attempts": 2,
}


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _example_str(owner: str, name: str) -> str:
    """A plausible string for field ``name`` of ``owner`` (a struct, or the field holding it)."""
    key = _singular(name)
    for candidate in (f"{owner}.{key}", key, name):
        if candidate in _STRINGS:
            return _STRINGS[candidate]
    if key == "id" or key.endswith("_id"):
        if key == "event_id":
            seed = f"{owner}.event_id"
        elif key == "id":
            seed = f"{_ID_OWNERS.get(owner, owner)}_id"
        else:
            seed = key
        return uuid.uuid5(uuid.NAMESPACE_URL, f"imas:{seed}").hex
    if key in {"link", "url"} or key.endswith(("_link", "_url")):
        return f"https://example.com/{key.replace('_', '-')}"
    if key == "fingerprint" or key.endswith("_hash"):
        return hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"example {key.replace('_', ' ')}"


def _example_number(name: str) -> int:
    return _INTS.get(name, 1)


def _declared_literals(cls: type) -> dict[frozenset[object], tuple[object, ...]]:
    """Literal values in declaration order (``msgspec.inspect`` sorts them)."""
    found: dict[frozenset[object], tuple[object, ...]] = {}
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        return found

    def visit(tp: object) -> None:
        args = typing.get_args(tp)
        if typing.get_origin(tp) is Literal:
            found.setdefault(frozenset(args), args)
            return
        for arg in args:
            visit(arg)

    for hint in hints.values():
        visit(hint)
    return found


def unwrap(t: mi.Type) -> mi.Type:
    while isinstance(t, mi.Metadata):
        t = t.type
    return t


@dataclass
class _Examples:
    """Walks ``msgspec.inspect`` types to build one example value per type."""

    path: list[type] = field(default_factory=list)

    def struct(self, info: mi.StructType, parent: str | None = None) -> Any:
        """An instance of a struct; ``parent`` is the field holding it, if nested."""
        self.path.append(info.cls)
        literals = _declared_literals(info.cls)
        owner = parent or info.cls.__name__.lower()
        try:
            values = {f.name: self.value(f.type, owner, f.name, literals) for f in info.fields}
        finally:
            self.path.pop()
        return info.cls(**values)

    def value(
        self,
        t: mi.Type,
        owner: str,
        name: str,
        literals: dict[frozenset[object], tuple[object, ...]],
    ) -> Any:
        t = unwrap(t)
        if isinstance(t, mi.StructType):
            if t.cls in self.path:
                raise TypeError(f"cannot build an example of recursive struct {t.cls.__name__}")
            return self.struct(t, _singular(name))
        if isinstance(t, mi.UnionType):
            members = [m for m in t.types if not isinstance(unwrap(m), mi.NoneType)]
            for member in members:
                inner = unwrap(member)
                if isinstance(inner, mi.StructType) and inner.cls in self.path:
                    continue
                return self.value(member, owner, name, literals)
            return None
        if isinstance(t, mi.LiteralType):
            return literals.get(frozenset(t.values), t.values)[0]
        if isinstance(t, mi.EnumType):
            return next(iter(t.cls))
        if isinstance(t, mi.StrType):
            return _example_str(owner, name)
        if isinstance(t, mi.BoolType):
            return True
        if isinstance(t, mi.IntType):
            return _example_number(name)
        if isinstance(t, mi.FloatType):
            return 90.0 if name.endswith("_seconds") else 1.5
        if isinstance(t, mi.DateTimeType):
            return EXAMPLE_TIME if t.tz is not False else EXAMPLE_TIME.replace(tzinfo=None)
        if isinstance(t, mi.DateType):
            return EXAMPLE_TIME.date()
        if isinstance(t, mi.TimeType):
            return EXAMPLE_TIME.timetz() if t.tz is not False else EXAMPLE_TIME.time()
        if isinstance(t, mi.TimeDeltaType):
            return timedelta(minutes=5)
        if isinstance(t, mi.UUIDType):
            return uuid.UUID(_example_str(owner, "id" if name == "id" else f"{name}_id"))
        if isinstance(t, mi.DecimalType):
            return Decimal("1.5")
        if isinstance(t, mi.BytesType):
            return EXAMPLE_BYTES
        if isinstance(t, mi.ByteArrayType):
            return bytearray(EXAMPLE_BYTES)
        if isinstance(t, mi.NoneType):
            return None
        if isinstance(t, mi.AnyType | mi.CustomType):
            return "value"
        if isinstance(t, mi.CollectionType):
            item = self.value(t.item_type, owner, name, literals)
            return _collection(t)([item])
        if isinstance(t, mi.TupleType):
            return tuple(self.value(i, owner, name, literals) for i in t.item_types)
        if isinstance(t, mi.DictType | mi.FrozenDictType):
            key_type, value_type = unwrap(t.key_type), unwrap(t.value_type)
            key = (
                "key"
                if isinstance(key_type, mi.StrType)
                else self.value(key_type, owner, name, literals)
            )
            if isinstance(value_type, mi.StrType | mi.AnyType | mi.CustomType):
                return {key: "value"}
            return {key: self.value(value_type, owner, name, literals)}
        raise TypeError(f"no example for {owner}.{name} of type {t!r}")


def _collection(t: mi.CollectionType) -> Callable[[Iterable[Any]], Any]:
    if isinstance(t, mi.SetType):
        return set
    if isinstance(t, mi.FrozenSetType):
        return frozenset
    if isinstance(t, mi.VarTupleType):
        return tuple
    return list


def example_of(cls: type[M]) -> M:
    """A deterministic, realistic example of a message with every field, optional ones too."""
    info = mi.type_info(cls)
    if not isinstance(info, mi.StructType):
        raise TypeError(f"{cls!r} is not a msgspec struct")
    example = _Examples().struct(info)
    assert isinstance(example, cls)
    return example


def dump_example(message: Message) -> bytes:
    """The committed text of a golden example."""
    return msgspec.json.format(msgspec.json.encode(message), indent=2) + b"\n"


def message_decoder(messages: Sequence[type[Message]] | None = None) -> msgspec.json.Decoder[Any]:
    """One decoder for the union of all messages, dispatching on the ``type`` tag."""
    classes = tuple(messages if messages is not None else all_messages())
    union: Any = Union.__getitem__(classes) if len(classes) > 1 else classes[0]
    return msgspec.json.Decoder(union)
