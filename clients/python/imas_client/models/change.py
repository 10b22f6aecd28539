from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.change_custom_details import ChangeCustomDetails
    from ..models.change_link import ChangeLink
    from ..models.ref import Ref


T = TypeVar("T", bound="Change")


@_attrs_define
class Change:
    """A recorded change. ``service`` is the catalog's service when it knows ``service_name``;
    ``incident_ids`` are the unresolved incidents whose timeline shows it.

    Attributes:
        id (str):
        occurred_at (str):
        received_at (str):
        service_name (str):
        summary (str):
        custom_details (ChangeCustomDetails | Unset):
        incident_ids (list[str] | Unset):
        integration_id (str | Unset):  Default: ''.
        links (list[ChangeLink] | Unset):
        service (None | Ref | Unset):
        source (str | Unset):  Default: ''.
    """

    id: str
    occurred_at: str
    received_at: str
    service_name: str
    summary: str
    custom_details: ChangeCustomDetails | Unset = UNSET
    incident_ids: list[str] | Unset = UNSET
    integration_id: str | Unset = ""
    links: list[ChangeLink] | Unset = UNSET
    service: None | Ref | Unset = UNSET
    source: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.ref import Ref  # noqa: PLC0415

        id = self.id

        occurred_at = self.occurred_at

        received_at = self.received_at

        service_name = self.service_name

        summary = self.summary

        custom_details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_details, Unset):
            custom_details = self.custom_details.to_dict()

        incident_ids: list[str] | Unset = UNSET
        if not isinstance(self.incident_ids, Unset):
            incident_ids = self.incident_ids

        integration_id = self.integration_id

        links: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = []
            for links_item_data in self.links:
                links_item = links_item_data.to_dict()
                links.append(links_item)

        service: dict[str, Any] | None | Unset
        if isinstance(self.service, Unset):
            service = UNSET
        elif isinstance(self.service, Ref):
            service = self.service.to_dict()
        else:
            service = self.service

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "occurred_at": occurred_at,
                "received_at": received_at,
                "service_name": service_name,
                "summary": summary,
            }
        )
        if custom_details is not UNSET:
            field_dict["custom_details"] = custom_details
        if incident_ids is not UNSET:
            field_dict["incident_ids"] = incident_ids
        if integration_id is not UNSET:
            field_dict["integration_id"] = integration_id
        if links is not UNSET:
            field_dict["links"] = links
        if service is not UNSET:
            field_dict["service"] = service
        if source is not UNSET:
            field_dict["source"] = source

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.change_custom_details import ChangeCustomDetails  # noqa: PLC0415
        from ..models.change_link import ChangeLink  # noqa: PLC0415
        from ..models.ref import Ref  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        occurred_at = d.pop("occurred_at")

        received_at = d.pop("received_at")

        service_name = d.pop("service_name")

        summary = d.pop("summary")

        _custom_details = d.pop("custom_details", UNSET)
        custom_details: ChangeCustomDetails | Unset
        if isinstance(_custom_details, Unset):
            custom_details = UNSET
        else:
            custom_details = ChangeCustomDetails.from_dict(_custom_details)

        incident_ids = cast(list[str], d.pop("incident_ids", UNSET))

        integration_id = d.pop("integration_id", UNSET)

        _links = d.pop("links", UNSET)
        links: list[ChangeLink] | Unset = UNSET
        if _links is not UNSET:
            links = []
            for links_item_data in _links:
                links_item = ChangeLink.from_dict(links_item_data)

                links.append(links_item)

        def _parse_service(data: object) -> None | Ref | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                service_type_0 = Ref.from_dict(data)

                return service_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Ref | Unset, data)

        service = _parse_service(d.pop("service", UNSET))

        source = d.pop("source", UNSET)

        change = cls(
            id=id,
            occurred_at=occurred_at,
            received_at=received_at,
            service_name=service_name,
            summary=summary,
            custom_details=custom_details,
            incident_ids=incident_ids,
            integration_id=integration_id,
            links=links,
            service=service,
            source=source,
        )

        change.additional_properties = d
        return change

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
