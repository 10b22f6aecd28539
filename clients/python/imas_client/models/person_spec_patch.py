from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_method import ContactMethod
    from ..models.person_spec_patch_chat_user_ids_type_0 import PersonSpecPatchChatUserIdsType0


T = TypeVar("T", bound="PersonSpecPatch")


@_attrs_define
class PersonSpecPatch:
    """
    Attributes:
        chat_user_ids (PersonSpecPatchChatUserIdsType0 | Unset):
        contact_methods (list[ContactMethod] | Unset):
        email (str | Unset):
        name (str | Unset):
        phone (None | str | Unset):
        roles (list[str] | Unset):
        time_zone (str | Unset):
    """

    chat_user_ids: PersonSpecPatchChatUserIdsType0 | Unset = UNSET
    contact_methods: list[ContactMethod] | Unset = UNSET
    email: str | Unset = UNSET
    name: str | Unset = UNSET
    phone: None | str | Unset = UNSET
    roles: list[str] | Unset = UNSET
    time_zone: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chat_user_ids: dict[str, Any] | Unset
        if isinstance(self.chat_user_ids, Unset):
            chat_user_ids = UNSET
        else:
            chat_user_ids = self.chat_user_ids.to_dict()

        contact_methods: list[dict[str, Any]] | Unset
        if isinstance(self.contact_methods, Unset):
            contact_methods = UNSET
        else:
            contact_methods = []
            for contact_methods_type_0_item_data in self.contact_methods:
                contact_methods_type_0_item = contact_methods_type_0_item_data.to_dict()
                contact_methods.append(contact_methods_type_0_item)

        email: str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        name: str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        roles: list[str] | Unset
        if isinstance(self.roles, Unset):
            roles = UNSET
        else:
            roles = self.roles

        time_zone: str | Unset
        if isinstance(self.time_zone, Unset):
            time_zone = UNSET
        else:
            time_zone = self.time_zone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if chat_user_ids is not UNSET:
            field_dict["chat_user_ids"] = chat_user_ids
        if contact_methods is not UNSET:
            field_dict["contact_methods"] = contact_methods
        if email is not UNSET:
            field_dict["email"] = email
        if name is not UNSET:
            field_dict["name"] = name
        if phone is not UNSET:
            field_dict["phone"] = phone
        if roles is not UNSET:
            field_dict["roles"] = roles
        if time_zone is not UNSET:
            field_dict["time_zone"] = time_zone

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contact_method import ContactMethod  # noqa: PLC0415
        from ..models.person_spec_patch_chat_user_ids_type_0 import PersonSpecPatchChatUserIdsType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_chat_user_ids(data: object) -> PersonSpecPatchChatUserIdsType0 | Unset:
            if isinstance(data, Unset):
                return data
            if not isinstance(data, dict):
                raise TypeError()
            chat_user_ids_type_0 = PersonSpecPatchChatUserIdsType0.from_dict(data)

            return chat_user_ids_type_0

        chat_user_ids = _parse_chat_user_ids(d.pop("chat_user_ids", UNSET))

        def _parse_contact_methods(data: object) -> list[ContactMethod] | Unset:
            if isinstance(data, Unset):
                return data
            if not isinstance(data, list):
                raise TypeError()
            contact_methods_type_0 = []
            _contact_methods_type_0 = data
            for contact_methods_type_0_item_data in _contact_methods_type_0:
                contact_methods_type_0_item = ContactMethod.from_dict(contact_methods_type_0_item_data)

                contact_methods_type_0.append(contact_methods_type_0_item)

            return contact_methods_type_0

        contact_methods = _parse_contact_methods(d.pop("contact_methods", UNSET))

        def _parse_email(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_name(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        def _parse_roles(data: object) -> list[str] | Unset:
            if isinstance(data, Unset):
                return data
            if not isinstance(data, list):
                raise TypeError()
            roles_type_0 = cast(list[str], data)

            return roles_type_0

        roles = _parse_roles(d.pop("roles", UNSET))

        def _parse_time_zone(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        time_zone = _parse_time_zone(d.pop("time_zone", UNSET))

        person_spec_patch = cls(
            chat_user_ids=chat_user_ids,
            contact_methods=contact_methods,
            email=email,
            name=name,
            phone=phone,
            roles=roles,
            time_zone=time_zone,
        )

        person_spec_patch.additional_properties = d
        return person_spec_patch

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
