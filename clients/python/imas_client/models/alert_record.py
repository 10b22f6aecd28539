from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.alert_record_labels import AlertRecordLabels


T = TypeVar("T", bound="AlertRecord")


@_attrs_define
class AlertRecord:
    """One normalised alert and what became of it.

    Attributes:
        fingerprint (str):
        id (str):
        name (str):
        outcome (str):
        received_at (str):
        service_name (str):
        severity (str):
        source (str):
        status (str):
        dedup_key (str | Unset):  Default: ''.
        detected_at (None | str | Unset):
        incident_id (None | str | Unset):
        integration_id (None | str | Unset):
        labels (AlertRecordLabels | Unset):
        summary (str | Unset):  Default: ''.
        suppressed_by (str | Unset):  Default: ''.
    """

    fingerprint: str
    id: str
    name: str
    outcome: str
    received_at: str
    service_name: str
    severity: str
    source: str
    status: str
    dedup_key: str | Unset = ""
    detected_at: None | str | Unset = UNSET
    incident_id: None | str | Unset = UNSET
    integration_id: None | str | Unset = UNSET
    labels: AlertRecordLabels | Unset = UNSET
    summary: str | Unset = ""
    suppressed_by: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fingerprint = self.fingerprint

        id = self.id

        name = self.name

        outcome = self.outcome

        received_at = self.received_at

        service_name = self.service_name

        severity = self.severity

        source = self.source

        status = self.status

        dedup_key = self.dedup_key

        detected_at: None | str | Unset
        if isinstance(self.detected_at, Unset):
            detected_at = UNSET
        else:
            detected_at = self.detected_at

        incident_id: None | str | Unset
        if isinstance(self.incident_id, Unset):
            incident_id = UNSET
        else:
            incident_id = self.incident_id

        integration_id: None | str | Unset
        if isinstance(self.integration_id, Unset):
            integration_id = UNSET
        else:
            integration_id = self.integration_id

        labels: dict[str, Any] | Unset = UNSET
        if not isinstance(self.labels, Unset):
            labels = self.labels.to_dict()

        summary = self.summary

        suppressed_by = self.suppressed_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fingerprint": fingerprint,
                "id": id,
                "name": name,
                "outcome": outcome,
                "received_at": received_at,
                "service_name": service_name,
                "severity": severity,
                "source": source,
                "status": status,
            }
        )
        if dedup_key is not UNSET:
            field_dict["dedup_key"] = dedup_key
        if detected_at is not UNSET:
            field_dict["detected_at"] = detected_at
        if incident_id is not UNSET:
            field_dict["incident_id"] = incident_id
        if integration_id is not UNSET:
            field_dict["integration_id"] = integration_id
        if labels is not UNSET:
            field_dict["labels"] = labels
        if summary is not UNSET:
            field_dict["summary"] = summary
        if suppressed_by is not UNSET:
            field_dict["suppressed_by"] = suppressed_by

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alert_record_labels import AlertRecordLabels  # noqa: PLC0415

        d = dict(src_dict)
        fingerprint = d.pop("fingerprint")

        id = d.pop("id")

        name = d.pop("name")

        outcome = d.pop("outcome")

        received_at = d.pop("received_at")

        service_name = d.pop("service_name")

        severity = d.pop("severity")

        source = d.pop("source")

        status = d.pop("status")

        dedup_key = d.pop("dedup_key", UNSET)

        def _parse_detected_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detected_at = _parse_detected_at(d.pop("detected_at", UNSET))

        def _parse_incident_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        incident_id = _parse_incident_id(d.pop("incident_id", UNSET))

        def _parse_integration_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        integration_id = _parse_integration_id(d.pop("integration_id", UNSET))

        _labels = d.pop("labels", UNSET)
        labels: AlertRecordLabels | Unset
        if isinstance(_labels, Unset):
            labels = UNSET
        else:
            labels = AlertRecordLabels.from_dict(_labels)

        summary = d.pop("summary", UNSET)

        suppressed_by = d.pop("suppressed_by", UNSET)

        alert_record = cls(
            fingerprint=fingerprint,
            id=id,
            name=name,
            outcome=outcome,
            received_at=received_at,
            service_name=service_name,
            severity=severity,
            source=source,
            status=status,
            dedup_key=dedup_key,
            detected_at=detected_at,
            incident_id=incident_id,
            integration_id=integration_id,
            labels=labels,
            summary=summary,
            suppressed_by=suppressed_by,
        )

        alert_record.additional_properties = d
        return alert_record

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
