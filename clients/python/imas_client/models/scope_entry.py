from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScopeEntry")


@_attrs_define
class ScopeEntry:
    """An impact scope with the addresses that must hear of every incident touching it.

    Attributes:
        id (str):
        name (str):
        mandatory_emails (list[str] | Unset):
    """

    id: str
    name: str
    mandatory_emails: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        mandatory_emails: list[str] | Unset = UNSET
        if not isinstance(self.mandatory_emails, Unset):
            mandatory_emails = self.mandatory_emails

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
            }
        )
        if mandatory_emails is not UNSET:
            field_dict["mandatory_emails"] = mandatory_emails

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        mandatory_emails = cast(list[str], d.pop("mandatory_emails", UNSET))

        scope_entry = cls(
            id=id,
            name=name,
            mandatory_emails=mandatory_emails,
        )

        scope_entry.additional_properties = d
        return scope_entry

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
