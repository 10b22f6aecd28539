from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Override")


@_attrs_define
class Override:
    """``person_id`` is on call instead of ``replaces`` (anyone when None) from ``start`` to
    ``end`` (instants with an offset).

    Attributes:
        end (str):
        person_id (str):
        start (str):
        id (str | Unset):  Default: ''.
        replaces (None | str | Unset):
    """

    end: str
    person_id: str
    start: str
    id: str | Unset = ""
    replaces: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        end = self.end

        person_id = self.person_id

        start = self.start

        id = self.id

        replaces: None | str | Unset
        if isinstance(self.replaces, Unset):
            replaces = UNSET
        else:
            replaces = self.replaces

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "end": end,
                "person_id": person_id,
                "start": start,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if replaces is not UNSET:
            field_dict["replaces"] = replaces

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        end = d.pop("end")

        person_id = d.pop("person_id")

        start = d.pop("start")

        id = d.pop("id", UNSET)

        def _parse_replaces(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        replaces = _parse_replaces(d.pop("replaces", UNSET))

        override = cls(
            end=end,
            person_id=person_id,
            start=start,
            id=id,
            replaces=replaces,
        )

        override.additional_properties = d
        return override

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
