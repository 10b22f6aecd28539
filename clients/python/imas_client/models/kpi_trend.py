from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.kpi_point import KpiPoint


T = TypeVar("T", bound="KpiTrend")


@_attrs_define
class KpiTrend:
    """Figures per day or ISO week (UTC), oldest first; empty buckets are left out.

    Attributes:
        bucket (str):
        points (list[KpiPoint] | Unset):
    """

    bucket: str
    points: list[KpiPoint] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bucket = self.bucket

        points: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.points, Unset):
            points = []
            for points_item_data in self.points:
                points_item = points_item_data.to_dict()
                points.append(points_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bucket": bucket,
            }
        )
        if points is not UNSET:
            field_dict["points"] = points

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kpi_point import KpiPoint  # noqa: PLC0415

        d = dict(src_dict)
        bucket = d.pop("bucket")

        _points = d.pop("points", UNSET)
        points: list[KpiPoint] | Unset = UNSET
        if _points is not UNSET:
            points = []
            for points_item_data in _points:
                points_item = KpiPoint.from_dict(points_item_data)

                points.append(points_item)

        kpi_trend = cls(
            bucket=bucket,
            points=points,
        )

        kpi_trend.additional_properties = d
        return kpi_trend

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
