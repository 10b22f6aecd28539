from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Comment")


@_attrs_define
class Comment:
    """A comment on an incident; only its author edits or deletes it, anyone pins it. The
    author is known by ``author_id`` (see :data:`ACTOR_ID`); ``author`` is their name as
    shown. A comment without ``author_id`` (written before) can be edited by no one.

    Attributes:
        author (str):
        body (str):
        created_at (str):
        id (str):
        incident_id (str):
        author_id (str | Unset):  Default: ''.
        edited_at (None | str | Unset):
        pinned (bool | Unset):  Default: False.
    """

    author: str
    body: str
    created_at: str
    id: str
    incident_id: str
    author_id: str | Unset = ""
    edited_at: None | str | Unset = UNSET
    pinned: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        author = self.author

        body = self.body

        created_at = self.created_at

        id = self.id

        incident_id = self.incident_id

        author_id = self.author_id

        edited_at: None | str | Unset
        if isinstance(self.edited_at, Unset):
            edited_at = UNSET
        else:
            edited_at = self.edited_at

        pinned = self.pinned

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "author": author,
                "body": body,
                "created_at": created_at,
                "id": id,
                "incident_id": incident_id,
            }
        )
        if author_id is not UNSET:
            field_dict["author_id"] = author_id
        if edited_at is not UNSET:
            field_dict["edited_at"] = edited_at
        if pinned is not UNSET:
            field_dict["pinned"] = pinned

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        author = d.pop("author")

        body = d.pop("body")

        created_at = d.pop("created_at")

        id = d.pop("id")

        incident_id = d.pop("incident_id")

        author_id = d.pop("author_id", UNSET)

        def _parse_edited_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        edited_at = _parse_edited_at(d.pop("edited_at", UNSET))

        pinned = d.pop("pinned", UNSET)

        comment = cls(
            author=author,
            body=body,
            created_at=created_at,
            id=id,
            incident_id=incident_id,
            author_id=author_id,
            edited_at=edited_at,
            pinned=pinned,
        )

        comment.additional_properties = d
        return comment

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
