from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Restriction")


@_attrs_define
class Restriction:
    """A window when a layer applies, in the schedule's time zone: ``days`` (0 = Monday … 6 =
    Sunday) from ``start`` to ``end`` (``"HH:MM"``; an ``end`` before ``start`` runs overnight).

    Attributes:
        days (list[int] | Unset):
        end (str | Unset):  Default: '00:00'.
        start (str | Unset):  Default: '00:00'.
    """

    days: list[int] | Unset = UNSET
    end: str | Unset = "00:00"
    start: str | Unset = "00:00"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        days: list[int] | Unset = UNSET
        if not isinstance(self.days, Unset):
            days = self.days

        end = self.end

        start = self.start

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if days is not UNSET:
            field_dict["days"] = days
        if end is not UNSET:
            field_dict["end"] = end
        if start is not UNSET:
            field_dict["start"] = start

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        days = cast(list[int], d.pop("days", UNSET))

        end = d.pop("end", UNSET)

        start = d.pop("start", UNSET)

        restriction = cls(
            days=days,
            end=end,
            start=start,
        )

        restriction.additional_properties = d
        return restriction

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
