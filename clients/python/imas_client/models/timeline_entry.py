from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.timeline_entry_source import TimelineEntrySource
from ..types import UNSET, Unset

T = TypeVar("T", bound="TimelineEntry")


@_attrs_define
class TimelineEntry:
    """One line of an incident's timeline. ``actor`` is who acted as shown to people;
    ``actor_id`` who it was: ``user:<id>`` or ``token:<id>`` (see :data:`ACTOR_ID`), None for
    the system, chat users and lines written before identities were recorded.

    Attributes:
        created_at (str):
        id (str):
        message (str):
        type_ (str):
        actor (None | str | Unset):
        actor_id (None | str | Unset):
        source (TimelineEntrySource | Unset):  Default: TimelineEntrySource.SYSTEM.
    """

    created_at: str
    id: str
    message: str
    type_: str
    actor: None | str | Unset = UNSET
    actor_id: None | str | Unset = UNSET
    source: TimelineEntrySource | Unset = TimelineEntrySource.SYSTEM
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        id = self.id

        message = self.message

        type_ = self.type_

        actor: None | str | Unset
        if isinstance(self.actor, Unset):
            actor = UNSET
        else:
            actor = self.actor

        actor_id: None | str | Unset
        if isinstance(self.actor_id, Unset):
            actor_id = UNSET
        else:
            actor_id = self.actor_id

        source: str | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "id": id,
                "message": message,
                "type": type_,
            }
        )
        if actor is not UNSET:
            field_dict["actor"] = actor
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        message = d.pop("message")

        type_ = d.pop("type")

        def _parse_actor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor = _parse_actor(d.pop("actor", UNSET))

        def _parse_actor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_id = _parse_actor_id(d.pop("actor_id", UNSET))

        _source = d.pop("source", UNSET)
        source: TimelineEntrySource | Unset
        if isinstance(_source, Unset):
            source = UNSET
        else:
            source = TimelineEntrySource(_source)

        timeline_entry = cls(
            created_at=created_at,
            id=id,
            message=message,
            type_=type_,
            actor=actor,
            actor_id=actor_id,
            source=source,
        )

        timeline_entry.additional_properties = d
        return timeline_entry

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
