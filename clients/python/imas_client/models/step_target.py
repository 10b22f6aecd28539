from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.step_target_kind import StepTargetKind
from ..types import UNSET, Unset

T = TypeVar("T", bound="StepTarget")


@_attrs_define
class StepTarget:
    """Who a step pages: the on-call of a ``schedule`` (id), a ``person`` (id), a ``team``'s
    channel (id; the policy's team when empty), a team's ``manager`` or ``members`` (from the
    catalog; id, the policy's team when empty) or everyone holding a catalog ``role`` (id,
    e.g. ``cto``).

    Attributes:
        kind (StepTargetKind):
        id (str | Unset):  Default: ''.
    """

    kind: StepTargetKind
    id: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        id = self.id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = StepTargetKind(d.pop("kind"))

        id = d.pop("id", UNSET)

        step_target = cls(
            kind=kind,
            id=id,
        )

        step_target.additional_properties = d
        return step_target

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
