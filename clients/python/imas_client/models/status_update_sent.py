from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatusUpdateSent")


@_attrs_define
class StatusUpdateSent:
    """A status update was recorded and handed to the notifier for ``recipients``.

    Attributes:
        incident_id (str):
        message (str):
        short_id (str):
        recipients (list[str] | Unset):
    """

    incident_id: str
    message: str
    short_id: str
    recipients: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        incident_id = self.incident_id

        message = self.message

        short_id = self.short_id

        recipients: list[str] | Unset = UNSET
        if not isinstance(self.recipients, Unset):
            recipients = self.recipients

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "incident_id": incident_id,
                "message": message,
                "short_id": short_id,
            }
        )
        if recipients is not UNSET:
            field_dict["recipients"] = recipients

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        incident_id = d.pop("incident_id")

        message = d.pop("message")

        short_id = d.pop("short_id")

        recipients = cast(list[str], d.pop("recipients", UNSET))

        status_update_sent = cls(
            incident_id=incident_id,
            message=message,
            short_id=short_id,
            recipients=recipients,
        )

        status_update_sent.additional_properties = d
        return status_update_sent

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
