from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.contact_method_body import ContactMethodBody


T = TypeVar("T", bound="ContactMethodsBody")


@_attrs_define
class ContactMethodsBody:
    """
    Attributes:
        contact_methods (list[ContactMethodBody]):
    """

    contact_methods: list[ContactMethodBody]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        contact_methods = []
        for contact_methods_item_data in self.contact_methods:
            contact_methods_item = contact_methods_item_data.to_dict()
            contact_methods.append(contact_methods_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "contact_methods": contact_methods,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contact_method_body import ContactMethodBody  # noqa: PLC0415

        d = dict(src_dict)
        contact_methods = []
        _contact_methods = d.pop("contact_methods")
        for contact_methods_item_data in _contact_methods:
            contact_methods_item = ContactMethodBody.from_dict(contact_methods_item_data)

            contact_methods.append(contact_methods_item)

        contact_methods_body = cls(
            contact_methods=contact_methods,
        )

        contact_methods_body.additional_properties = d
        return contact_methods_body

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
