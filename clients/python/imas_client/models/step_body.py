from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.step_body_action import StepBodyAction
from ..types import UNSET, Unset

T = TypeVar("T", bound="StepBody")


@_attrs_define
class StepBody:
    """
    Attributes:
        action (StepBodyAction):
        confirm (bool | Unset):  Default: False.
        note (str | Unset):  Default: ''.
    """

    action: StepBodyAction
    confirm: bool | Unset = False
    note: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        confirm = self.confirm

        note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
            }
        )
        if confirm is not UNSET:
            field_dict["confirm"] = confirm
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = StepBodyAction(d.pop("action"))

        confirm = d.pop("confirm", UNSET)

        note = d.pop("note", UNSET)

        step_body = cls(
            action=action,
            confirm=confirm,
            note=note,
        )

        step_body.additional_properties = d
        return step_body

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
