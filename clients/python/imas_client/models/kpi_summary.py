from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.kpi_figures import KpiFigures
    from ..models.kpi_summary_change import KpiSummaryChange


T = TypeVar("T", bound="KpiSummary")


@_attrs_define
class KpiSummary:
    """The window's figures, the previous window's (same length, just before) and the change
    in percent of each (``count``, ``mttd``, ``mtta``, ``mttr`` means; None when undefined).

    Attributes:
        current (KpiFigures): How many incidents, and their MTTD / MTTA / MTTR.
        end (str):
        previous (KpiFigures): How many incidents, and their MTTD / MTTA / MTTR.
        start (str):
        change (KpiSummaryChange | Unset):
    """

    current: KpiFigures
    end: str
    previous: KpiFigures
    start: str
    change: KpiSummaryChange | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        current = self.current.to_dict()

        end = self.end

        previous = self.previous.to_dict()

        start = self.start

        change: dict[str, Any] | Unset = UNSET
        if not isinstance(self.change, Unset):
            change = self.change.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "current": current,
                "end": end,
                "previous": previous,
                "start": start,
            }
        )
        if change is not UNSET:
            field_dict["change"] = change

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kpi_figures import KpiFigures  # noqa: PLC0415
        from ..models.kpi_summary_change import KpiSummaryChange  # noqa: PLC0415

        d = dict(src_dict)
        current = KpiFigures.from_dict(d.pop("current"))

        end = d.pop("end")

        previous = KpiFigures.from_dict(d.pop("previous"))

        start = d.pop("start")

        _change = d.pop("change", UNSET)
        change: KpiSummaryChange | Unset
        if isinstance(_change, Unset):
            change = UNSET
        else:
            change = KpiSummaryChange.from_dict(_change)

        kpi_summary = cls(
            current=current,
            end=end,
            previous=previous,
            start=start,
            change=change,
        )

        kpi_summary.additional_properties = d
        return kpi_summary

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
