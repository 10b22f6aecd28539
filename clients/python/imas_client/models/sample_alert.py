from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sample_alert_labels import SampleAlertLabels


T = TypeVar("T", bound="SampleAlert")


@_attrs_define
class SampleAlert:
    """
    Attributes:
        labels (SampleAlertLabels | Unset):
        name (str | Unset):  Default: ''.
        source (str | Unset):  Default: 'custom'.
        summary (str | Unset):  Default: ''.
    """

    labels: SampleAlertLabels | Unset = UNSET
    name: str | Unset = ""
    source: str | Unset = "custom"
    summary: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        name = self.name

        source = self.source

        summary = self.summary

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if labels is not UNSET:
            field_dict["labels"] = labels
        if name is not UNSET:
            field_dict["name"] = name
        if source is not UNSET:
            field_dict["source"] = source
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sample_alert_labels import SampleAlertLabels  # noqa: PLC0415

        d = dict(src_dict)
        _labels = d.pop("labels", UNSET)
        labels: SampleAlertLabels | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = SampleAlertLabels.from_dict(_labels)

        name = d.pop("name", UNSET)

        source = d.pop("source", UNSET)

        summary = d.pop("summary", UNSET)

        sample_alert = cls(
            labels=labels,
            name=name,
            source=source,
            summary=summary,
        )

        sample_alert.additional_properties = d
        return sample_alert

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
