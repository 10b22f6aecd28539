from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RoleHolder")


@_attrs_define
class RoleHolder:
    """One of the incident's roles and who holds it (``person_id`` empty: nobody).

    Attributes:
        role (str):
        assigned_at (None | str | Unset):
        assigned_by (str | Unset):  Default: ''.
        name (str | Unset):  Default: ''.
        person_id (str | Unset):  Default: ''.
    """

    role: str
    assigned_at: None | str | Unset = UNSET
    assigned_by: str | Unset = ""
    name: str | Unset = ""
    person_id: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        role = self.role

        assigned_at: None | str | Unset
        if isinstance(self.assigned_at, Unset):
            assigned_at = UNSET
        else:
            assigned_at = self.assigned_at

        assigned_by = self.assigned_by

        name = self.name

        person_id = self.person_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "role": role,
            }
        )
        if assigned_at is not UNSET:
            field_dict["assigned_at"] = assigned_at
        if assigned_by is not UNSET:
            field_dict["assigned_by"] = assigned_by
        if name is not UNSET:
            field_dict["name"] = name
        if person_id is not UNSET:
            field_dict["person_id"] = person_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = d.pop("role")

        def _parse_assigned_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        assigned_at = _parse_assigned_at(d.pop("assigned_at", UNSET))

        assigned_by = d.pop("assigned_by", UNSET)

        name = d.pop("name", UNSET)

        person_id = d.pop("person_id", UNSET)

        role_holder = cls(
            role=role,
            assigned_at=assigned_at,
            assigned_by=assigned_by,
            name=name,
            person_id=person_id,
        )

        role_holder.additional_properties = d
        return role_holder

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
