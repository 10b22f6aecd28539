from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_method import ContactMethod
    from ..models.person_entry_chat_user_ids import PersonEntryChatUserIds


T = TypeVar("T", bound="PersonEntry")


@_attrs_define
class PersonEntry:
    """A person as stored (``roles`` in lower case).

    Attributes:
        email (str):
        id (str):
        name (str):
        chat_user_ids (PersonEntryChatUserIds | Unset):
        contact_methods (list[ContactMethod] | Unset):
        phone (None | str | Unset):
        roles (list[str] | Unset):
        time_zone (str | Unset):  Default: 'UTC'.
    """

    email: str
    id: str
    name: str
    chat_user_ids: PersonEntryChatUserIds | Unset = UNSET
    contact_methods: list[ContactMethod] | Unset = UNSET
    phone: None | str | Unset = UNSET
    roles: list[str] | Unset = UNSET
    time_zone: str | Unset = "UTC"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        id = self.id

        name = self.name

        chat_user_ids: dict[str, Any] | Unset = UNSET
        if not isinstance(self.chat_user_ids, Unset):
            chat_user_ids = self.chat_user_ids.to_dict()

        contact_methods: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.contact_methods, Unset):
            contact_methods = []
            for contact_methods_item_data in self.contact_methods:
                contact_methods_item = contact_methods_item_data.to_dict()
                contact_methods.append(contact_methods_item)

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        roles: list[str] | Unset = UNSET
        if not isinstance(self.roles, Unset):
            roles = self.roles

        time_zone = self.time_zone

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "id": id,
                "name": name,
            }
        )
        if chat_user_ids is not UNSET:
            field_dict["chat_user_ids"] = chat_user_ids
        if contact_methods is not UNSET:
            field_dict["contact_methods"] = contact_methods
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
        from ..models.person_entry_chat_user_ids import PersonEntryChatUserIds  # noqa: PLC0415

        d = dict(src_dict)
        email = d.pop("email")

        id = d.pop("id")

        name = d.pop("name")

        _chat_user_ids = d.pop("chat_user_ids", UNSET)
        chat_user_ids: PersonEntryChatUserIds | Unset
        if isinstance(_chat_user_ids, Unset):
            chat_user_ids = UNSET
        else:
            chat_user_ids = PersonEntryChatUserIds.from_dict(_chat_user_ids)

        _contact_methods = d.pop("contact_methods", UNSET)
        contact_methods: list[ContactMethod] | Unset = UNSET
        if _contact_methods is not UNSET:
            contact_methods = []
            for contact_methods_item_data in _contact_methods:
                contact_methods_item = ContactMethod.from_dict(contact_methods_item_data)

                contact_methods.append(contact_methods_item)

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        roles = cast(list[str], d.pop("roles", UNSET))

        time_zone = d.pop("time_zone", UNSET)

        person_entry = cls(
            email=email,
            id=id,
            name=name,
            chat_user_ids=chat_user_ids,
            contact_methods=contact_methods,
            phone=phone,
            roles=roles,
            time_zone=time_zone,
        )

        person_entry.additional_properties = d
        return person_entry

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
