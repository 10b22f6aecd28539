from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EscalationSent")


@_attrs_define
class EscalationSent:
    """Who an escalation by hand paged: ``level`` of the team's policy (from 1) or None for
    chosen people or a team, their ``names``, and the ``channels`` used.

    Attributes:
        incident_id (str):
        short_id (str):
        channels (list[str] | Unset):
        level (int | None | Unset):
        names (list[str] | Unset):
    """

    incident_id: str
    short_id: str
    channels: list[str] | Unset = UNSET
    level: int | None | Unset = UNSET
    names: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        incident_id = self.incident_id

        short_id = self.short_id

        channels: list[str] | Unset = UNSET
        if not isinstance(self.channels, Unset):
            channels = self.channels

        level: int | None | Unset
        if isinstance(self.level, Unset):
            level = UNSET
        else:
            level = self.level

        names: list[str] | Unset = UNSET
        if not isinstance(self.names, Unset):
            names = self.names

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "incident_id": incident_id,
                "short_id": short_id,
            }
        )
        if channels is not UNSET:
            field_dict["channels"] = channels
        if level is not UNSET:
            field_dict["level"] = level
        if names is not UNSET:
            field_dict["names"] = names

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        incident_id = d.pop("incident_id")

        short_id = d.pop("short_id")

        channels = cast(list[str], d.pop("channels", UNSET))

        def _parse_level(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        level = _parse_level(d.pop("level", UNSET))

        names = cast(list[str], d.pop("names", UNSET))

        escalation_sent = cls(
            incident_id=incident_id,
            short_id=short_id,
            channels=channels,
            level=level,
            names=names,
        )

        escalation_sent.additional_properties = d
        return escalation_sent

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
