from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.incident_patch_severity_type_1 import IncidentPatchSeverityType1
from ..models.incident_patch_severity_type_2_type_1 import IncidentPatchSeverityType2Type1
from ..models.incident_patch_severity_type_3_type_1 import IncidentPatchSeverityType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="IncidentPatch")


@_attrs_define
class IncidentPatch:
    """
    Attributes:
        description (None | str | Unset):
        impacted_scopes (list[str] | None | Unset):
        lead (None | str | Unset):
        severity (IncidentPatchSeverityType1 | IncidentPatchSeverityType2Type1 | IncidentPatchSeverityType3Type1 | None
            | Unset):
        title (None | str | Unset):
    """

    description: None | str | Unset = UNSET
    impacted_scopes: list[str] | None | Unset = UNSET
    lead: None | str | Unset = UNSET
    severity: (
        IncidentPatchSeverityType1 | IncidentPatchSeverityType2Type1 | IncidentPatchSeverityType3Type1 | None | Unset
    ) = UNSET
    title: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        impacted_scopes: list[str] | None | Unset
        if isinstance(self.impacted_scopes, Unset):
            impacted_scopes = UNSET
        elif isinstance(self.impacted_scopes, list):
            impacted_scopes = self.impacted_scopes

        else:
            impacted_scopes = self.impacted_scopes

        lead: None | str | Unset
        if isinstance(self.lead, Unset):
            lead = UNSET
        else:
            lead = self.lead

        severity: None | str | Unset
        if isinstance(self.severity, Unset):
            severity = UNSET
        elif isinstance(self.severity, IncidentPatchSeverityType1):
            severity = self.severity.value
        elif isinstance(self.severity, IncidentPatchSeverityType2Type1):
            severity = self.severity.value
        elif isinstance(self.severity, IncidentPatchSeverityType3Type1):
            severity = self.severity.value
        else:
            severity = self.severity

        title: None | str | Unset
        if isinstance(self.title, Unset):
            title = UNSET
        else:
            title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if impacted_scopes is not UNSET:
            field_dict["impacted_scopes"] = impacted_scopes
        if lead is not UNSET:
            field_dict["lead"] = lead
        if severity is not UNSET:
            field_dict["severity"] = severity
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_impacted_scopes(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                impacted_scopes_type_0 = cast(list[str], data)

                return impacted_scopes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        impacted_scopes = _parse_impacted_scopes(d.pop("impacted_scopes", UNSET))

        def _parse_lead(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lead = _parse_lead(d.pop("lead", UNSET))

        def _parse_severity(
            data: object,
        ) -> (
            IncidentPatchSeverityType1
            | IncidentPatchSeverityType2Type1
            | IncidentPatchSeverityType3Type1
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                severity_type_1 = IncidentPatchSeverityType1(data)

                return severity_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                severity_type_2_type_1 = IncidentPatchSeverityType2Type1(data)

                return severity_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                severity_type_3_type_1 = IncidentPatchSeverityType3Type1(data)

                return severity_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                IncidentPatchSeverityType1
                | IncidentPatchSeverityType2Type1
                | IncidentPatchSeverityType3Type1
                | None
                | Unset,
                data,
            )

        severity = _parse_severity(d.pop("severity", UNSET))

        def _parse_title(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        title = _parse_title(d.pop("title", UNSET))

        incident_patch = cls(
            description=description,
            impacted_scopes=impacted_scopes,
            lead=lead,
            severity=severity,
            title=title,
        )

        incident_patch.additional_properties = d
        return incident_patch

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
