from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.subscriber import Subscriber


T = TypeVar("T", bound="IncidentSubscribers")


@_attrs_define
class IncidentSubscribers:
    """Who an incident's status updates go to.

    Attributes:
        incident_id (str):
        short_id (str | Unset):  Default: ''.
        subscribers (list[Subscriber] | Unset):
    """

    incident_id: str
    short_id: str | Unset = ""
    subscribers: list[Subscriber] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        incident_id = self.incident_id

        short_id = self.short_id

        subscribers: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.subscribers, Unset):
            subscribers = []
            for subscribers_item_data in self.subscribers:
                subscribers_item = subscribers_item_data.to_dict()
                subscribers.append(subscribers_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "incident_id": incident_id,
            }
        )
        if short_id is not UNSET:
            field_dict["short_id"] = short_id
        if subscribers is not UNSET:
            field_dict["subscribers"] = subscribers

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscriber import Subscriber  # noqa: PLC0415

        d = dict(src_dict)
        incident_id = d.pop("incident_id")

        short_id = d.pop("short_id", UNSET)

        _subscribers = d.pop("subscribers", UNSET)
        subscribers: list[Subscriber] | Unset = UNSET
        if _subscribers is not UNSET:
            subscribers = []
            for subscribers_item_data in _subscribers:
                subscribers_item = Subscriber.from_dict(subscribers_item_data)

                subscribers.append(subscribers_item)

        incident_subscribers = cls(
            incident_id=incident_id,
            short_id=short_id,
            subscribers=subscribers,
        )

        incident_subscribers.additional_properties = d
        return incident_subscribers

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
