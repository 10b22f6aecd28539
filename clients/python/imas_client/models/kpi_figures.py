from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.kpi_stats import KpiStats


T = TypeVar("T", bound="KpiFigures")


@_attrs_define
class KpiFigures:
    """How many incidents, and their MTTD / MTTA / MTTR.

    Attributes:
        count (int | Unset):  Default: 0.
        mtta (KpiStats | Unset): Mean, median and 90th percentile in seconds over ``count`` incidents (None if none).
        mttd (KpiStats | Unset): Mean, median and 90th percentile in seconds over ``count`` incidents (None if none).
        mttr (KpiStats | Unset): Mean, median and 90th percentile in seconds over ``count`` incidents (None if none).
    """

    count: int | Unset = 0
    mtta: KpiStats | Unset = UNSET
    mttd: KpiStats | Unset = UNSET
    mttr: KpiStats | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        mtta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.mtta, Unset):
            mtta = self.mtta.to_dict()

        mttd: dict[str, Any] | Unset = UNSET
        if not isinstance(self.mttd, Unset):
            mttd = self.mttd.to_dict()

        mttr: dict[str, Any] | Unset = UNSET
        if not isinstance(self.mttr, Unset):
            mttr = self.mttr.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if count is not UNSET:
            field_dict["count"] = count
        if mtta is not UNSET:
            field_dict["mtta"] = mtta
        if mttd is not UNSET:
            field_dict["mttd"] = mttd
        if mttr is not UNSET:
            field_dict["mttr"] = mttr

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kpi_stats import KpiStats  # noqa: PLC0415

        d = dict(src_dict)
        count = d.pop("count", UNSET)

        _mtta = d.pop("mtta", UNSET)
        mtta: KpiStats | Unset
        if isinstance(_mtta, Unset):
            mtta = UNSET
        else:
            mtta = KpiStats.from_dict(_mtta)

        _mttd = d.pop("mttd", UNSET)
        mttd: KpiStats | Unset
        if isinstance(_mttd, Unset):
            mttd = UNSET
        else:
            mttd = KpiStats.from_dict(_mttd)

        _mttr = d.pop("mttr", UNSET)
        mttr: KpiStats | Unset
        if isinstance(_mttr, Unset):
            mttr = UNSET
        else:
            mttr = KpiStats.from_dict(_mttr)

        kpi_figures = cls(
            count=count,
            mtta=mtta,
            mttd=mttd,
            mttr=mttr,
        )

        kpi_figures.additional_properties = d
        return kpi_figures

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
