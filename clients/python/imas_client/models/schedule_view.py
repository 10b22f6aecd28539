from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.schedule_spec import ScheduleSpec
    from ..models.shift import Shift


T = TypeVar("T", bound="ScheduleView")


@_attrs_define
class ScheduleView:
    """A stored schedule and the gaps found in its next two weeks.

    Attributes:
        schedule (ScheduleSpec): An on-call schedule of a team, computed in ``time_zone`` (an IANA name).
        gaps (list[Shift] | Unset):
    """

    schedule: ScheduleSpec
    gaps: list[Shift] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        schedule = self.schedule.to_dict()

        gaps: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.gaps, Unset):
            gaps = []
            for gaps_item_data in self.gaps:
                gaps_item = gaps_item_data.to_dict()
                gaps.append(gaps_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "schedule": schedule,
            }
        )
        if gaps is not UNSET:
            field_dict["gaps"] = gaps

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.schedule_spec import ScheduleSpec  # noqa: PLC0415
        from ..models.shift import Shift  # noqa: PLC0415

        d = dict(src_dict)
        schedule = ScheduleSpec.from_dict(d.pop("schedule"))

        _gaps = d.pop("gaps", UNSET)
        gaps: list[Shift] | Unset = UNSET
        if _gaps is not UNSET:
            gaps = []
            for gaps_item_data in _gaps:
                gaps_item = Shift.from_dict(gaps_item_data)

                gaps.append(gaps_item)

        schedule_view = cls(
            schedule=schedule,
            gaps=gaps,
        )

        schedule_view.additional_properties = d
        return schedule_view

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
