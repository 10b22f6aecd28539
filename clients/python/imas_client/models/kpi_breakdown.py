from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.kpi_group import KpiGroup


T = TypeVar("T", bound="KpiBreakdown")


@_attrs_define
class KpiBreakdown:
    """Figures per service, team or severity, the group with most incidents first.

    Attributes:
        group_by (str):
        groups (list[KpiGroup] | Unset):
    """

    group_by: str
    groups: list[KpiGroup] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group_by = self.group_by

        groups: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = []
            for groups_item_data in self.groups:
                groups_item = groups_item_data.to_dict()
                groups.append(groups_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group_by": group_by,
            }
        )
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.kpi_group import KpiGroup  # noqa: PLC0415

        d = dict(src_dict)
        group_by = d.pop("group_by")

        _groups = d.pop("groups", UNSET)
        groups: list[KpiGroup] | Unset = UNSET
        if _groups is not UNSET:
            groups = []
            for groups_item_data in _groups:
                groups_item = KpiGroup.from_dict(groups_item_data)

                groups.append(groups_item)

        kpi_breakdown = cls(
            group_by=group_by,
            groups=groups,
        )

        kpi_breakdown.additional_properties = d
        return kpi_breakdown

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
