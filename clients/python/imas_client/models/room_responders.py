from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RoomResponders")


@_attrs_define
class RoomResponders:
    """The people added to an incident's war room by hand, and the room's link (empty while
    it opens).

    Attributes:
        incident_id (str):
        link (str | Unset):  Default: ''.
        responders (list[str] | Unset):
    """

    incident_id: str
    link: str | Unset = ""
    responders: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        incident_id = self.incident_id

        link = self.link

        responders: list[str] | Unset = UNSET
        if not isinstance(self.responders, Unset):
            responders = self.responders

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "incident_id": incident_id,
            }
        )
        if link is not UNSET:
            field_dict["link"] = link
        if responders is not UNSET:
            field_dict["responders"] = responders

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        incident_id = d.pop("incident_id")

        link = d.pop("link", UNSET)

        responders = cast(list[str], d.pop("responders", UNSET))

        room_responders = cls(
            incident_id=incident_id,
            link=link,
            responders=responders,
        )

        room_responders.additional_properties = d
        return room_responders

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
