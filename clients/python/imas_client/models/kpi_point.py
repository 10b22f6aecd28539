from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.kpi_figures import KpiFigures


T = TypeVar("T", bound="KpiPoint")


@_attrs_define
class KpiPoint:
    """
    Attributes:
        bucket_start (str):
        figures (KpiFigures): How many incidents, and their MTTD / MTTA / MTTR.
    """

    bucket_start: str
    figures: KpiFigures
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bucket_start = self.bucket_start

        figures = self.figures.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bucket_start": bucket_start,
                "figures": figures,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kpi_figures import KpiFigures  # noqa: PLC0415

        d = dict(src_dict)
        bucket_start = d.pop("bucket_start")

        figures = KpiFigures.from_dict(d.pop("figures"))

        kpi_point = cls(
            bucket_start=bucket_start,
            figures=figures,
        )

        kpi_point.additional_properties = d
        return kpi_point

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
