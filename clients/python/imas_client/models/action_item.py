from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ActionItem")


@_attrs_define
class ActionItem:
    """
    Attributes:
        title (str):
        done (bool | Unset):  Default: False.
        due (str | Unset):  Default: ''.
        owner (str | Unset):  Default: ''.
    """

    title: str
    done: bool | Unset = False
    due: str | Unset = ""
    owner: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        done = self.done

        due = self.due

        owner = self.owner

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "title": title,
            }
        )
        if done is not UNSET:
            field_dict["done"] = done
        if due is not UNSET:
            field_dict["due"] = due
        if owner is not UNSET:
            field_dict["owner"] = owner

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        done = d.pop("done", UNSET)

        due = d.pop("due", UNSET)

        owner = d.pop("owner", UNSET)

        action_item = cls(
            title=title,
            done=done,
            due=due,
            owner=owner,
        )

        action_item.additional_properties = d
        return action_item

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
