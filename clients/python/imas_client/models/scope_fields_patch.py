from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScopeFieldsPatch")


@_attrs_define
class ScopeFieldsPatch:
    """
    Attributes:
        mandatory_emails (list[str] | Unset):
        name (str | Unset):
    """

    mandatory_emails: list[str] | Unset = UNSET
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mandatory_emails: list[str] | Unset
        if isinstance(self.mandatory_emails, Unset):
            mandatory_emails = UNSET
        else:
            mandatory_emails = self.mandatory_emails

        name: str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if mandatory_emails is not UNSET:
            field_dict["mandatory_emails"] = mandatory_emails
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_mandatory_emails(data: object) -> list[str] | Unset:
            if isinstance(data, Unset):
                return data
            if not isinstance(data, list):
                raise TypeError()
            mandatory_emails_type_0 = cast(list[str], data)

            return mandatory_emails_type_0

        mandatory_emails = _parse_mandatory_emails(d.pop("mandatory_emails", UNSET))

        def _parse_name(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        scope_fields_patch = cls(
            mandatory_emails=mandatory_emails,
            name=name,
        )

        scope_fields_patch.additional_properties = d
        return scope_fields_patch

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
