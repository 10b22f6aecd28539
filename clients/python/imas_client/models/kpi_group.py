from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.kpi_figures import KpiFigures


T = TypeVar("T", bound="KpiGroup")


@_attrs_define
class KpiGroup:
    """
    Attributes:
        figures (KpiFigures): How many incidents, and their MTTD / MTTA / MTTR.
        key (str):
    """

    figures: KpiFigures
    key: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        figures = self.figures.to_dict()

        key = self.key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "figures": figures,
                "key": key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kpi_figures import KpiFigures  # noqa: PLC0415

        d = dict(src_dict)
        figures = KpiFigures.from_dict(d.pop("figures"))

        key = d.pop("key")

        kpi_group = cls(
            figures=figures,
            key=key,
        )

        kpi_group.additional_properties = d
        return kpi_group

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
