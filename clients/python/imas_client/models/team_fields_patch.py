from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TeamFieldsPatch")


@_attrs_define
class TeamFieldsPatch:
    """
    Attributes:
        chat_channel (None | str | Unset):
        email (None | str | Unset):
        manager (None | str | Unset):
        members (list[str] | Unset):
        name (str | Unset):
        slug (str | Unset):
    """

    chat_channel: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    manager: None | str | Unset = UNSET
    members: list[str] | Unset = UNSET
    name: str | Unset = UNSET
    slug: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        chat_channel: None | str | Unset
        if isinstance(self.chat_channel, Unset):
            chat_channel = UNSET
        else:
            chat_channel = self.chat_channel

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        manager: None | str | Unset
        if isinstance(self.manager, Unset):
            manager = UNSET
        else:
            manager = self.manager

        members: list[str] | Unset
        if isinstance(self.members, Unset):
            members = UNSET
        else:
            members = self.members

        name: str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        slug: str | Unset
        if isinstance(self.slug, Unset):
            slug = UNSET
        else:
            slug = self.slug

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if chat_channel is not UNSET:
            field_dict["chat_channel"] = chat_channel
        if email is not UNSET:
            field_dict["email"] = email
        if manager is not UNSET:
            field_dict["manager"] = manager
        if members is not UNSET:
            field_dict["members"] = members
        if name is not UNSET:
            field_dict["name"] = name
        if slug is not UNSET:
            field_dict["slug"] = slug

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_chat_channel(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chat_channel = _parse_chat_channel(d.pop("chat_channel", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_manager(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        manager = _parse_manager(d.pop("manager", UNSET))

        def _parse_members(data: object) -> list[str] | Unset:
            if isinstance(data, Unset):
                return data
            if not isinstance(data, list):
                raise TypeError()
            members_type_0 = cast(list[str], data)

            return members_type_0

        members = _parse_members(d.pop("members", UNSET))

        def _parse_name(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_slug(data: object) -> str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(str | Unset, data)

        slug = _parse_slug(d.pop("slug", UNSET))

        team_fields_patch = cls(
            chat_channel=chat_channel,
            email=email,
            manager=manager,
            members=members,
            name=name,
            slug=slug,
        )

        team_fields_patch.additional_properties = d
        return team_fields_patch

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
