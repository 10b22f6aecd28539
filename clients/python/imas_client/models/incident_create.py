from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IncidentCreate")


@_attrs_define
class IncidentCreate:
    """
    Attributes:
        service_name (str):
        severity (str):
        title (str):
        dedup_key (str | Unset):  Default: ''.
        description (str | Unset):  Default: ''.
        detected_at (datetime.datetime | None | Unset):
        impacted_scopes (list[str] | Unset):
        tags (list[str] | Unset):
    """

    service_name: str
    severity: str
    title: str
    dedup_key: str | Unset = ""
    description: str | Unset = ""
    detected_at: datetime.datetime | None | Unset = UNSET
    impacted_scopes: list[str] | Unset = UNSET
    tags: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        service_name = self.service_name

        severity = self.severity

        title = self.title

        dedup_key = self.dedup_key

        description = self.description

        detected_at: None | str | Unset
        if isinstance(self.detected_at, Unset):
            detected_at = UNSET
        elif isinstance(self.detected_at, datetime.datetime):
            detected_at = self.detected_at.isoformat()
        else:
            detected_at = self.detected_at

        impacted_scopes: list[str] | Unset = UNSET
        if not isinstance(self.impacted_scopes, Unset):
            impacted_scopes = self.impacted_scopes

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "service_name": service_name,
                "severity": severity,
                "title": title,
            }
        )
        if dedup_key is not UNSET:
            field_dict["dedup_key"] = dedup_key
        if description is not UNSET:
            field_dict["description"] = description
        if detected_at is not UNSET:
            field_dict["detected_at"] = detected_at
        if impacted_scopes is not UNSET:
            field_dict["impacted_scopes"] = impacted_scopes
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        service_name = d.pop("service_name")

        severity = d.pop("severity")

        title = d.pop("title")

        dedup_key = d.pop("dedup_key", UNSET)

        description = d.pop("description", UNSET)

        def _parse_detected_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                detected_at_type_0 = datetime.datetime.fromisoformat(data)

                return detected_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        detected_at = _parse_detected_at(d.pop("detected_at", UNSET))

        impacted_scopes = cast(list[str], d.pop("impacted_scopes", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        incident_create = cls(
            service_name=service_name,
            severity=severity,
            title=title,
            dedup_key=dedup_key,
            description=description,
            detected_at=detected_at,
            impacted_scopes=impacted_scopes,
            tags=tags,
        )

        incident_create.additional_properties = d
        return incident_create

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
