from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ref import Ref


T = TypeVar("T", bound="TeamEntry")


@_attrs_define
class TeamEntry:
    """A team as stored: ``slug`` is unique and URL-safe; ``manager`` and ``members`` are
    people of the catalog (members ordered by name).

    Attributes:
        id (str):
        name (str):
        slug (str):
        chat_channel (None | str | Unset):
        email (None | str | Unset):
        manager (None | Ref | Unset):
        members (list[Ref] | Unset):
    """

    id: str
    name: str
    slug: str
    chat_channel: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    manager: None | Ref | Unset = UNSET
    members: list[Ref] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.ref import Ref  # noqa: PLC0415

        id = self.id

        name = self.name

        slug = self.slug

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

        manager: dict[str, Any] | None | Unset
        if isinstance(self.manager, Unset):
            manager = UNSET
        elif isinstance(self.manager, Ref):
            manager = self.manager.to_dict()
        else:
            manager = self.manager

        members: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.members, Unset):
            members = []
            for members_item_data in self.members:
                members_item = members_item_data.to_dict()
                members.append(members_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "slug": slug,
            }
        )
        if chat_channel is not UNSET:
            field_dict["chat_channel"] = chat_channel
        if email is not UNSET:
            field_dict["email"] = email
        if manager is not UNSET:
            field_dict["manager"] = manager
        if members is not UNSET:
            field_dict["members"] = members

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ref import Ref  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        slug = d.pop("slug")

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

        def _parse_manager(data: object) -> None | Ref | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                manager_type_0 = Ref.from_dict(data)

                return manager_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Ref | Unset, data)

        manager = _parse_manager(d.pop("manager", UNSET))

        _members = d.pop("members", UNSET)
        members: list[Ref] | Unset = UNSET
        if _members is not UNSET:
            members = []
            for members_item_data in _members:
                members_item = Ref.from_dict(members_item_data)

                members.append(members_item)

        team_entry = cls(
            id=id,
            name=name,
            slug=slug,
            chat_channel=chat_channel,
            email=email,
            manager=manager,
            members=members,
        )

        team_entry.additional_properties = d
        return team_entry

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
