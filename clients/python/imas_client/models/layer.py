from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.layer_shift import LayerShift
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.restriction import Restriction


T = TypeVar("T", bound="Layer")


@_attrs_define
class Layer:
    """One rotation: ``members`` (person ids) take turns, handing off at the local wall time of
    ``start`` (a naive local time, or any instant). ``hourly`` and ``custom`` shifts last
    ``shift_hours`` elapsed hours; ``daily`` and ``weekly`` follow the calendar in the schedule's
    zone, so a shift across a DST change lasts 23 or 25 hours but hands off at the same time.

    Layers later in a schedule override earlier ones where their restrictions allow.

    Attributes:
        members (list[str]):
        start (str):
        name (str | Unset):  Default: ''.
        restrictions (list[Restriction] | Unset):
        shift (LayerShift | Unset):  Default: LayerShift.WEEKLY.
        shift_hours (int | Unset):  Default: 1.
    """

    members: list[str]
    start: str
    name: str | Unset = ""
    restrictions: list[Restriction] | Unset = UNSET
    shift: LayerShift | Unset = LayerShift.WEEKLY
    shift_hours: int | Unset = 1
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        members = self.members

        start = self.start

        name = self.name

        restrictions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.restrictions, Unset):
            restrictions = []
            for restrictions_item_data in self.restrictions:
                restrictions_item = restrictions_item_data.to_dict()
                restrictions.append(restrictions_item)

        shift: str | Unset = UNSET
        if not isinstance(self.shift, Unset):
            shift = self.shift.value

        shift_hours = self.shift_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "members": members,
                "start": start,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if restrictions is not UNSET:
            field_dict["restrictions"] = restrictions
        if shift is not UNSET:
            field_dict["shift"] = shift
        if shift_hours is not UNSET:
            field_dict["shift_hours"] = shift_hours

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.restriction import Restriction  # noqa: PLC0415

        d = dict(src_dict)
        members = cast(list[str], d.pop("members"))

        start = d.pop("start")

        name = d.pop("name", UNSET)

        _restrictions = d.pop("restrictions", UNSET)
        restrictions: list[Restriction] | Unset = UNSET
        if _restrictions is not UNSET:
            restrictions = []
            for restrictions_item_data in _restrictions:
                restrictions_item = Restriction.from_dict(restrictions_item_data)

                restrictions.append(restrictions_item)

        _shift = d.pop("shift", UNSET)
        shift: LayerShift | Unset
        if isinstance(_shift, Unset):
            shift = UNSET
        else:
            shift = LayerShift(_shift)

        shift_hours = d.pop("shift_hours", UNSET)

        layer = cls(
            members=members,
            start=start,
            name=name,
            restrictions=restrictions,
            shift=shift,
            shift_hours=shift_hours,
        )

        layer.additional_properties = d
        return layer

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
