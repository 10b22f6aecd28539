from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Offender")


@_attrs_define
class Offender:
    """
    Attributes:
        service (str):
        sev1 (int):
        sev2 (int):
        total (int):
    """

    service: str
    sev1: int
    sev2: int
    total: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service = self.service

        sev1 = self.sev1

        sev2 = self.sev2

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service": service,
                "sev1": sev1,
                "sev2": sev2,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        service = d.pop("service")

        sev1 = d.pop("sev1")

        sev2 = d.pop("sev2")

        total = d.pop("total")

        offender = cls(
            service=service,
            sev1=sev1,
            sev2=sev2,
            total=total,
        )

        offender.additional_properties = d
        return offender

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
